// The payload of FUNCTION DUMP and FUNCTION RESTORE, byte for byte Redis
// 7.0's (docs/format/dump_payload.md, "Functions"):
//
//   payload := library* version:u16le crc64:u64le
//   library := 0xF5 code:string
//            | 0xF6 name:string engine:string has_desc:len
//              [desc:string] code:string           (pre-GA, read only)
//
// one RDB_OPCODE_FUNCTION2 (245) and the library's whole code (its
// shebang line included) per library, then the footer of every DUMP
// payload (rdb_format.h). shale-server also stores its libraries in this
// form (docs/format/server_keys.md, §2, `functions`).
//
// Thread safety: pure functions.
#ifndef SHALE_SERVER_RDB_FUNCTION_PAYLOAD_H_
#define SHALE_SERVER_RDB_FUNCTION_PAYLOAD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shale::server::rdb {

// Redis's RDB opcodes for a function library: 7.0's, and the pre-GA
// format 7.0 refuses.
inline constexpr uint8_t kOpcodeFunction2 = 245;
inline constexpr uint8_t kOpcodeFunctionPreGa = 246;

// Appends one library (its opcode and code) to *out; compress: the
// rdbcompression setting. AppendPayloadFooter ends the payload.
void AppendFunction(std::string* out, std::string_view code, bool compress);

// The libraries' codes of a payload, as Redis's FUNCTION RESTORE reads
// them: the footer is checked first; then a library at a time while more
// than the footer's 10 bytes are left (a string may run into the footer,
// as Redis reads it). Redis 7.0's pre-GA form (0xF6 name engine
// [description] code) is read too, its code given a `#!<engine>
// name=<name>` line. False with *err set to Redis's text (without
// "ERR "); *codes then holds the libraries read before the failure: Redis
// makes each library as it reads it, so the caller makes those first and
// reports their error, if any, before *err. Every length is checked
// against the bytes left (value_decoder.h).
bool DecodeFunctions(std::string_view payload, std::vector<std::string>* codes,
                     std::string* err);

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_FUNCTION_PAYLOAD_H_
