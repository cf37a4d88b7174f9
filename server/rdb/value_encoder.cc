#include "server/rdb/value_encoder.h"

#include <charconv>
#include <cstring>

#include "server/rdb/crc64.h"
#include "server/rdb/lzf.h"
#include "server/rdb/rdb_format.h"

namespace shale::server::rdb {
namespace {

void AppendLE(std::string* out, uint64_t v, int n) {
  for (int i = 0; i < n; i++) out->push_back(static_cast<char>(v >> (8 * i)));
}

// s as Redis's int encodings, if it is the canonical text of an integer
// that fits 32 bits (what rdbTryIntegerEncoding accepts).
bool AppendIntEncoded(std::string* out, std::string_view s) {
  if (s.empty() || s.size() > 11) return false;
  int64_t v;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return false;
  char back[24];
  auto w = std::to_chars(back, back + sizeof(back), v);
  if (std::string_view(back, w.ptr - back) != s) return false;
  const auto enc = [&](uint8_t kind, int n) {
    out->push_back(static_cast<char>((kLenEncoded << 6) | kind));
    AppendLE(out, static_cast<uint64_t>(v), n);
  };
  if (v >= INT8_MIN && v <= INT8_MAX) {
    enc(kEncInt8, 1);
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    enc(kEncInt16, 2);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    enc(kEncInt32, 4);
  } else {
    return false;
  }
  return true;
}

}  // namespace

void AppendType(std::string* out, uint8_t type) {
  out->push_back(static_cast<char>(type));
}

void AppendLen(std::string* out, uint64_t len) {
  if (len < (1 << 6)) {
    out->push_back(static_cast<char>(len));
  } else if (len < (1 << 14)) {
    out->push_back(static_cast<char>((kLen14 << 6) | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xFF));
  } else {
    const bool big = len > UINT32_MAX;
    out->push_back(static_cast<char>(big ? kLen64 : kLen32));
    for (int i = big ? 7 : 3; i >= 0; i--) {
      out->push_back(static_cast<char>(len >> (8 * i)));
    }
  }
}

void AppendString(std::string* out, std::string_view s, bool compress) {
  if (AppendIntEncoded(out, s)) return;
  if (compress && s.size() > 20) {
    thread_local std::string packed;
    if (LzfCompress(s, &packed)) {
      out->push_back(static_cast<char>((kLenEncoded << 6) | kEncLzf));
      AppendLen(out, packed.size());
      AppendLen(out, s.size());
      out->append(packed);
      return;
    }
  }
  AppendLen(out, s.size());
  out->append(s);
}

void AppendBinaryDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  AppendLE(out, bits, 8);
}

void AppendPayloadFooter(std::string* out) {
  AppendLE(out, kRdbVersion, 2);
  AppendLE(out, Crc64(0, *out), 8);
}

}  // namespace shale::server::rdb
