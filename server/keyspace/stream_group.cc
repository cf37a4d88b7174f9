#include "server/keyspace/stream_group.h"

#include "server/util/coding.h"

namespace shale::server {
namespace {

constexpr char kGroupTag = 0x01, kConsumerTag = 0x02, kPendingTag = 0x03,
               kConsumerPendingTag = 0x04;

std::string TagGid(char tag, uint64_t gid) {
  std::string s(1, tag);
  PutBE64(&s, gid);
  return s;
}

bool GetId(std::string_view* in, StreamId* id) {
  return GetBE64(in, &id->ms) && GetBE64(in, &id->seq);
}

}  // namespace

int64_t EstimateEntriesRead(const StreamState& st, uint64_t length,
                            StreamId id) {
  const auto added = static_cast<int64_t>(st.entries_added);
  if (st.entries_added == 0) return 0;
  if (length == 0 && id <= st.last) return added;
  if (id == st.last) return added;
  if (id > st.last) return kInvalidEntriesRead;
  if (st.max_deleted.zero() || st.max_deleted < st.first) {
    if (id < st.first) return added - static_cast<int64_t>(length);
    if (id == st.first) return added - static_cast<int64_t>(length) + 1;
  }
  return kInvalidEntriesRead;
}

bool TombstonesFrom(const StreamState& st, uint64_t length, StreamId start) {
  if (length == 0 || st.max_deleted.zero()) return false;
  // The latest tombstone lies before the first entry: none ahead.
  if (st.first > st.max_deleted) return false;
  return start <= st.max_deleted;
}

std::string StreamGroups::GroupsPrefix() { return std::string(1, kGroupTag); }
std::string StreamGroups::ConsumersPrefix(uint64_t gid) {
  return TagGid(kConsumerTag, gid);
}
std::string StreamGroups::PendingPrefix(uint64_t gid) {
  return TagGid(kPendingTag, gid);
}
std::string StreamGroups::ConsumerPendingPrefix(uint64_t gid,
                                                std::string_view consumer) {
  std::string s = TagGid(kConsumerPendingTag, gid);
  PutBE32(&s, static_cast<uint32_t>(consumer.size()));
  s.append(consumer);
  return s;
}

bool StreamGroups::DecodeGroup(std::string_view v, StreamGroup* g) {
  uint64_t read;
  if (!GetBE64(&v, &g->gid) || !GetId(&v, &g->last) || !GetVarint(&v, &read) ||
      !GetVarint(&v, &g->pel) || !GetVarint(&v, &g->consumers) || !v.empty()) {
    return false;
  }
  g->entries_read = static_cast<int64_t>(read) - 1;
  return true;
}

bool StreamGroups::DecodeConsumer(std::string_view v, StreamConsumer* c) {
  return GetBE64(&v, &c->seen_ms) && GetVarint(&v, &c->pending) && v.empty();
}

bool StreamGroups::DecodePending(std::string_view v, PendingEntry* p) {
  if (!GetBE64(&v, &p->delivered_ms) || !GetVarint(&v, &p->deliveries)) {
    return false;
  }
  p->consumer.assign(v);
  return true;
}

Status StreamGroups::GetAux(const std::string& sub, std::string* value,
                            bool* found) {
  Status s = c_->GetEntry(KeyKind::kStreamAux, sub, value);
  *found = s.ok();
  return s.IsNotFound() ? Status::OK() : s;
}

Status StreamGroups::GetGroup(std::string_view name, StreamGroup* g,
                              bool* found) {
  std::string sub = GroupsPrefix();
  sub.append(name);
  Status s = GetAux(sub, &buf_, found);
  if (!s.ok() || !*found) return s;
  if (!DecodeGroup(buf_, g)) return Status::Corruption("bad stream group");
  return Status::OK();
}

void StreamGroups::PutGroup(std::string_view name, const StreamGroup& g) {
  std::string sub = GroupsPrefix();
  sub.append(name);
  buf_.clear();
  PutBE64(&buf_, g.gid);
  AppendIdSub(&buf_, g.last);
  PutVarint(&buf_, static_cast<uint64_t>(g.entries_read + 1));
  PutVarint(&buf_, g.pel);
  PutVarint(&buf_, g.consumers);
  c_->PutEntry(KeyKind::kStreamAux, sub, buf_);
}

Status StreamGroups::DeletePrefix(const std::string& prefix) {
  auto it = NewIterator();
  for (it->Seek(prefix); it->Valid() && it->sub().starts_with(prefix);
       it->Next()) {
    c_->DeleteEntry(KeyKind::kStreamAux, it->sub());
  }
  return it->status();
}

Status StreamGroups::DeleteGroup(std::string_view name, const StreamGroup& g) {
  std::string sub = GroupsPrefix();
  sub.append(name);
  c_->DeleteEntry(KeyKind::kStreamAux, sub);
  for (char tag : {kConsumerTag, kPendingTag, kConsumerPendingTag}) {
    Status s = DeletePrefix(TagGid(tag, g.gid));
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status StreamGroups::GetConsumer(uint64_t gid, std::string_view name,
                                 StreamConsumer* c, bool* found) {
  std::string sub = ConsumersPrefix(gid);
  sub.append(name);
  Status s = GetAux(sub, &buf_, found);
  if (!s.ok() || !*found) return s;
  if (!DecodeConsumer(buf_, c)) return Status::Corruption("bad consumer");
  return Status::OK();
}

void StreamGroups::PutConsumer(uint64_t gid, std::string_view name,
                               const StreamConsumer& c) {
  std::string sub = ConsumersPrefix(gid);
  sub.append(name);
  buf_.clear();
  PutBE64(&buf_, c.seen_ms);
  PutVarint(&buf_, c.pending);
  c_->PutEntry(KeyKind::kStreamAux, sub, buf_);
}

Status StreamGroups::DeleteConsumer(uint64_t gid, std::string_view name) {
  std::string sub = ConsumersPrefix(gid);
  sub.append(name);
  c_->DeleteEntry(KeyKind::kStreamAux, sub);
  const std::string prefix = ConsumerPendingPrefix(gid, name);
  auto it = NewIterator();
  for (it->Seek(prefix); it->Valid() && it->sub().starts_with(prefix);
       it->Next()) {
    std::string_view rest = it->sub().substr(prefix.size());
    StreamId id;
    if (!GetId(&rest, &id) || !rest.empty()) {
      return Status::Corruption("bad consumer pending entry");
    }
    std::string pending = PendingPrefix(gid);
    AppendIdSub(&pending, id);
    c_->DeleteEntry(KeyKind::kStreamAux, pending);
    c_->DeleteEntry(KeyKind::kStreamAux, it->sub());
  }
  return it->status();
}

Status StreamGroups::GetPending(uint64_t gid, StreamId id, PendingEntry* p,
                                bool* found) {
  std::string sub = PendingPrefix(gid);
  AppendIdSub(&sub, id);
  Status s = GetAux(sub, &buf_, found);
  if (!s.ok() || !*found) return s;
  if (!DecodePending(buf_, p)) return Status::Corruption("bad pending entry");
  return Status::OK();
}

void StreamGroups::PutPending(uint64_t gid, StreamId id,
                              const PendingEntry& p) {
  std::string sub = PendingPrefix(gid);
  AppendIdSub(&sub, id);
  buf_.clear();
  PutBE64(&buf_, p.delivered_ms);
  PutVarint(&buf_, p.deliveries);
  buf_.append(p.consumer);
  c_->PutEntry(KeyKind::kStreamAux, sub, buf_);
  std::string idx = ConsumerPendingPrefix(gid, p.consumer);
  AppendIdSub(&idx, id);
  c_->PutEntry(KeyKind::kStreamAux, idx, "");
}

void StreamGroups::DeletePending(uint64_t gid, StreamId id,
                                 std::string_view consumer) {
  std::string sub = PendingPrefix(gid);
  AppendIdSub(&sub, id);
  c_->DeleteEntry(KeyKind::kStreamAux, sub);
  UnindexPending(gid, id, consumer);
}

void StreamGroups::UnindexPending(uint64_t gid, StreamId id,
                                  std::string_view consumer) {
  std::string idx = ConsumerPendingPrefix(gid, consumer);
  AppendIdSub(&idx, id);
  c_->DeleteEntry(KeyKind::kStreamAux, idx);
}

}  // namespace shale::server
