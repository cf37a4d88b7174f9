#include "server/keyspace/stream.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "server/util/coding.h"

namespace shale::server {
namespace {

// Redis's string2ll: optional '-', no '+', no blanks, no leading zeros.
bool StrictInt64(std::string_view s, int64_t* v) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  const bool neg = s[0] == '-';
  if (neg) i = 1;
  if (i == s.size()) return false;
  if (s[i] == '0') {
    if (s.size() == 1) {
      *v = 0;
      return true;
    }
    return false;
  }
  uint64_t u = 0;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (u > (UINT64_MAX - d) / 10) return false;
    u = u * 10 + d;
  }
  if (neg) {
    if (u > uint64_t{1} << 63) return false;
    *v = static_cast<int64_t>(0 - u);
  } else {
    if (u > static_cast<uint64_t>(INT64_MAX)) return false;
    *v = static_cast<int64_t>(u);
  }
  return true;
}

// Redis's string2ull over a NUL-terminated part: string2ll first (a
// negative value is refused), else strtoull of the whole part.
bool String2Ull(const std::string& s, uint64_t* v) {
  int64_t ll;
  if (StrictInt64(s, &ll)) {
    if (ll < 0) return false;
    *v = static_cast<uint64_t>(ll);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  const unsigned long long u = std::strtoull(s.c_str(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || s.empty() || *end != '\0') {
    return false;
  }
  *v = u;
  return true;
}

}  // namespace

bool ParseStreamId(std::string_view arg, uint64_t missing_seq, bool strict,
                   StreamId* id, bool* seq_given) {
  // Redis bounds the whole argument, then reads it as a C string.
  if (arg.size() > 127) return false;
  const size_t nul = arg.find('\0');
  if (nul != std::string_view::npos) arg = arg.substr(0, nul);
  if (arg == "-" || arg == "+") {
    if (strict) return false;
    if (seq_given != nullptr) *seq_given = true;
    *id = arg == "-" ? StreamId{} : kMaxStreamId;
    return true;
  }
  const size_t dash = arg.find('-');
  uint64_t ms, seq = missing_seq;
  bool given = true;
  if (!String2Ull(std::string(arg.substr(0, dash)), &ms)) return false;
  if (dash != std::string_view::npos) {
    const std::string_view rest = arg.substr(dash + 1);
    if (seq_given != nullptr && rest == "*") {
      seq = 0;
      given = false;
    } else if (!String2Ull(std::string(rest), &seq)) {
      return false;
    }
  }
  if (seq_given != nullptr) *seq_given = given;
  *id = StreamId{ms, seq};
  return true;
}

void AppendStreamId(std::string* out, StreamId id) {
  out->append(std::to_string(id.ms));
  out->push_back('-');
  out->append(std::to_string(id.seq));
}

std::string FormatStreamId(StreamId id) {
  std::string s;
  AppendStreamId(&s, id);
  return s;
}

bool IncrStreamId(StreamId* id) {
  if (id->seq != UINT64_MAX) {
    id->seq++;
    return true;
  }
  if (id->ms == UINT64_MAX) {
    *id = StreamId{};
    return false;
  }
  id->ms++;
  id->seq = 0;
  return true;
}

bool DecrStreamId(StreamId* id) {
  if (id->seq != 0) {
    id->seq--;
    return true;
  }
  if (id->ms == 0) return false;
  id->ms--;
  id->seq = UINT64_MAX;
  return true;
}

void AppendIdSub(std::string* out, StreamId id) {
  PutBE64(out, id.ms);
  PutBE64(out, id.seq);
}

std::string IdSub(StreamId id) {
  std::string s;
  AppendIdSub(&s, id);
  return s;
}

bool ParseIdSub(std::string_view sub, StreamId* id) {
  if (sub.size() != 16) return false;
  id->ms = DecodeBE64(sub.data());
  id->seq = DecodeBE64(sub.data() + 8);
  return true;
}

void EncodeStreamFields(std::span<const std::string> pairs, std::string* out) {
  PutVarint(out, pairs.size() / 2);
  for (const std::string& s : pairs) {
    PutVarint(out, s.size());
    out->append(s);
  }
}

bool DecodeStreamFields(std::string_view value,
                        std::vector<std::string_view>* out) {
  out->clear();
  uint64_t n;
  if (!GetVarint(&value, &n) || n == 0 || n > value.size() / 2) return false;
  out->reserve(2 * n);
  for (uint64_t i = 0; i < 2 * n; i++) {
    uint64_t len;
    if (!GetVarint(&value, &len) || len > value.size()) return false;
    out->push_back(value.substr(0, len));
    value.remove_prefix(len);
  }
  return value.empty();
}

Stream::Stream(Collection* c) : c_(c) {
  if (c_->found()) st_ = c_->meta().stream;
}

void Stream::Append(StreamId id, std::span<const std::string> pairs) {
  buf_.clear();
  EncodeStreamFields(pairs, &buf_);
  const bool empty = length() == 0;
  // The first write creates the stream (its metadata starts empty).
  c_->Put(IdSub(id), buf_);
  if (empty) st_.first = id;
  c_->AddCount(1);
  st_.last = id;
  st_.entries_added++;
  Save();
}

bool Stream::Live(StreamId id) const {
  return length() > 0 && !(id < st_.first) && !(st_.last < id);
}

Status Stream::GetEntry(StreamId id, std::string* value) {
  if (!Live(id)) return Status::NotFound("trimmed or never added");
  return c_->Get(IdSub(id), value);
}

Status Stream::Delete(StreamId id, bool* deleted) {
  *deleted = false;
  if (!Live(id)) return Status::OK();  // trimmed entries are not there
  Status s = c_->Remove(IdSub(id), deleted);
  if (!s.ok() || !*deleted) return s;
  if (id > st_.max_deleted) st_.max_deleted = id;
  if (length() == 0) {
    st_.first = StreamId{};
  } else if (id == st_.first) {
    s = RefreshFirst(id);
  }
  Save();
  return s;
}

template <typename Pred>
Status Stream::TrimFront(Pred keep_going, uint64_t limit, uint64_t* removed) {
  *removed = 0;
  if (length() == 0) return Status::OK();
  // Nothing is deleted: the walk only finds the new first entry, and the
  // entries before it are garbage from then on (the header's "Trimming").
  auto it = NewIterator();
  SeekFrom(it.get(), st_.first);
  StreamId id;
  for (; it->Valid(); it->Next()) {
    if (!ParseIdSub(it->sub(), &id)) {
      return Status::Corruption("bad stream entry key");
    }
    if (!keep_going(id) || (limit != 0 && *removed == limit)) break;
    ++*removed;
  }
  if (!it->status().ok()) return it->status();
  if (*removed == 0) return Status::OK();
  if (*removed > length()) {
    return Status::Corruption("stream longer than its count");
  }
  if (*removed < length() && !it->Valid()) {
    return Status::Corruption("stream shorter than its count");
  }
  SetFirst(*removed, id);
  return Status::OK();
}

void Stream::SetFirst(uint64_t removed, StreamId first) {
  c_->AddCount(-static_cast<int64_t>(removed));
  st_.first = length() > 0 ? first : StreamId{};
  Save();
}

Status Stream::TrimMaxLen(uint64_t maxlen, uint64_t limit, uint64_t* removed) {
  const uint64_t excess = length() > maxlen ? length() - maxlen : 0;
  *removed = 0;
  if (excess == 0) return Status::OK();  // no iterator for nothing to trim
  if (limit == 0 || limit >= excess) {
    // Everything goes, or fewer entries stay than go: no walk, or a walk
    // back from the last over the maxlen entries that stay.
    if (maxlen == 0) {
      *removed = excess;
      SetFirst(excess, StreamId{});
      return Status::OK();
    }
    if (maxlen < excess) {
      auto it = NewIterator();
      SeekBackFrom(it.get(), st_.last);
      StreamId id;
      for (uint64_t kept = 0;; it->Prev()) {
        if (!it->Valid()) {
          if (!it->status().ok()) return it->status();
          return Status::Corruption("stream shorter than its count");
        }
        if (!ParseIdSub(it->sub(), &id)) {
          return Status::Corruption("bad stream entry key");
        }
        if (++kept == maxlen) break;
      }
      *removed = excess;
      SetFirst(excess, id);
      return Status::OK();
    }
  }
  uint64_t left = excess;
  return TrimFront([&left](StreamId) { return left-- > 0; }, limit, removed);
}

Status Stream::TrimMinId(StreamId min, uint64_t limit, uint64_t* removed) {
  *removed = 0;
  // st_.first is exact (Delete and TrimFront keep it so).
  if (length() == 0 || !(st_.first < min)) return Status::OK();
  return TrimFront([min](StreamId id) { return id < min; }, limit, removed);
}

Status Stream::LastEntryId(StreamId* id, bool* found) {
  *found = false;
  if (length() == 0) return Status::OK();
  // Mostly the entry last added is still there: one point read, cheaper
  // than an iterator (XREAD and XREADGROUP ask on every call). XDEL of it,
  // or XSETID past it, leave last without an entry: then walk back.
  Status s = c_->Get(IdSub(st_.last), &buf_);
  if (s.ok()) {
    *id = st_.last;
    *found = true;
    return Status::OK();
  }
  if (!s.IsNotFound()) return s;
  auto it = NewIterator();
  SeekBackFrom(it.get(), st_.last);
  if (!it->status().ok()) return it->status();
  if (!it->Valid()) return Status::Corruption("stream shorter than its count");
  if (!ParseIdSub(it->sub(), id)) {
    return Status::Corruption("bad stream entry key");
  }
  *found = true;
  return Status::OK();
}

void Stream::CreateIfAbsent() {
  if (c_->found()) return;
  c_->CreateIfAbsent();
  st_ = StreamState();
  Save();
}

Status Stream::SetState(const StreamState& st) {
  if (length() == 0 && st.last < st_.last) {
    // An emptied stream's trimmed entries lie at or below its last ID, and
    // the entries appended after this one would come after st.last: those
    // above it must go now, or they would come back between the new
    // entries (XSETID lowers the last ID only of an empty stream).
    StreamId from = st.last;
    if (IncrStreamId(&from)) {
      auto it = NewIterator();
      for (it->Seek(IdSub(from)); it->Valid(); it->Next()) {
        c_->Delete(it->sub());
      }
      if (!it->status().ok()) return it->status();
    }
  }
  st_ = st;
  Save();
  return Status::OK();
}

// A sub that sorts after every entry's (16 bytes): a seek to it finds none.
constexpr std::string_view kPastEverySub =
    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff";

void Stream::SeekFrom(ElementIterator* it, StreamId start) {
  if (length() == 0) return it->Seek(kPastEverySub);
  it->Seek(IdSub(std::max(start, st_.first)));
}

void Stream::SeekBackFrom(ElementIterator* it, StreamId end) {
  if (length() == 0) return it->SeekForPrev({});  // before the prefix
  it->SeekForPrev(IdSub(std::min(end, st_.last)));
}

Status Stream::RefreshFirst(StreamId from) {
  auto it = NewIterator();
  it->Seek(IdSub(from));
  if (!it->status().ok()) return it->status();
  if (!it->Valid() || !ParseIdSub(it->sub(), &st_.first)) {
    return Status::Corruption("stream shorter than its count");
  }
  return Status::OK();
}

}  // namespace shale::server
