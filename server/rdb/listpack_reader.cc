// ReadListpack (compact_readers.h). A listpack:
//   total:u32le count:u16le entry* 0xFF
//   entry := encoding data backlen   (backlen: the size of encoding+data,
//                                     7 bits a byte, read from its end)
// count 65535 means "not kept"; otherwise it must match.
#include <charconv>

#include "server/rdb/compact_readers.h"
#include "server/rdb/le_bytes.h"

namespace shale::server::rdb {
namespace {

// The size of the backlen that stands for an entry of l bytes.
size_t BacklenSize(uint64_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

// Whether the backlen that ends just before end stands for l, read
// backwards as Redis's lpDecodeBacklen reads it (7 bits a byte while the
// high bit is set; a fifth byte with it set reads as no length): Redis's
// lpValidateNext check, which also passes a backlen whose last byte's high
// bit is set where the byte before it adds nothing.
bool BacklenMatches(const unsigned char* base, const unsigned char* end,
                    uint64_t l) {
  uint64_t v = 0;
  const unsigned char* p = end - 1;
  for (unsigned shift = 0; shift <= 28 && p >= base; shift += 7, p--) {
    v |= uint64_t{*p & 127u} << shift;
    if ((*p & 128) == 0) return v == l;
  }
  return false;
}

bool Read(std::string_view lp, const EntryFn& fn, bool counted) {
  if (lp.size() < 7) return false;
  const char* base = lp.data();
  if (LoadLE(base, 4) != lp.size()) return false;
  const uint64_t declared = LoadLE(base + 4, 2);
  if (static_cast<unsigned char>(lp.back()) != 0xFF) return false;
  const size_t end = lp.size() - 1;  // the EOF byte
  size_t pos = 6;
  uint64_t count = 0;
  char num[24];
  while (pos < end) {
    const auto* p = reinterpret_cast<const unsigned char*>(base + pos);
    const size_t left = end - pos;
    const unsigned char b = p[0];
    size_t header = 0;
    uint64_t strlen = 0;
    bool is_str = false;
    int64_t iv = 0;
    if (b < 0x80) {
      header = 1;
      iv = b;
    } else if ((b & 0xC0) == 0x80) {
      header = 1;
      strlen = b & 0x3F;
      is_str = true;
    } else if ((b & 0xE0) == 0xC0) {
      if (left < 2) return false;
      header = 2;
      uint64_t u = ((uint64_t{b} & 0x1F) << 8) | p[1];
      iv = u >= 4096 ? static_cast<int64_t>(u) - 8192 : static_cast<int64_t>(u);
    } else if ((b & 0xF0) == 0xE0) {
      if (left < 2) return false;
      header = 2;
      strlen = ((uint64_t{b} & 0x0F) << 8) | p[1];
      is_str = true;
    } else if (b == 0xF0) {
      if (left < 5) return false;
      header = 5;
      strlen = LoadLE(base + pos + 1, 4);
      is_str = true;
    } else if (b >= 0xF1 && b <= 0xF4) {
      static const int kBytes[] = {2, 3, 4, 8};
      const int n = kBytes[b - 0xF1];
      if (left < static_cast<size_t>(1 + n)) return false;
      header = 1 + n;
      iv = LoadSignedLE(base + pos + 1, n);
    } else {
      return false;  // 0xF5..0xFE are no encoding; 0xFF only at the end
    }
    if (is_str && strlen > left - header) return false;
    const uint64_t entry = header + (is_str ? strlen : 0);
    const size_t bl = BacklenSize(entry);
    if (bl > left - entry) return false;
    if (!BacklenMatches(reinterpret_cast<const unsigned char*>(base),
                        p + entry + bl, entry)) {
      return false;
    }
    if (is_str) {
      fn(std::string_view(base + pos + header, strlen));
    } else {
      auto r = std::to_chars(num, num + sizeof(num), iv);
      fn(std::string_view(num, r.ptr - num));
    }
    pos += entry + bl;
    count++;
  }
  if (pos != end) return false;
  return !counted || declared == 65535 || declared == count;
}

}  // namespace

bool ReadListpack(std::string_view lp, const EntryFn& fn) {
  return Read(lp, fn, true);
}

bool ReadListpackUncounted(std::string_view lp, const EntryFn& fn) {
  return Read(lp, fn, false);
}

}  // namespace shale::server::rdb
