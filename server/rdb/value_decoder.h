// The decoder of one RDB value: a DUMP payload's footer check and its
// object, of every encoding Redis 7.0 loads for strings, lists, sets,
// hashes, sorted sets and streams (docs/format/dump_payload.md; streams:
// stream_decoder.h). RESTORE uses it;
// so will a replica loading a master's RDB (issue 19).
//
// A payload comes from the network: every length is checked against the
// bytes left before anything is allocated, an LZF string's declared size
// against what its input can make (lzf.h), and compact blobs are validated
// whole (compact_readers.h). A value Redis would refuse (an empty
// collection, a duplicate member or field, a NaN score, a module's value,
// an unknown type) is refused too.
//
// Thread safety: pure functions.
#ifndef SHALE_SERVER_RDB_VALUE_DECODER_H_
#define SHALE_SERVER_RDB_VALUE_DECODER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/rdb/stream_decoder.h"

namespace shale::server::rdb {

// A decoded value, in the order its encoding holds it.
struct Value {
  enum class Kind { kString, kList, kSet, kHash, kZSet, kStream };
  Kind kind = Kind::kString;
  // kString: one item, the string. kList: the elements. kSet: the members.
  // kHash: field, value, field, value ... kZSet: the members.
  std::vector<std::string> items;
  std::vector<double> scores;  // kZSet: items[i]'s score
  StreamValue stream;          // kStream (items empty)
  // The type byte it was decoded from (kTypeHashListpack ...).
  uint8_t rdb_type = 0;
  uint64_t size() const {
    if (kind == Kind::kStream) return stream.entries.size();
    return kind == Kind::kHash ? items.size() / 2 : items.size();
  }
};

// Whether payload ends with a version Redis 7.0 reads (<= 10) and the
// CRC-64 of everything before the checksum (Redis's verifyDumpPayload).
bool VerifyPayload(std::string_view payload);

// Reads one RDB string (any encoding; integers as decimal text) at *pos of
// data, moving *pos past it. False if data holds no whole string there.
bool DecodeString(std::string_view data, size_t* pos, std::string* out);
// Reads one RDB length at *pos the same way.
bool DecodeLen(std::string_view data, size_t* pos, uint64_t* len);

// Decodes the object at the front of data (a payload: its type byte, its
// object; whatever follows the object is not read, as Redis's RESTORE
// ignores it). False if the bytes are not a value Redis 7.0 would load.
bool DecodeValue(std::string_view data, Value* out);

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_VALUE_DECODER_H_
