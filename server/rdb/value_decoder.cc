#include "server/rdb/value_decoder.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_set>

#include "server/rdb/compact_readers.h"
#include "server/rdb/crc64.h"
#include "server/rdb/le_bytes.h"
#include "server/rdb/rdb_format.h"
#include "server/rdb/rdb_reader.h"
#include "server/rdb/stream_decoder.h"

namespace shale::server::rdb {
namespace {

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
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
      // An empty stream is a stream.
      v.kind = Kind::kStream;
      return DecodeStream(&r, type, &v.stream);
    default:
      // Modules, unknown types: Redis 7.0's RESTORE refuses what it
      // cannot load with the same error.
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
