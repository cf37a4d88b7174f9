// Keyspace: the one set of keys that every front end (RESP, memcached, HTTP)
// reads and writes, over a shale::DB.
//
// Values are stored as value_header.h describes; a reader gets the payload and
// its metadata back. Expiry is kept twice on purpose: in the engine entry
// (so expired keys vanish from reads and scans without help) and in the
// header (so TTL can be answered); both are always written together.
//
// Atomicity: every write, and every read-modify-write, holds the key's stripe
// lock (KeyLock) from its read to its write, so concurrent INCRs or cas loops
// through any protocol serialize per key. Plain reads take no lock.
//
// Thread safety: all members may be called from any thread.
#ifndef SHALE_SERVER_KEYSPACE_KEYSPACE_H_
#define SHALE_SERVER_KEYSPACE_KEYSPACE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/keyspace/value_header.h"
#include "server/stat_counter.h"
#include "shale/db.h"

namespace shale::server {

// When acknowledged writes reach the disk (Redis's appendfsync).
enum class FsyncPolicy { kAlways, kEverySec, kNo };

// A value read from the keyspace: its stored bytes, metadata and payload.
class Entry {
 public:
  Entry() = default;
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  const ValueMeta& meta() const { return meta_; }
  std::string_view payload() const {
    return std::string_view(stored_).substr(offset_);
  }
  // Frees the buffer if it is large: an Entry reused for many reads keeps
  // its capacity, which is the point, but not that of one huge value.
  void Trim(size_t keep = 64u << 10) {
    if (stored_.capacity() > keep) std::string().swap(stored_);
  }
  // Moves the payload out (the entry is empty afterwards).
  std::string TakePayload() {
    stored_.erase(0, offset_);
    offset_ = 0;
    return std::move(stored_);
  }

 private:
  friend class Keyspace;
  std::string stored_;
  size_t offset_ = 0;
  ValueMeta meta_;
};

class Keyspace {
 public:
  static constexpr size_t kLockStripes = 1024;

  Keyspace(DB* db, FsyncPolicy fsync);
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  // Holds the stripe locks of one or more keys (taken in stripe order, so
  // two multi-key locks never deadlock).
  class KeyLock {
   public:
    KeyLock(Keyspace* ks, std::string_view key);
    KeyLock(Keyspace* ks, const std::vector<std::string_view>& keys);
    // Every stripe: the whole keyspace (FLUSHDB, RENAME of many keys...).
    struct All {};
    KeyLock(Keyspace* ks, All);
    ~KeyLock();
    KeyLock(const KeyLock&) = delete;
    KeyLock& operator=(const KeyLock&) = delete;

   private:
    Keyspace* ks_;
    std::vector<uint16_t> stripes_;
  };

  // Reads key. NotFound if it is absent or expired.
  Status Get(std::string_view key, Entry* entry);
  // Get for each of keys, through one engine MultiGet (one view of the
  // DB; the lookups' cache misses overlap): statuses[i] is Get's status
  // for keys[i] and, when OK, entries[i] its entry.
  // REQUIRES: entries.size() == statuses.size() == keys.size().
  void MultiGet(std::span<const std::string_view> keys,
                std::span<Entry> entries, std::span<Status> statuses);
  // True if key exists (a Get that discards the value).
  bool Exists(std::string_view key);

  // Stores payload under key with the given flags and expiry (0: none),
  // assigning a fresh CAS token (returned in *cas if non-null). An expiry at
  // or before now deletes the key instead.
  // REQUIRES: the caller holds key's KeyLock.
  Status Put(std::string_view key, std::string_view payload, uint32_t flags,
             uint64_t expire_at_ms, uint64_t* cas = nullptr);
  // REQUIRES: the caller holds key's KeyLock.
  Status Delete(std::string_view key);

  // A batch of encoded updates applied atomically (see AddPut).
  void AddPut(WriteBatch* batch, std::string_view key, std::string_view payload,
              uint32_t flags, uint64_t expire_at_ms, uint64_t* cas = nullptr);
  // REQUIRES: the caller holds the KeyLocks of every key in the batch.
  Status Write(WriteBatch* batch);

  // An iterator over raw entries; decode values with DecodeValue.
  std::unique_ptr<Iterator> NewIterator(
      const std::string_view* upper_bound = nullptr);

  // Deletes every key, in batches of 1000, holding every stripe lock: no
  // write of any front end interleaves, so to clients it is atomic; a crash
  // in the middle can leave part of the keys. O(keys).
  Status DeleteAll();
  // Counts live keys (and those with an expiry, if expires is non-null) by
  // walking an iterator: O(keys).
  Status CountKeys(uint64_t* keys, uint64_t* expires);

  // Makes every acknowledged write durable (fsync of the WAL).
  Status Sync() { return db_->SyncWAL(); }

  DB* db() { return db_; }
  FsyncPolicy fsync() const { return fsync_; }

  // Wall-clock milliseconds since the Unix epoch (the engine's clock).
  static uint64_t NowMs();

  // Counters for INFO / stats (relaxed; approximate under concurrency).
  StatCounter hits;
  StatCounter misses;
  StatCounter writes;

 private:
  // Get's answer from the engine's status s of a read into entry->stored_:
  // the entry decoded, or NotFound for a value expired by our clock;
  // counts the hit or miss.
  Status FinishRead(Status s, Entry* entry);
  uint64_t NextCas() { return cas_.fetch_add(1, std::memory_order_relaxed); }
  WriteOptions write_options() const;
  static size_t StripeOf(std::string_view key);
  // An empty string of this thread's, to encode a value into.
  static std::string& EncodeScratch();

  DB* const db_;
  const FsyncPolicy fsync_;
  // CAS tokens start at the wall clock in microseconds, so that tokens stay
  // increasing across restarts (as long as the clock does not go back).
  std::atomic<uint64_t> cas_;
  std::array<std::mutex, kLockStripes> stripes_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_KEYSPACE_H_
