// The bytes of one RDB value (Redis's RDB version 10, what Redis 7.0 writes
// in RDB files and DUMP payloads): docs/format/dump_payload.md is the
// grammar. In short:
//
//   payload := type:1 object version:u16le crc64:u64le   (DUMP / RESTORE)
//   len     := 00xxxxxx                     6-bit length
//            | 01xxxxxx yyyyyyyy            14-bit, big-endian
//            | 0x80 u32be | 0x81 u64be     32- and 64-bit
//            | 11xxxxxx                     "encoded" string (below)
//   string  := len bytes | 0xC0 i8 | 0xC1 i16le | 0xC2 i32le
//            | 0xC3 clen:len ulen:len lzf-bytes
//
// The object per type byte is in value_decoder.cc (every type Redis 7.0
// loads for strings, lists, sets, hashes and sorted sets),
// stream_decoder.cc (streams) and value_encoder.h, stream_encoder.h (the
// ones shale writes).
#ifndef SHALE_SERVER_RDB_RDB_FORMAT_H_
#define SHALE_SERVER_RDB_RDB_FORMAT_H_

#include <cstdint>

namespace shale::server::rdb {

// The RDB version shale writes and the newest it reads (Redis 7.0's).
inline constexpr uint16_t kRdbVersion = 10;

// Object type bytes (Redis's RDB_TYPE_*).
enum RdbType : uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZSet = 3,
  kTypeHash = 4,
  kTypeZSet2 = 5,
  kTypeModule = 6,
  kTypeModule2 = 7,
  kTypeHashZipmap = 9,
  kTypeListZiplist = 10,
  kTypeSetIntset = 11,
  kTypeZSetZiplist = 12,
  kTypeHashZiplist = 13,
  kTypeListQuicklist = 14,
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZSetListpack = 17,
  kTypeListQuicklist2 = 18,
  kTypeStreamListpacks2 = 19,
};

// The first byte of a length.
inline constexpr uint8_t kLen6 = 0;
inline constexpr uint8_t kLen14 = 1;
inline constexpr uint8_t kLen32 = 0x80;
inline constexpr uint8_t kLen64 = 0x81;
inline constexpr uint8_t kLenEncoded = 3;  // the top two bits: 11
// Encoded strings (the low 6 bits after 11).
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// QUICKLIST_2 node containers.
inline constexpr uint64_t kQuicklistPlain = 1;
inline constexpr uint64_t kQuicklistPacked = 2;

// Redis's largest string (proto-max-bulk-len's default, and the most an
// LZF string may declare): a bound on what a payload can make shale
// allocate for one string.
inline constexpr uint64_t kMaxStringBytes = 512ULL << 20;

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_RDB_FORMAT_H_
