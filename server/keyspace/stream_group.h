// StreamGroups: a stream's consumer groups, consumers and pending entries,
// the kind 0x05 entries of its Collection (docs/format/server_keys.md
// §4.5):
//
//   0x01 group                       -> gid:u64 last:id entries_read:varint64
//                                       pel:varint64 consumers:varint64
//   0x02 gid:u64 consumer            -> seen:u64 pending:varint64
//   0x03 gid:u64 id                  -> delivered:u64 deliveries:varint64
//                                       consumer
//   0x04 gid:u64 clen:u32 consumer id -> empty
//
// Each record is read and written on its own, so acknowledging, claiming
// or delivering one entry writes a few small entries, never a record that
// grows with the group. A group's id comes from the version counter when
// it is created: the entries of a destroyed group are never read as a
// later group's of the same name.
//
// REQUIRES for writes: the Tx holds the key's lock; the stream exists
// (these writes create nothing); the caller keeps counts consistent
// (group pel/consumers, consumer pending) and calls Collection::Finish.
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_KEYSPACE_STREAM_GROUP_H_
#define SHALE_SERVER_KEYSPACE_STREAM_GROUP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/keyspace/stream.h"

namespace shale::server {

// Redis's SCG_INVALID_ENTRIES_READ.
inline constexpr int64_t kInvalidEntriesRead = -1;

struct StreamGroup {
  uint64_t gid = 0;
  StreamId last;                               // last delivered ID
  int64_t entries_read = kInvalidEntriesRead;  // -1: unknown
  uint64_t pel = 0;                            // pending entries
  uint64_t consumers = 0;
};

struct StreamConsumer {
  uint64_t seen_ms = 0;
  uint64_t pending = 0;
};

struct PendingEntry {
  uint64_t delivered_ms = 0;
  uint64_t deliveries = 0;
  std::string consumer;
};

// Redis 7.0's streamEstimateDistanceFromFirstEverEntry: the entries_read
// counter of an entry with ID id, from the stream's state and length alone,
// or kInvalidEntriesRead where it cannot be known.
int64_t EstimateEntriesRead(const StreamState& st, uint64_t length,
                            StreamId id);
// Redis's streamRangeHasTombstones(s, start, NULL): an XDEL'd entry may
// lie at or after start.
bool TombstonesFrom(const StreamState& st, uint64_t length, StreamId start);

class StreamGroups {
 public:
  // c: the stream's collection (found). Not owned.
  explicit StreamGroups(Collection* c) : c_(c) {}

  // Reads group name; *found false if there is none.
  Status GetGroup(std::string_view name, StreamGroup* g, bool* found);
  void PutGroup(std::string_view name, const StreamGroup& g);
  // Deletes the group and every consumer and pending entry of it.
  Status DeleteGroup(std::string_view name, const StreamGroup& g);

  Status GetConsumer(uint64_t gid, std::string_view name, StreamConsumer* c,
                     bool* found);
  void PutConsumer(uint64_t gid, std::string_view name,
                   const StreamConsumer& c);
  // Deletes the consumer and its pending entries (both indexes).
  Status DeleteConsumer(uint64_t gid, std::string_view name);

  Status GetPending(uint64_t gid, StreamId id, PendingEntry* p, bool* found);
  // Writes the pending entry and its owner's index entry (the caller
  // deletes the old owner's index entry when it changes: UnindexPending).
  void PutPending(uint64_t gid, StreamId id, const PendingEntry& p);
  // Deletes the pending entry owned by consumer, and its index entry.
  void DeletePending(uint64_t gid, StreamId id, std::string_view consumer);
  void UnindexPending(uint64_t gid, StreamId id, std::string_view consumer);

  // Iterators over the kind 0x05 entries; position them with the prefixes
  // below and stop when sub() leaves the prefix.
  std::unique_ptr<ElementIterator> NewIterator() {
    return c_->NewIterator(KeyKind::kStreamAux);
  }
  static std::string GroupsPrefix();                      // 0x01
  static std::string ConsumersPrefix(uint64_t gid);       // 0x02 gid
  static std::string PendingPrefix(uint64_t gid);         // 0x03 gid
  static std::string ConsumerPendingPrefix(uint64_t gid,  // 0x04 gid clen
                                           std::string_view consumer);

  // Value codecs (false if corrupt).
  static bool DecodeGroup(std::string_view v, StreamGroup* g);
  static bool DecodeConsumer(std::string_view v, StreamConsumer* c);
  static bool DecodePending(std::string_view v, PendingEntry* p);

 private:
  Status GetAux(const std::string& sub, std::string* value, bool* found);
  Status DeletePrefix(const std::string& prefix);

  Collection* const c_;
  std::string buf_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_STREAM_GROUP_H_
