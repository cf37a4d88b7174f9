#include "db/db_iter.h"

#include "db/stored_value.h"

namespace shale {
namespace {

// Positioning invariants:
//   direction_ == kForward: iter_ is at the newest visible entry of key();
//     value() is read from iter_.
//   direction_ == kReverse: iter_ is before every entry of key() (at an
//     older user key, or invalid); key and value are copied into saved_key_
//     and saved_value_.
class DBIter final : public Iterator {
 public:
  DBIter(std::unique_ptr<InternalIterator> iter, SequenceNumber seq,
         uint64_t now_ms, std::optional<std::string> upper_bound,
         VlogReader* vlog)
      : iter_(std::move(iter)),
        sequence_(seq),
        now_ms_(now_ms),
        upper_bound_(std::move(upper_bound)),
        vlog_(vlog) {}

  bool Valid() const override { return valid_; }
  std::string_view key() const override {
    return direction_ == kForward ? ExtractUserKey(iter_->key())
                                  : std::string_view(saved_key_);
  }
  std::string_view value() const override {
    return direction_ == kForward ? current_value_
                                  : std::string_view(saved_value_);
  }
  Status status() const override {
    if (!status_.ok()) return status_;
    return iter_->status();
  }

  void SeekToFirst() override;
  void SeekToLast() override;
  void Seek(std::string_view target) override;
  void SeekForPrev(std::string_view target) override;
  void Next() override;
  void Prev() override;

 private:
  enum Direction { kForward, kReverse };

  // Result of classifying one internal entry.
  enum class Kind { kInvisible, kHidden /* delete or expired */, kLive };

  bool ParseCurrent(ParsedInternalKey* ikey);
  // *user_value: the value, or for a blob index the value pointer
  // (*is_blob set).
  Kind Classify(const ParsedInternalKey& ikey, std::string_view stored,
                std::string_view* user_value, bool* is_blob);
  // Reads the value a pointer names into *out; false (status_ set) on error.
  bool ResolveBlob(std::string_view user_key, std::string_view pointer,
                   std::string* out);
  bool PastUpperBound(std::string_view user_key) const {
    return upper_bound_ && user_key.compare(*upper_bound_) >= 0;
  }
  void FindNextUserEntry(bool skipping, std::string_view skip);
  void FindPrevUserEntry();
  void SeekInternal(std::string_view user_key, SequenceNumber seq,
                    ValueType type) {
    seek_buf_.clear();
    AppendInternalKey(&seek_buf_, user_key, seq, type);
    iter_->Seek(seek_buf_);
  }

  std::unique_ptr<InternalIterator> iter_;
  const SequenceNumber sequence_;
  const uint64_t now_ms_;
  const std::optional<std::string> upper_bound_;
  VlogReader* const vlog_;
  VlogReadahead readahead_;
  std::string blob_value_;  // a resolved vlog value

  Status status_;
  Direction direction_ = kForward;
  bool valid_ = false;
  std::string_view current_value_;  // forward: points into iter_'s value
  std::string saved_key_;           // reverse: current key; forward: scratch
  std::string saved_value_;         // reverse: current value
  bool saved_is_blob_ = false;      // saved_value_ holds a value pointer
  std::string seek_buf_;
};

bool DBIter::ParseCurrent(ParsedInternalKey* ikey) {
  if (!ParseInternalKey(iter_->key(), ikey)) {
    status_ = Status::Corruption("corrupted internal key in DB iterator");
    valid_ = false;
    return false;
  }
  return true;
}

DBIter::Kind DBIter::Classify(const ParsedInternalKey& ikey,
                              std::string_view stored,
                              std::string_view* user_value, bool* is_blob) {
  *is_blob = IsBlobIndex(ikey.type);
  if (ikey.sequence > sequence_) return Kind::kInvisible;
  switch (ikey.type) {
    case kTypeDeletion:
      return Kind::kHidden;
    case kTypeValue:
    case kTypeBlobIndex:
      *user_value = stored;
      return Kind::kLive;
    case kTypeValueWithExpiry:
    case kTypeBlobIndexWithExpiry: {
      StoredValue parsed;
      if (!parsed.Parse(ikey.type, stored)) {
        status_ = Status::Corruption("expiring value too short");
        return Kind::kHidden;
      }
      *user_value = parsed.payload;
      return parsed.Expired(now_ms_) ? Kind::kHidden : Kind::kLive;
    }
  }
  return Kind::kHidden;
}

bool DBIter::ResolveBlob(std::string_view user_key, std::string_view pointer,
                         std::string* out) {
  ValuePointer ptr;
  if (vlog_ == nullptr || !ptr.DecodeFrom(pointer)) {
    status_ = Status::Corruption("bad value pointer in DB iterator");
    return false;
  }
  status_ = vlog_->Read(ptr, user_key, out, &readahead_);
  return status_.ok();
}

void DBIter::FindNextUserEntry(bool skipping, std::string_view skip) {
  // skip may point into saved_key_; it is not modified in this loop.
  while (iter_->Valid()) {
    ParsedInternalKey ikey;
    if (!ParseCurrent(&ikey)) return;
    if (PastUpperBound(ikey.user_key)) break;
    std::string_view user_value;
    bool is_blob = false;
    Kind kind = Classify(ikey, iter_->value(), &user_value, &is_blob);
    if (!status_.ok()) break;
    if (kind != Kind::kInvisible) {
      if (skipping && ikey.user_key.compare(skip) <= 0) {
        // An older version of a key already returned or hidden.
      } else if (kind == Kind::kHidden) {
        saved_key_.assign(ikey.user_key);
        skip = saved_key_;
        skipping = true;
      } else {
        if (is_blob) {
          if (!ResolveBlob(ikey.user_key, user_value, &blob_value_)) break;
          user_value = blob_value_;
        }
        current_value_ = user_value;
        valid_ = true;
        return;
      }
    }
    iter_->Next();
  }
  valid_ = false;
}

void DBIter::FindPrevUserEntry() {
  // Walks backwards over the entries of one user key at a time, remembering
  // the newest visible one; stops at the first older key once a live entry
  // is held.
  bool have_live = false;
  while (iter_->Valid()) {
    ParsedInternalKey ikey;
    if (!ParseCurrent(&ikey)) return;
    if (ikey.sequence <= sequence_) {
      if (have_live && ikey.user_key.compare(saved_key_) < 0) break;
      std::string_view user_value;
      bool is_blob = false;
      Kind kind = Classify(ikey, iter_->value(), &user_value, &is_blob);
      if (!status_.ok()) {
        valid_ = false;
        return;
      }
      if (kind == Kind::kLive) {
        saved_key_.assign(ikey.user_key);
        saved_value_.assign(user_value);
        saved_is_blob_ = is_blob;
        have_live = true;
      } else {
        have_live = false;  // a newer deletion hides the older versions
        saved_key_.assign(ikey.user_key);
      }
    }
    iter_->Prev();
  }
  if (!iter_->status().ok()) {
    // The versions not read may include a newer one: return nothing (the
    // error is in status()) rather than what was seen.
    have_live = false;
  }
  if (!have_live) {
    valid_ = false;
    saved_key_.clear();
    saved_value_.clear();
    direction_ = kForward;
    return;
  }
  // Only the newest visible version's value is read from its vlog.
  if (saved_is_blob_) {
    if (!ResolveBlob(saved_key_, saved_value_, &blob_value_)) {
      valid_ = false;
      return;
    }
    saved_value_.swap(blob_value_);
  }
  valid_ = true;
}

void DBIter::SeekToFirst() {
  direction_ = kForward;
  status_ = Status::OK();
  iter_->SeekToFirst();
  FindNextUserEntry(false, {});
}

void DBIter::Seek(std::string_view target) {
  direction_ = kForward;
  status_ = Status::OK();
  SeekInternal(target, sequence_, kValueTypeForSeek);
  FindNextUserEntry(false, {});
}

void DBIter::SeekToLast() {
  direction_ = kReverse;
  status_ = Status::OK();
  if (upper_bound_) {
    // Position before every entry of the bound's key and beyond.
    SeekInternal(*upper_bound_, kMaxSequenceNumber, kValueTypeForSeek);
    if (iter_->Valid()) {
      iter_->Prev();
    } else if (iter_->status().ok()) {
      iter_->SeekToLast();  // nothing at or past the bound
    }
    // After a read error iter_ stays invalid: FindPrevUserEntry reports it.
  } else {
    iter_->SeekToLast();
  }
  FindPrevUserEntry();
}

void DBIter::SeekForPrev(std::string_view target) {
  if (upper_bound_ && target.compare(*upper_bound_) >= 0) {
    SeekToLast();
    return;
  }
  direction_ = kReverse;
  status_ = Status::OK();
  // (target, 0, deletion) sorts after every entry of target: the entry before
  // the first one at or past it is the last entry <= target.
  SeekInternal(target, 0, kTypeDeletion);
  if (iter_->Valid()) {
    ParsedInternalKey ikey;
    if (!ParseCurrent(&ikey)) return;
    if (ikey.user_key.compare(target) > 0) iter_->Prev();
    // else: it is (target, 0, deletion) itself, which belongs to target.
  } else if (iter_->status().ok()) {
    iter_->SeekToLast();  // every entry is at or before target
  }
  // After a read error iter_ stays invalid: FindPrevUserEntry reports it.
  FindPrevUserEntry();
}

void DBIter::Next() {
  if (direction_ == kReverse) {
    // iter_ is before key(): step onto its entries, then past them.
    direction_ = kForward;
    if (!iter_->Valid()) {
      iter_->SeekToFirst();
    } else {
      iter_->Next();
    }
    FindNextUserEntry(true, saved_key_);
    return;
  }
  saved_key_.assign(ExtractUserKey(iter_->key()));
  iter_->Next();
  FindNextUserEntry(true, saved_key_);
}

void DBIter::Prev() {
  if (direction_ == kForward) {
    // iter_ is at key(): back up past every entry of it.
    saved_key_.assign(ExtractUserKey(iter_->key()));
    while (true) {
      iter_->Prev();
      if (!iter_->Valid()) break;
      if (ExtractUserKey(iter_->key()).compare(saved_key_) < 0) break;
    }
    direction_ = kReverse;
  }
  FindPrevUserEntry();
}

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(
    std::unique_ptr<InternalIterator> internal, SequenceNumber sequence,
    uint64_t now_ms, std::optional<std::string> upper_bound, VlogReader* vlog) {
  return std::make_unique<DBIter>(std::move(internal), sequence, now_ms,
                                  std::move(upper_bound), vlog);
}

}  // namespace shale
