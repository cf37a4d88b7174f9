#include "server/keyspace/legacy_value.h"

#include "server/util/coding.h"

namespace shale::server {
namespace {

constexpr uint8_t kTagBase = 0xF8;
constexpr uint8_t kTagMask = 0xFC;
constexpr uint8_t kHasFlags = 0x01;
constexpr uint8_t kHasExpire = 0x02;

}  // namespace

void EncodeLegacyValue(const LegacyMeta& meta, std::string_view payload,
                       std::string* out) {
  uint8_t tag = kTagBase;
  if (meta.flags != 0) tag |= kHasFlags;
  if (meta.expire_at_ms != 0) tag |= kHasExpire;
  out->push_back(static_cast<char>(tag));
  PutVarint(out, meta.cas);
  if (tag & kHasFlags) PutVarint(out, meta.flags);
  if (tag & kHasExpire) PutVarint(out, meta.expire_at_ms);
  out->append(payload);
}

void DecodeLegacyValue(std::string_view stored, LegacyMeta* meta,
                       std::string_view* payload) {
  *meta = LegacyMeta();
  *payload = stored;
  if (stored.empty()) return;
  uint8_t tag = static_cast<uint8_t>(stored.front());
  if ((tag & kTagMask) != kTagBase) return;
  std::string_view in = stored.substr(1);
  LegacyMeta m;
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
