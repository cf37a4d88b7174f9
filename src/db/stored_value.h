// StoredValue: the value part of an entry, as memtables and tables store it.
//
//   stored   := expiry? payload
//   expiry   := fixed64(expire_at_ms)       only for the *WithExpiry types
//   payload  := the user value              kTypeValue, kTypeValueWithExpiry
//             | a value pointer             kTypeBlobIndex[WithExpiry]
//                                           (vlog/vlog_format.h)
//   (a kTypeDeletion stores nothing)
//
// docs/format/internal_key.md describes the same bytes. Every reader and
// writer of the layout goes through this type; none counts offsets itself.
#ifndef SHALE_DB_STORED_VALUE_H_
#define SHALE_DB_STORED_VALUE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "db/dbformat.h"
#include "util/coding.h"
#include "vlog/vlog_format.h"

namespace shale {

struct StoredValue {
  static constexpr size_t kExpirySize = 8;

  bool has_expiry = false;
  uint64_t expire_at_ms = 0;  // meaningful when has_expiry; 0 means never
  std::string_view payload;   // the user value or the encoded pointer

  // Splits stored as an entry of `type` lays it out. False when it is too
  // short for its expiry (corruption).
  [[nodiscard]] bool Parse(ValueType type, std::string_view stored) {
    has_expiry = HasExpiry(type);
    if (!has_expiry) {
      expire_at_ms = 0;
      payload = stored;
      return true;
    }
    if (stored.size() < kExpirySize) return false;
    expire_at_ms = DecodeFixed64(stored.data());
    payload = stored.substr(kExpirySize);
    return true;
  }

  bool Expired(uint64_t now_ms) const {
    return has_expiry && IsExpired(expire_at_ms, now_ms);
  }

  // Decodes the payload of a blob index. False if it is not one pointer.
  [[nodiscard]] bool DecodePointer(ValuePointer* ptr) const {
    return ptr->DecodeFrom(payload);
  }

  size_t EncodedSize() const {
    return (has_expiry ? kExpirySize : 0) + payload.size();
  }
  // Writes EncodedSize() bytes at dst; returns the end.
  char* EncodeTo(char* dst) const {
    if (has_expiry) {
      EncodeFixed64(dst, expire_at_ms);
      dst += kExpirySize;
    }
    // An empty payload's data() may be null, which memcpy must not get.
    if (!payload.empty()) std::memcpy(dst, payload.data(), payload.size());
    return dst + payload.size();
  }
  void AppendTo(std::string* dst) const {
    if (has_expiry) PutFixed64(dst, expire_at_ms);
    dst->append(payload.data(), payload.size());
  }
  // The same expiry around another payload (an encoded pointer, a new
  // value), appended to *dst.
  void AppendWithPayload(std::string_view other, std::string* dst) const {
    StoredValue v = *this;
    v.payload = other;
    v.AppendTo(dst);
  }
};

// The type of an entry holding a value (inline or in a vlog), with or
// without an expiry.
inline ValueType ValueTypeFor(bool blob, bool has_expiry) {
  if (blob) return has_expiry ? kTypeBlobIndexWithExpiry : kTypeBlobIndex;
  return has_expiry ? kTypeValueWithExpiry : kTypeValue;
}

}  // namespace shale

#endif  // SHALE_DB_STORED_VALUE_H_
