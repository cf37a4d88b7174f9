// The header every value written by shale-server carries in front of the
// payload the client sees. One keyspace serves three protocols, and each needs
// a little metadata next to the bytes: memcached's 32-bit client flags, a CAS
// token (memcached `gets`/`cas`, HTTP ETag/If-Match), and the expiry time so
// that TTL/PTTL can be answered (the engine's Get does not return it; the
// engine also holds it and hides expired entries on its own).
//
// Byte grammar (docs/protocols.md, "Value header"):
//
//   value   := tag cas [flags] [expire] payload
//   tag     := one byte, 0xF8 | (flags present ? 1 : 0) | (expire present ? 2 :
//   0) cas     := varint64 (non-zero) flags   := varint32, memcached client
//   flags, present only when non-zero expire  := varint64, Unix milliseconds,
//   present only when the key expires payload := the remaining bytes, exactly
//   as the client wrote them
//
// 0xF8..0xFB never start valid UTF-8, so a value written by another tool
// (e.g. `shale put`) without a header decodes as a bare payload when it is
// text. A plain Redis SET of a short value costs 1 + ~7 bytes of header.
#ifndef SHALE_SERVER_KEYSPACE_VALUE_HEADER_H_
#define SHALE_SERVER_KEYSPACE_VALUE_HEADER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace shale::server {

struct ValueMeta {
  uint64_t cas = 0;           // 0 for values without a header
  uint32_t flags = 0;         // memcached client flags
  uint64_t expire_at_ms = 0;  // 0: never expires
};

// Appends header(meta) + payload to *out.
void EncodeValue(const ValueMeta& meta, std::string_view payload,
                 std::string* out);

// Splits a stored value into its metadata and payload (a view into stored).
// A value without a valid header is a bare payload with zero metadata.
void DecodeValue(std::string_view stored, ValueMeta* meta,
                 std::string_view* payload);

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_VALUE_HEADER_H_
