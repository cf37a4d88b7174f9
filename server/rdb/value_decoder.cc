#include "server/rdb/value_decoder.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_set>

#include "server/rdb/compact_readers.h"
#include "server/rdb/crc64.h"
#include "server/rdb/le_bytes.h"
#include "server/rdb/lzf.h"
#include "server/rdb/rdb_format.h"

namespace shale::server::rdb {
namespace {

// Reads the RDB grammar from the front of a buffer; every read checks the
// bytes left first.
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

// A score kept as a listpack or ziplist entry's text (Redis's zzlStrtod:
// strtod of the entry, whatever follows the number).
bool EntryScore(std::string_view s, double* d) {
  std::string buf(s.substr(0, 127));
  *d = std::strtod(buf.c_str(), nullptr);
  return true;
}

using Kind = Value::Kind;

// n strings (n pairs when pairs, with a score per pair when zset).
bool ReadItems(Reader* r, Value* v, uint64_t n, int per_item, bool text_score,
               bool binary_score) {
  // Each string takes at least one byte: a count beyond the bytes left is
  // a lie, refused before anything grows.
  if (n == 0 || n > r->left()) return false;
  for (uint64_t i = 0; i < n; i++) {
    for (int k = 0; k < per_item; k++) {
      v->items.emplace_back();
      if (!r->String(&v->items.back())) return false;
    }
    if (text_score || binary_score) {
      double d;
      if (!(text_score ? r->TextDouble(&d) : r->BinaryDouble(&d))) {
        return false;
      }
      v->scores.push_back(d);
    }
  }
  return true;
}

// A compact blob read with reader into items (pairs: scores from every
// second entry when zset).
bool ReadBlob(Reader* r, Value* v,
              bool (*reader)(std::string_view, const EntryFn&), bool zset) {
  std::string blob;
  if (!r->String(&blob)) return false;
  bool member = true;
  const bool ok = reader(blob, [&](std::string_view e) {
    if (zset && !member) {
      double d;
      EntryScore(e, &d);
      v->scores.push_back(d);
    } else {
      v->items.emplace_back(e);
    }
    member = !member;
  });
  return ok;
}

// A quicklist's nodes (v2: each with its container; v1: ziplists).
bool ReadQuicklist(Reader* r, Value* v, bool v2) {
  uint64_t nodes;
  if (!r->PlainLen(&nodes)) return false;
  if (nodes == 0 || nodes > r->left()) return false;
  for (uint64_t i = 0; i < nodes; i++) {
    uint64_t container = kQuicklistPacked;
    if (v2 && !r->PlainLen(&container)) return false;
    if (container == kQuicklistPlain) {
      // A plain node holds one element, never an empty one (Redis 7.0
      // refuses it).
      v->items.emplace_back();
      if (!r->String(&v->items.back()) || v->items.back().empty()) {
        return false;
      }
    } else if (container == kQuicklistPacked) {
      // An empty node is skipped, as Redis does.
      if (!ReadBlob(r, v, v2 ? ReadListpack : ReadZiplist, false)) {
        return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

bool Unique(const Value& v, size_t step) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(v.items.size() / step);
  for (size_t i = 0; i < v.items.size(); i += step) {
    if (!seen.insert(v.items[i]).second) return false;
  }
  return true;
}

}  // namespace

bool VerifyPayload(std::string_view payload) {
  if (payload.size() < 10) return false;
  const char* footer = payload.data() + payload.size() - 10;
  if (LoadLE(footer, 2) > kRdbVersion) return false;
  const uint64_t crc = Crc64(0, payload.substr(0, payload.size() - 8));
  return crc == LoadLE(footer + 2, 8);
}

bool DecodeString(std::string_view data, size_t* pos, std::string* out) {
  if (*pos > data.size()) return false;
  Reader r(data.substr(*pos));
  if (!r.String(out)) return false;
  *pos += r.pos();
  return true;
}

bool DecodeLen(std::string_view data, size_t* pos, uint64_t* len) {
  if (*pos > data.size()) return false;
  Reader r(data.substr(*pos));
  if (!r.PlainLen(len)) return false;
  *pos += r.pos();
  return true;
}

bool DecodeValue(std::string_view data, Value* out) {
  Reader r(data);
  Value& v = *out;
  v = Value();
  uint8_t type;
  if (!r.Byte(&type)) return false;
  v.rdb_type = type;
  uint64_t n = 0;
  bool ok = false;
  switch (type) {
    case kTypeString:
      v.kind = Kind::kString;
      v.items.emplace_back();
      return r.String(&v.items.back());
    case kTypeList:
      v.kind = Kind::kList;
      ok = r.PlainLen(&n) && ReadItems(&r, &v, n, 1, false, false);
      break;
    case kTypeSet:
      v.kind = Kind::kSet;
      ok = r.PlainLen(&n) && ReadItems(&r, &v, n, 1, false, false);
      break;
    case kTypeZSet:
    case kTypeZSet2:
      v.kind = Kind::kZSet;
      ok = r.PlainLen(&n) &&
           ReadItems(&r, &v, n, 1, type == kTypeZSet, type == kTypeZSet2);
      break;
    case kTypeHash:
      v.kind = Kind::kHash;
      ok = r.PlainLen(&n) && ReadItems(&r, &v, n, 2, false, false);
      break;
    case kTypeHashZipmap:
      v.kind = Kind::kHash;
      ok = ReadBlob(&r, &v, ReadZipmap, false);
      break;
    case kTypeListZiplist:
      v.kind = Kind::kList;
      ok = ReadBlob(&r, &v, ReadZiplist, false);
      break;
    case kTypeSetIntset:
      v.kind = Kind::kSet;
      ok = ReadBlob(&r, &v, ReadIntset, false);
      break;
    case kTypeZSetZiplist:
    case kTypeZSetListpack:
      v.kind = Kind::kZSet;
      ok = ReadBlob(
          &r, &v, type == kTypeZSetZiplist ? ReadZiplist : ReadListpack, true);
      break;
    case kTypeHashZiplist:
    case kTypeHashListpack:
      v.kind = Kind::kHash;
      ok = ReadBlob(
          &r, &v, type == kTypeHashZiplist ? ReadZiplist : ReadListpack, false);
      break;
    case kTypeListQuicklist:
    case kTypeListQuicklist2:
      v.kind = Kind::kList;
      ok = ReadQuicklist(&r, &v, type == kTypeListQuicklist2);
      break;
    default:
      // Modules, streams (not yet in shale), unknown types: Redis 7.0's
      // RESTORE refuses what it cannot load with the same error.
      return false;
  }
  if (!ok || v.items.empty()) return false;
  switch (v.kind) {
    case Kind::kHash:
      return v.items.size() % 2 == 0 && Unique(v, 2);
    case Kind::kSet:
      return Unique(v, 1);
    case Kind::kZSet:
      if (v.scores.size() != v.items.size()) return false;
      for (double d : v.scores) {
        if (std::isnan(d)) return false;
      }
      return Unique(v, 1);
    default:
      return true;
  }
}

}  // namespace shale::server::rdb
