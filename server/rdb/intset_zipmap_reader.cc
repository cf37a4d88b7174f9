// ReadIntset and ReadZipmap (compact_readers.h).
//   intset := encoding:u32le (2, 4 or 8) length:u32le int*   (ascending)
//   zipmap := zmlen:1 (key value)* 0xFF
//     key   := len data          len := <254 in one byte | 0xFE u32le
//     value := len free:1 data free-bytes
#include <charconv>

#include "server/rdb/compact_readers.h"
#include "server/rdb/le_bytes.h"

namespace shale::server::rdb {

bool ReadIntset(std::string_view is, const EntryFn& fn) {
  if (is.size() < 8) return false;
  const uint64_t enc = LoadLE(is.data(), 4);
  const uint64_t n = LoadLE(is.data() + 4, 4);
  if (enc != 2 && enc != 4 && enc != 8) return false;
  if (is.size() - 8 != n * enc) return false;
  char num[24];
  int64_t prev = 0;
  for (uint64_t i = 0; i < n; i++) {
    const int64_t v =
        LoadSignedLE(is.data() + 8 + i * enc, static_cast<int>(enc));
    if (i > 0 && v <= prev) return false;
    prev = v;
    auto r = std::to_chars(num, num + sizeof(num), v);
    fn(std::string_view(num, r.ptr - num));
  }
  return true;
}

namespace {

// A zipmap length at *pos; false past the end or on 0xFF (the end mark).
bool ZipmapLen(std::string_view zm, size_t* pos, uint64_t* len) {
  if (*pos >= zm.size()) return false;
  const auto b = static_cast<unsigned char>(zm[*pos]);
  if (b < 254) {
    *len = b;
    *pos += 1;
    return true;
  }
  if (b == 255 || zm.size() - *pos < 5) return false;
  *len = LoadLE(zm.data() + *pos + 1, 4);
  *pos += 5;
  return true;
}

}  // namespace

bool ReadZipmap(std::string_view zm, const EntryFn& fn) {
  if (zm.size() < 2) return false;
  const auto declared = static_cast<unsigned char>(zm[0]);
  size_t pos = 1;
  uint64_t pairs = 0;
  while (pos < zm.size() && static_cast<unsigned char>(zm[pos]) != 255) {
    uint64_t klen, vlen;
    if (!ZipmapLen(zm, &pos, &klen)) return false;
    if (klen > zm.size() - pos) return false;
    const std::string_view key = zm.substr(pos, klen);
    pos += klen;
    if (!ZipmapLen(zm, &pos, &vlen)) return false;
    if (pos >= zm.size()) return false;
    const auto free = static_cast<unsigned char>(zm[pos]);
    pos += 1;
    if (vlen + free > zm.size() - pos) return false;
    fn(key);
    fn(zm.substr(pos, vlen));
    pos += vlen + free;
    pairs++;
  }
  // The end mark must be the last byte.
  if (pos != zm.size() - 1) return false;
  return declared >= 254 || declared == pairs;
}

}  // namespace shale::server::rdb
