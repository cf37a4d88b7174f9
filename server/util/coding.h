// Byte coding helpers of the server's stored formats
// (docs/format/server_keys.md): big-endian fixed-width integers, which sort
// as numbers inside engine keys, and LEB128 varints for values.
#ifndef SHALE_SERVER_UTIL_CODING_H_
#define SHALE_SERVER_UTIL_CODING_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace shale::server {

inline void PutBE32(std::string* out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
               static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 4);
}

inline void PutBE64(std::string* out, uint64_t v) {
  PutBE32(out, static_cast<uint32_t>(v >> 32));
  PutBE32(out, static_cast<uint32_t>(v));
}

// REQUIRES: p points at 4 (8) readable bytes.
inline uint32_t DecodeBE32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) |
         (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}
inline uint64_t DecodeBE64(const char* p) {
  return (uint64_t{DecodeBE32(p)} << 32) | DecodeBE32(p + 4);
}

// Reads a big-endian integer from the front of *in; false if too short.
inline bool GetBE32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = DecodeBE32(in->data());
  in->remove_prefix(4);
  return true;
}
inline bool GetBE64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = DecodeBE64(in->data());
  in->remove_prefix(8);
  return true;
}

inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint from the front of *in; false when it is truncated or
// longer than 10 bytes.
inline bool GetVarint(std::string_view* in, uint64_t* v) {
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

}  // namespace shale::server

#endif  // SHALE_SERVER_UTIL_CODING_H_
