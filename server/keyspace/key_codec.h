// The engine keys of shale-server (docs/format/server_keys.md, the one
// place their grammar is written down; this file is the one codec):
//
//   server metadata  0x01 name
//   key metadata     0x02 ns:u32 key
//   elements         0x03 ns:u32 keylen:u32 key version:u64 sub
//   zset by score    0x04 ns:u32 keylen:u32 key version:u64 score:8 member
//   stream aux       0x05 ns:u32 keylen:u32 key version:u64 sub
//   (0x06-0x0F)      reserved collection entries, same prefix
//   expiry index     0x10 when:u64 ns:u32 key
//
// Integers are big-endian, so that keys sort by them. Encoders append to a
// caller's string (so hot paths reuse one buffer); parsers return false on
// a key that is not of the expected kind or too short for its fields.
#ifndef SHALE_SERVER_KEYSPACE_KEY_CODEC_H_
#define SHALE_SERVER_KEYSPACE_KEY_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace shale::server {

enum class KeyKind : uint8_t {
  kServerMeta = 0x01,
  kMeta = 0x02,
  kElement = 0x03,
  kZSetScore = 0x04,
  kStreamAux = 0x05,
  kLastCollection = 0x0F,  // kinds 0x03..0x0F share the collection prefix
  kExpiry = 0x10,
};

// Names of server metadata entries (kind 0x01).
inline constexpr std::string_view kFormatName = "format";
inline constexpr std::string_view kDatabasesName = "databases";
// The function libraries (scripting/function_store.h).
inline constexpr std::string_view kFunctionsName = "functions";
// The version of the grammar written by this code.
inline constexpr uint32_t kFormatVersion = 1;

std::string ServerMetaKey(std::string_view name);

// --- key metadata -----------------------------------------------------------

// 0x02 ns key.
void AppendMetaKey(std::string* out, uint32_t ns, std::string_view key);
// The 5-byte prefix of every metadata key of ns, and the first key after
// them (the exclusive upper bound of a scan of ns).
std::string MetaPrefix(uint32_t ns);
std::string MetaUpperBound(uint32_t ns);
bool ParseMetaKey(std::string_view ekey, uint32_t* ns, std::string_view* key);

// --- collection entries -----------------------------------------------------

// kind ns keylen key version: the prefix of every entry of one collection
// incarnation. REQUIRES: kind in [kElement, kLastCollection].
void AppendCollectionPrefix(std::string* out, KeyKind kind, uint32_t ns,
                            std::string_view key, uint64_t version);

struct CollectionKey {
  KeyKind kind;
  uint32_t ns;
  std::string_view key;
  uint64_t version;
  std::string_view sub;  // the rest: field, member, index, score+member ...
};
bool ParseCollectionKey(std::string_view ekey, CollectionKey* out);

// Sorted-set scores as 8 bytes whose unsigned order is numeric order.
// REQUIRES: score is not NaN. -0 encodes as +0.
void AppendOrderedScore(std::string* out, double score);
double DecodeOrderedScore(const char* p);

// --- expiry index -----------------------------------------------------------

void AppendExpiryKey(std::string* out, uint64_t when_ms, uint32_t ns,
                     std::string_view key);
bool ParseExpiryKey(std::string_view ekey, uint64_t* when_ms, uint32_t* ns,
                    std::string_view* key);

// The kind byte of an engine key (0 for an empty key).
inline uint8_t KindOf(std::string_view ekey) {
  return ekey.empty() ? 0 : static_cast<uint8_t>(ekey[0]);
}
inline bool IsCollectionKind(uint8_t kind) {
  return kind >= static_cast<uint8_t>(KeyKind::kElement) &&
         kind <= static_cast<uint8_t>(KeyKind::kLastCollection);
}

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_KEY_CODEC_H_
