#include "server/keyspace/key_codec.h"

#include <bit>
#include <cstring>

#include "server/util/coding.h"

namespace shale::server {

std::string ServerMetaKey(std::string_view name) {
  std::string k(1, static_cast<char>(KeyKind::kServerMeta));
  k.append(name);
  return k;
}

void AppendMetaKey(std::string* out, uint32_t ns, std::string_view key) {
  out->push_back(static_cast<char>(KeyKind::kMeta));
  PutBE32(out, ns);
  out->append(key);
}

std::string MetaPrefix(uint32_t ns) {
  std::string k;
  AppendMetaKey(&k, ns, {});
  return k;
}

std::string MetaUpperBound(uint32_t ns) {
  if (ns == UINT32_MAX) {
    return std::string(1, static_cast<char>(KeyKind::kMeta) + 1);
  }
  return MetaPrefix(ns + 1);
}

bool ParseMetaKey(std::string_view ekey, uint32_t* ns, std::string_view* key) {
  if (KindOf(ekey) != static_cast<uint8_t>(KeyKind::kMeta)) return false;
  ekey.remove_prefix(1);
  if (!GetBE32(&ekey, ns)) return false;
  *key = ekey;
  return true;
}

void AppendCollectionPrefix(std::string* out, KeyKind kind, uint32_t ns,
                            std::string_view key, uint64_t version) {
  out->push_back(static_cast<char>(kind));
  PutBE32(out, ns);
  PutBE32(out, static_cast<uint32_t>(key.size()));
  out->append(key);
  PutBE64(out, version);
}

bool ParseCollectionKey(std::string_view ekey, CollectionKey* out) {
  uint8_t kind = KindOf(ekey);
  if (!IsCollectionKind(kind)) return false;
  ekey.remove_prefix(1);
  uint32_t keylen;
  if (!GetBE32(&ekey, &out->ns) || !GetBE32(&ekey, &keylen) ||
      ekey.size() < keylen) {
    return false;
  }
  out->kind = static_cast<KeyKind>(kind);
  out->key = ekey.substr(0, keylen);
  ekey.remove_prefix(keylen);
  if (!GetBE64(&ekey, &out->version)) return false;
  out->sub = ekey;
  return true;
}

void AppendOrderedScore(std::string* out, double score) {
  if (score == 0) score = 0;  // -0 -> +0
  uint64_t bits = std::bit_cast<uint64_t>(score);
  bits = (bits >> 63) ? ~bits : bits | (uint64_t{1} << 63);
  PutBE64(out, bits);
}

double DecodeOrderedScore(const char* p) {
  uint64_t bits = DecodeBE64(p);
  bits = (bits >> 63) ? bits & ~(uint64_t{1} << 63) : ~bits;
  return std::bit_cast<double>(bits);
}

void AppendExpiryKey(std::string* out, uint64_t when_ms, uint32_t ns,
                     std::string_view key) {
  out->push_back(static_cast<char>(KeyKind::kExpiry));
  PutBE64(out, when_ms);
  PutBE32(out, ns);
  out->append(key);
}

bool ParseExpiryKey(std::string_view ekey, uint64_t* when_ms, uint32_t* ns,
                    std::string_view* key) {
  if (KindOf(ekey) != static_cast<uint8_t>(KeyKind::kExpiry)) return false;
  ekey.remove_prefix(1);
  if (!GetBE64(&ekey, when_ms) || !GetBE32(&ekey, ns)) return false;
  *key = ekey;
  return true;
}

}  // namespace shale::server
