// The value of a key metadata entry (docs/format/server_keys.md, §3):
//
//   meta        := tag body
//   tag         := type | 0x10 if expire present | 0x20 if flags present
//                  | 0x40 if a collection's encoding is big
//   string body := cas:varint64 [flags:varint32] [expire:varint64] payload
//   coll body   := [expire:varint64] version:varint64 count:varint64
//                  typefields (list: head:u64; zset: [low:u64 high:u64];
//                  stream: last:id first:id max_deleted:id
//                  entries_added:varint64 groups:varint64, id = ms:u64 seq:u64)
//
// One entry per top-level key: its type, expiry and, for a string, the CAS
// token, memcached flags and the payload inline (so GET is one engine read
// and SET one blind write); for a collection, its version and count.
#ifndef SHALE_SERVER_KEYSPACE_META_CODEC_H_
#define SHALE_SERVER_KEYSPACE_META_CODEC_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace shale::server {

enum class KeyType : uint8_t {
  kString = 0,
  kHash = 1,
  kSet = 2,
  kZSet = 3,
  kList = 4,
  kStream = 5,
};

// A stream entry's ID (docs/format/server_keys.md §4.5): milliseconds and
// a sequence number, ordered by (ms, seq).
struct StreamId {
  uint64_t ms = 0, seq = 0;
  friend auto operator<=>(const StreamId&, const StreamId&) = default;
  bool zero() const { return ms == 0 && seq == 0; }
};

// A stream's typefields (format doc §3): what Redis keeps in its stream
// struct, so that no command scans entries to know it.
struct StreamState {
  StreamId last;         // the last ID generated (last-generated-id)
  StreamId first;        // the first live entry's ID; 0-0 when empty
  StreamId max_deleted;  // the greatest ID XDEL removed
  uint64_t entries_added = 0;
  uint64_t groups = 0;  // reserved, written 0 (groups are counted from
                        // their records: server_keys.md §3)
};

// TYPE's answer: "string", "hash", ...
const char* TypeName(KeyType t);

// A key's metadata, decoded. Fields that do not apply to its type are 0.
struct ValueMeta {
  KeyType type = KeyType::kString;
  uint64_t cas = 0;           // strings: the CAS token (non-zero)
  uint32_t flags = 0;         // strings: memcached client flags
  uint64_t expire_at_ms = 0;  // 0: never expires
  uint64_t version = 0;       // collections
  uint64_t count = 0;         // collections: number of elements
  uint64_t list_head = 0;     // lists: index of the first element
  // Sorted sets: bounds of the ordered scores (key_codec's
  // AppendOrderedScore, as a big-endian u64) of every live member, where
  // walks of the score index start (past the deleted entries below or
  // above them); both 0 when unknown (no ordered score is 0).
  uint64_t zset_low = 0, zset_high = 0;
  // Sorted sets: the members that go with those bounds (meta_codec.cc,
  // format doc §3): the low bound is the score-index entry (zset_low,
  // zset_low_member), a prefix of the first live member (empty: the whole
  // score); the high bound is (zset_high, zset_high_member) if
  // zset_high_has_member, else the whole score zset_high.
  std::string zset_low_member, zset_high_member;
  bool zset_high_has_member = false;
  // Collections: the key has left its compact encoding (Redis's listpack
  // or intset) for the big one (hashtable, skiplist) and, as in Redis,
  // never goes back (OBJECT ENCODING; tag bit 0x40 of the format doc §3).
  bool big = false;
  StreamState stream;  // streams
};

// The longest bound member a sorted set's metadata keeps: a longer first
// member is kept as its prefix, a longer last one as no member.
inline constexpr size_t kZSetBoundMemberMax = 64;

// The engine expiry of a metadata entry that expires at expire_at_ms: an
// hour later, saturating (the server's own check is authoritative; see the
// format doc, "Expiry, twice").
inline constexpr uint64_t kEngineExpiryGraceMs = 3600 * 1000;
inline uint64_t EngineExpiry(uint64_t expire_at_ms) {
  if (expire_at_ms == 0) return 0;
  return expire_at_ms > UINT64_MAX - kEngineExpiryGraceMs
             ? UINT64_MAX
             : expire_at_ms + kEngineExpiryGraceMs;
}

// Appends a string's metadata (meta.type must be kString) and payload.
void EncodeStringMeta(const ValueMeta& meta, std::string_view payload,
                      std::string* out);
// Appends a collection's metadata. REQUIRES: meta.type != kString.
void EncodeCollectionMeta(const ValueMeta& meta, std::string* out);

// Decodes a metadata value; *payload is the string's payload (a view into
// stored), empty for collections. False if stored is not a valid metadata
// value (corrupt).
bool DecodeMeta(std::string_view stored, ValueMeta* meta,
                std::string_view* payload);

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_META_CODEC_H_
