#include "server/keyspace/meta_codec.h"

#include "server/util/coding.h"

namespace shale::server {
namespace {

constexpr uint8_t kTypeMask = 0x0F;
constexpr uint8_t kHasExpire = 0x10;
constexpr uint8_t kHasFlags = 0x20;
constexpr uint8_t kBigEncoding = 0x40;  // collections only
constexpr uint8_t kKnownBits =
    kTypeMask | kHasExpire | kHasFlags | kBigEncoding;

}  // namespace

const char* TypeName(KeyType t) {
  switch (t) {
    case KeyType::kString:
      return "string";
    case KeyType::kHash:
      return "hash";
    case KeyType::kSet:
      return "set";
    case KeyType::kZSet:
      return "zset";
    case KeyType::kList:
      return "list";
    case KeyType::kStream:
      return "stream";
  }
  return "none";
}

void EncodeStringMeta(const ValueMeta& meta, std::string_view payload,
                      std::string* out) {
  uint8_t tag = static_cast<uint8_t>(KeyType::kString);
  if (meta.flags != 0) tag |= kHasFlags;
  if (meta.expire_at_ms != 0) tag |= kHasExpire;
  out->push_back(static_cast<char>(tag));
  PutVarint(out, meta.cas);
  if (tag & kHasFlags) PutVarint(out, meta.flags);
  if (tag & kHasExpire) PutVarint(out, meta.expire_at_ms);
  out->append(payload);
}

void EncodeCollectionMeta(const ValueMeta& meta, std::string* out) {
  uint8_t tag = static_cast<uint8_t>(meta.type);
  if (meta.expire_at_ms != 0) tag |= kHasExpire;
  if (meta.big) tag |= kBigEncoding;
  out->push_back(static_cast<char>(tag));
  if (tag & kHasExpire) PutVarint(out, meta.expire_at_ms);
  PutVarint(out, meta.version);
  PutVarint(out, meta.count);
  if (meta.type == KeyType::kList) PutBE64(out, meta.list_head);
  if (meta.type == KeyType::kZSet && meta.zset_low != 0) {
    PutBE64(out, meta.zset_low);
    PutBE64(out, meta.zset_high);
    if (!meta.zset_low_member.empty() || meta.zset_high_has_member) {
      PutVarint(out, meta.zset_low_member.size());
      out->append(meta.zset_low_member);
      // 0: no high member (the whole score), else its length + 1.
      PutVarint(out, meta.zset_high_has_member
                         ? meta.zset_high_member.size() + 1
                         : 0);
      out->append(meta.zset_high_member);
    }
  }
  if (meta.type == KeyType::kStream) {
    const StreamState& st = meta.stream;
    for (const StreamId& id : {st.last, st.first, st.max_deleted}) {
      PutBE64(out, id.ms);
      PutBE64(out, id.seq);
    }
    PutVarint(out, st.entries_added);
    PutVarint(out, st.groups);
  }
}

bool DecodeMeta(std::string_view stored, ValueMeta* meta,
                std::string_view* payload) {
  *meta = ValueMeta();
  *payload = {};
  if (stored.empty()) return false;
  uint8_t tag = static_cast<uint8_t>(stored.front());
  stored.remove_prefix(1);
  if ((tag & ~kKnownBits) != 0) return false;
  uint8_t type = tag & kTypeMask;
  if (type > static_cast<uint8_t>(KeyType::kStream)) return false;
  meta->type = static_cast<KeyType>(type);
  if (meta->type == KeyType::kString) {
    if (tag & kBigEncoding) return false;
    uint64_t flags = 0;
    if (!GetVarint(&stored, &meta->cas) || meta->cas == 0) return false;
    if ((tag & kHasFlags) &&
        (!GetVarint(&stored, &flags) || flags == 0 || flags > 0xFFFFFFFFu)) {
      return false;
    }
    meta->flags = static_cast<uint32_t>(flags);
    if ((tag & kHasExpire) &&
        (!GetVarint(&stored, &meta->expire_at_ms) || meta->expire_at_ms == 0)) {
      return false;
    }
    *payload = stored;
    return true;
  }
  if (tag & kHasFlags) return false;
  meta->big = (tag & kBigEncoding) != 0;
  if ((tag & kHasExpire) &&
      (!GetVarint(&stored, &meta->expire_at_ms) || meta->expire_at_ms == 0)) {
    return false;
  }
  if (!GetVarint(&stored, &meta->version) ||
      !GetVarint(&stored, &meta->count)) {
    return false;
  }
  if (meta->type == KeyType::kList && !GetBE64(&stored, &meta->list_head)) {
    return false;
  }
  // A sorted set's score bounds, if known.
  if (meta->type == KeyType::kZSet && !stored.empty() &&
      (!GetBE64(&stored, &meta->zset_low) ||
       !GetBE64(&stored, &meta->zset_high) || meta->zset_low == 0 ||
       meta->zset_low > meta->zset_high)) {
    return false;
  }
  // ... and the members that go with them, if written.
  if (meta->type == KeyType::kZSet && !stored.empty()) {
    uint64_t low_len = 0, high_len = 0;
    if (!GetVarint(&stored, &low_len) || low_len > kZSetBoundMemberMax ||
        low_len > stored.size()) {
      return false;
    }
    meta->zset_low_member.assign(stored.substr(0, low_len));
    stored.remove_prefix(low_len);
    if (!GetVarint(&stored, &high_len) || high_len > kZSetBoundMemberMax + 1 ||
        high_len > stored.size() + 1) {
      return false;
    }
    meta->zset_high_has_member = high_len != 0;
    if (high_len != 0) {
      meta->zset_high_member.assign(stored.substr(0, high_len - 1));
      stored.remove_prefix(high_len - 1);
    }
    // One score: the low entry may not sort above the high one.
    if (meta->zset_low == meta->zset_high && meta->zset_high_has_member &&
        meta->zset_low_member > meta->zset_high_member) {
      return false;
    }
  }
  if (meta->type == KeyType::kStream) {
    StreamState& st = meta->stream;
    for (StreamId* id : {&st.last, &st.first, &st.max_deleted}) {
      if (!GetBE64(&stored, &id->ms) || !GetBE64(&stored, &id->seq)) {
        return false;
      }
    }
    if (!GetVarint(&stored, &st.entries_added) ||
        !GetVarint(&stored, &st.groups)) {
      return false;
    }
  }
  return stored.empty();
}

}  // namespace shale::server
