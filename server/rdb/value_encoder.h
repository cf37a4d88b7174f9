// The writer of RDB values (Redis's RDB version 10), for DUMP and, later,
// the RDB a master sends a replica (issue 19). The caller streams a value
// out element by element: the type byte, the count, then each element's
// strings (and a sorted set's scores), then the DUMP footer.
//
// shale writes the plain encodings every Redis since 4.0 loads, whatever
// the collection's size: STRING, LIST (1), SET (2), HASH (4) and ZSET_2
// (5); Redis converts them to its compact encodings on load by its own
// thresholds. Strings are written as Redis's rdbSaveRawString writes them
// (an integer of at most 11 characters in the int encodings, one over 20
// bytes LZF-compressed when that saves space), so a string's payload is
// byte for byte Redis 7.0's. docs/format/dump_payload.md.
//
// Thread safety: pure functions.
#ifndef SHALE_SERVER_RDB_VALUE_ENCODER_H_
#define SHALE_SERVER_RDB_VALUE_ENCODER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace shale::server::rdb {

void AppendType(std::string* out, uint8_t type);
void AppendLen(std::string* out, uint64_t len);
// A string, in the encoding Redis 7.0 picks for it (compress: its
// rdbcompression setting, which allows LZF).
void AppendString(std::string* out, std::string_view s, bool compress = true);
// A score as ZSET_2 writes it: the IEEE 754 double, little-endian.
void AppendBinaryDouble(std::string* out, double d);
// The DUMP footer: RDB version 10 and the CRC-64 of everything in *out.
void AppendPayloadFooter(std::string* out);

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_VALUE_ENCODER_H_
