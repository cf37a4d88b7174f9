// Reader: the RDB grammar (rdb_format.h) read from the front of a buffer,
// every read checking the bytes left first. The value decoders share it
// (value_decoder.cc, stream_decoder.cc).
//
// Thread safety: none (one decode's).
#ifndef SHALE_SERVER_RDB_RDB_READER_H_
#define SHALE_SERVER_RDB_RDB_READER_H_

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "server/rdb/le_bytes.h"
#include "server/rdb/lzf.h"
#include "server/rdb/rdb_format.h"

namespace shale::server::rdb {

// The reader of one value's bytes (a payload from the network: no read
// goes past its end, no allocation is sized by a length it has not
// checked against the bytes left).
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  size_t left() const { return in_.size() - pos_; }
  size_t pos() const { return pos_; }

  bool Byte(uint8_t* b) {
    if (left() < 1) return false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }

  bool Bytes(uint64_t n, std::string_view* out) {
    if (n > left()) return false;
    *out = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }

  // A length; *encoded (when non-null) says it is an encoded string's
  // marker, whose kind is then in *len (its low 6 bits).
  bool Len(uint64_t* len, bool* encoded) {
    uint8_t b;
    if (!Byte(&b)) return false;
    if (encoded != nullptr) *encoded = false;
    switch (b >> 6) {
      case kLen6:
        *len = b & 0x3F;
        return true;
      case kLen14: {
        uint8_t b2;
        if (!Byte(&b2)) return false;
        *len = ((uint64_t{b} & 0x3F) << 8) | b2;
        return true;
      }
      case kLenEncoded:
        // Where a plain length is expected, Redis's rdbLoadLen reads an
        // encoded marker's low 6 bits as the length: so does shale.
        if (encoded != nullptr) *encoded = true;
        *len = b & 0x3F;
        return true;
      default: {
        int n = b == kLen32 ? 4 : b == kLen64 ? 8 : 0;
        if (n == 0 || left() < static_cast<size_t>(n)) return false;
        uint64_t v = 0;
        for (int i = 0; i < n; i++) {
          v = (v << 8) | static_cast<uint8_t>(in_[pos_ + i]);
        }
        pos_ += n;
        *len = v;
        return true;
      }
    }
  }

  bool PlainLen(uint64_t* len) { return Len(len, nullptr); }

  // A length where Redis's loader does not check rdbLoadLen's error (a
  // stream's length and IDs, a group's ID and entries read, a delivery
  // count): a first byte of no length encoding (10xxxxxx but 0x80, 0x81)
  // reads as UINT64_MAX, Redis's RDB_LENERR, and the reading goes on.
  bool LaxLen(uint64_t* len) {
    if (left() > 0) {
      const auto b = static_cast<uint8_t>(in_[pos_]);
      if ((b >> 6) == 2 && b != kLen32 && b != kLen64) {
        pos_++;
        *len = UINT64_MAX;
        return true;
      }
    }
    return PlainLen(len);
  }

  // A string in any of its encodings; integers come out as decimal text.
  bool String(std::string* out) {
    uint64_t len;
    bool encoded;
    if (!Len(&len, &encoded)) return false;
    if (!encoded) {
      std::string_view v;
      if (!Bytes(len, &v)) return false;
      out->assign(v);
      return true;
    }
    std::string_view raw;
    switch (len) {
      case kEncInt8:
      case kEncInt16:
      case kEncInt32: {
        const int n = 1 << len;
        if (!Bytes(n, &raw)) return false;
        *out = std::to_string(LoadSignedLE(raw.data(), n));
        return true;
      }
      case kEncLzf: {
        uint64_t clen, ulen;
        if (!PlainLen(&clen) || !PlainLen(&ulen)) return false;
        if (!Bytes(clen, &raw)) return false;
        if (ulen > kMaxStringBytes || ulen > kLzfMaxRatio * clen) return false;
        return LzfDecompress(raw, ulen, out);
      }
      default:
        return false;
    }
  }

  // A sorted set score as the old ZSET type writes it: a length byte, or
  // 253 NaN, 254 +inf, 255 -inf; then that many characters (read as
  // Redis's sscanf("%lg") reads them: text after the number is ignored).
  bool TextDouble(double* d) {
    uint8_t n;
    if (!Byte(&n)) return false;
    if (n == 253) {
      *d = NAN;
      return true;
    }
    if (n == 254 || n == 255) {
      *d = n == 254 ? INFINITY : -INFINITY;
      return true;
    }
    std::string_view v;
    if (!Bytes(n, &v)) return false;
    std::string buf(v);
    char* end = nullptr;
    *d = std::strtod(buf.c_str(), &end);
    return end != buf.c_str();
  }

  // 8 bytes, little-endian (a millisecond time).
  bool U64LE(uint64_t* v) {
    std::string_view b;
    if (!Bytes(8, &b)) return false;
    *v = LoadLE(b.data(), 8);
    return true;
  }

  bool BinaryDouble(double* d) {
    std::string_view v;
    if (!Bytes(8, &v)) return false;
    const uint64_t bits = LoadLE(v.data(), 8);
    std::memcpy(d, &bits, 8);
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_RDB_READER_H_
