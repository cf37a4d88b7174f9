// CRC-64 as Redis computes it over RDB files and DUMP payloads: the Jones
// polynomial (0xad93d23594c935a9), reflected input and output, initial
// value 0, no final xor. Its check value ("123456789") is
// 0xe9c6d914c4b8d9ca. Table driven, one byte a step.
//
// Thread safety: pure functions (the table is built once, thread-safely).
#ifndef SHALE_SERVER_RDB_CRC64_H_
#define SHALE_SERVER_RDB_CRC64_H_

#include <cstdint>
#include <string_view>

namespace shale::server::rdb {

// Extends crc (0 to start) over data.
uint64_t Crc64(uint64_t crc, std::string_view data);

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_CRC64_H_
