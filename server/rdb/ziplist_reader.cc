// ReadZiplist (compact_readers.h). A ziplist (Redis before 7.0):
//   bytes:u32le tail:u32le count:u16le entry* 0xFF
//   entry := prevlen encoding data
//   prevlen := <254 in one byte | 0xFE u32le   (the previous entry's size)
// tail is the offset of the last entry (of the end byte if empty); count
// 65535 means "not kept".
#include <charconv>

#include "server/rdb/compact_readers.h"
#include "server/rdb/le_bytes.h"

namespace shale::server::rdb {

bool ReadZiplist(std::string_view zl, const EntryFn& fn) {
  if (zl.size() < 11) return false;
  const char* base = zl.data();
  if (LoadLE(base, 4) != zl.size()) return false;
  const uint64_t tail = LoadLE(base + 4, 4);
  const uint64_t declared = LoadLE(base + 8, 2);
  if (static_cast<unsigned char>(zl.back()) != 0xFF) return false;
  const size_t end = zl.size() - 1;
  size_t pos = 10;
  size_t last = pos;  // the last entry's offset (the end byte's if none)
  uint64_t prev_size = 0;
  uint64_t count = 0;
  char num[24];
  while (pos < end) {
    const auto* p = reinterpret_cast<const unsigned char*>(base + pos);
    const size_t left = end - pos;
    size_t h = 0;  // prevlen and encoding bytes
    uint64_t prevlen;
    if (p[0] < 254) {
      prevlen = p[0];
      h = 1;
    } else if (p[0] == 254) {
      if (left < 5) return false;
      prevlen = LoadLE(base + pos + 1, 4);
      h = 5;
    } else {
      return false;
    }
    if (prevlen != prev_size) return false;
    if (left < h + 1) return false;
    const unsigned char b = p[h];
    uint64_t strlen = 0;
    bool is_str = true;
    int ibytes = 0;
    int64_t iv = 0;
    switch (b >> 6) {
      case 0:
        strlen = b & 0x3F;
        h += 1;
        break;
      case 1:
        if (left < h + 2) return false;
        strlen = ((uint64_t{b} & 0x3F) << 8) | p[h + 1];
        h += 2;
        break;
      case 2:
        if (left < h + 5) return false;
        strlen = (uint64_t{p[h + 1]} << 24) | (uint64_t{p[h + 2]} << 16) |
                 (uint64_t{p[h + 3]} << 8) | p[h + 4];
        h += 5;
        break;
      default:
        is_str = false;
        if (b == 0xC0) {
          ibytes = 2;
        } else if (b == 0xD0) {
          ibytes = 4;
        } else if (b == 0xE0) {
          ibytes = 8;
        } else if (b == 0xF0) {
          ibytes = 3;
        } else if (b == 0xFE) {
          ibytes = 1;
        } else if (b >= 0xF1 && b <= 0xFD) {
          iv = (b & 0x0F) - 1;
        } else {
          return false;
        }
        h += 1;
        if (left < h + ibytes) return false;
        if (ibytes > 0) iv = LoadSignedLE(base + pos + h, ibytes);
    }
    const uint64_t data = is_str ? strlen : static_cast<uint64_t>(ibytes);
    if (data > left - h) return false;
    if (is_str) {
      fn(std::string_view(base + pos + h, strlen));
    } else {
      auto r = std::to_chars(num, num + sizeof(num), iv);
      fn(std::string_view(num, r.ptr - num));
    }
    last = pos;
    prev_size = h + data;
    pos += prev_size;
    count++;
  }
  if (pos != end) return false;
  if (tail != (count == 0 ? end : last)) return false;
  return declared == 65535 || declared == count;
}

}  // namespace shale::server::rdb
