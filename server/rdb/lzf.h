// LZF, the compression of RDB strings (Redis's "LZF-encoded" strings),
// through Debian's liblzf: the library Debian's redis-server itself links,
// so the bytes shale compresses are the bytes Redis 7.0 writes for the
// same string (DUMP payloads compare equal), and its decompressor checks
// every input and output bound (liblzf's CHECK_INPUT).
//
// Thread safety: pure functions.
#ifndef SHALE_SERVER_RDB_LZF_H_
#define SHALE_SERVER_RDB_LZF_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace shale::server::rdb {

// The most bytes one LZF input byte can stand for (a 3-byte back
// reference copies up to 264 bytes): a declared length beyond
// 88 * compressed size is a lie, refused before anything is allocated.
inline constexpr size_t kLzfMaxRatio = 88;

// Compresses in into *out (replacing it) if that saves more than 4 bytes,
// as Redis's rdbSaveLzfStringObject asks of it; false (out unspecified)
// when it does not or in is at most 4 bytes.
bool LzfCompress(std::string_view in, std::string* out);

// Decompresses in into *out, which must come out exactly ulen bytes long.
// False on any malformed input or another length.
// REQUIRES: ulen <= kLzfMaxRatio * in.size() (the caller's bound check).
bool LzfDecompress(std::string_view in, size_t ulen, std::string* out);

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_LZF_H_
