// The value header of the legacy data directory (before
// docs/format/server_keys.md): what the migration (data_dir.h) reads, and
// what its tests write to build a legacy directory. Nothing else uses it.
//
//   value   := tag cas [flags] [expire] payload
//   tag     := 0xF8 | 0x01 if flags present | 0x02 if expire present
//   cas     := varint64 (non-zero)
//   flags   := varint32, memcached client flags, if non-zero
//   expire  := varint64, Unix milliseconds, if the key expires
//   payload := the remaining bytes
//
// A value without a valid header (written by another tool) is a bare
// payload with zero metadata.
#ifndef SHALE_SERVER_KEYSPACE_LEGACY_VALUE_H_
#define SHALE_SERVER_KEYSPACE_LEGACY_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace shale::server {

struct LegacyMeta {
  uint64_t cas = 0;           // 0 for values without a header
  uint32_t flags = 0;         // memcached client flags
  uint64_t expire_at_ms = 0;  // 0: never expires
};

// Appends header(meta) + payload to *out.
void EncodeLegacyValue(const LegacyMeta& meta, std::string_view payload,
                       std::string* out);

// Splits a stored legacy value into its metadata and payload (a view into
// stored).
void DecodeLegacyValue(std::string_view stored, LegacyMeta* meta,
                       std::string_view* payload);

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_LEGACY_VALUE_H_
