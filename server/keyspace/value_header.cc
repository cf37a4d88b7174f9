#include "server/keyspace/value_header.h"

namespace shale::server {
namespace {

constexpr uint8_t kTagBase = 0xF8;
constexpr uint8_t kTagMask = 0xFC;
constexpr uint8_t kHasFlags = 0x01;
constexpr uint8_t kHasExpire = 0x02;

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint from the front of *in; false when it is truncated or longer
// than 10 bytes.
bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

}  // namespace

void EncodeValue(const ValueMeta& meta, std::string_view payload,
                 std::string* out) {
  uint8_t tag = kTagBase;
  if (meta.flags != 0) tag |= kHasFlags;
  if (meta.expire_at_ms != 0) tag |= kHasExpire;
  out->reserve(out->size() + 1 + 10 + 5 + 10 + payload.size());
  out->push_back(static_cast<char>(tag));
  PutVarint(meta.cas, out);
  if (tag & kHasFlags) PutVarint(meta.flags, out);
  if (tag & kHasExpire) PutVarint(meta.expire_at_ms, out);
  out->append(payload);
}

void DecodeValue(std::string_view stored, ValueMeta* meta,
                 std::string_view* payload) {
  *meta = ValueMeta();
  *payload = stored;
  if (stored.empty()) return;
  uint8_t tag = static_cast<uint8_t>(stored.front());
  if ((tag & kTagMask) != kTagBase) return;
  std::string_view in = stored.substr(1);
  ValueMeta m;
  uint64_t flags = 0;
  if (!GetVarint(&in, &m.cas) || m.cas == 0) return;
  if ((tag & kHasFlags) && (!GetVarint(&in, &flags) || flags > 0xFFFFFFFFu)) {
    return;
  }
  if ((tag & kHasExpire) && !GetVarint(&in, &m.expire_at_ms)) return;
  m.flags = static_cast<uint32_t>(flags);
  *meta = m;
  *payload = in;
}

}  // namespace shale::server
