// Keyspace: the databases that every front end (RESP, memcached, HTTP)
// reads and writes, over one shale::DB, in the encoding of
// docs/format/server_keys.md (key_codec.h, meta_codec.h).
//
// A top-level key is one metadata entry (kind 0x02) of its database's
// namespace (db_table.h); a string's payload is inline in it. Every reader
// here honours the key's expiry itself (the metadata's `expire`), so an
// expired key is absent to every client; the engine drops the entry an
// hour later on its own (EngineExpiry).
//
// Handlers use KeyspaceDb, a view bound to one database with the calls of
// the single-keyspace API before databases existed (Get/Put/Delete/...).
//
// Atomicity: every write, and every read-modify-write, holds the key's
// stripe lock (KeyLock) from its read to its write, so concurrent INCRs or
// cas loops through any protocol serialize per key. Plain reads take no
// lock. A database's namespace id is read after the locks are taken (every
// call below reads it when it runs), so a write never lands in a namespace
// that FLUSHDB (which holds every stripe) has just retired.
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

#include "server/keyspace/commit_hook.h"
#include "server/keyspace/db_table.h"
#include "server/keyspace/meta_codec.h"
#include "server/stat_counter.h"
#include "shale/db.h"

namespace shale::server {

// When acknowledged writes reach the disk (Redis's appendfsync).
enum class FsyncPolicy { kAlways, kEverySec, kNo };

// A key read from the keyspace: its stored bytes, metadata and payload.
class Entry {
 public:
  Entry() = default;
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  const ValueMeta& meta() const { return meta_; }
  // A string's value (empty for collections).
  std::string_view payload() const {
    return std::string_view(stored_).substr(offset_);
  }
  // Frees the buffer if it is large: an Entry reused for many reads keeps
  // its capacity, which is the point, but not that of one huge value.
  void Trim(size_t keep = 64u << 10) {
    if (stored_.capacity() > keep) std::string().swap(stored_);
  }
  // True if the last read found the key's metadata but its expiry had
  // passed (the read answered NotFound; meta() is the expired key's).
  bool expired() const { return expired_; }
  // A read that finds nothing leaves the entry empty (an expired value's
  // bytes must not show through payload(); an expired key keeps its meta()).
  // Both keep the capacity.
  void ClearPayload() {
    stored_.clear();
    offset_ = 0;
  }
  void Clear() {
    ClearPayload();
    meta_ = ValueMeta();
  }
  // Moves the payload out (the entry is empty afterwards).
  std::string TakePayload() {
    stored_.erase(0, offset_);
    offset_ = 0;
    return std::move(stored_);
  }

 private:
  friend class Keyspace;
  friend class Tx;
  std::string stored_;
  size_t offset_ = 0;
  bool expired_ = false;
  ValueMeta meta_;
};

class KeyIterator;
class KeyspaceDb;

class Keyspace {
 public:
  static constexpr size_t kLockStripes = 1024;

  // Loads (or creates) the database table of db with `databases` entries
  // served; see DbTable::Load.
  static Status Open(DB* db, FsyncPolicy fsync, int databases,
                     std::unique_ptr<Keyspace>* ks);
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  // Holds the stripe locks of one or more keys of a database (taken in
  // stripe order, so two multi-key locks never deadlock).
  class KeyLock {
   public:
    KeyLock(Keyspace* ks, int db, std::string_view key);
    KeyLock(Keyspace* ks, int db, std::span<const std::string_view> keys);
    // Keys of several databases (MOVE, an EXEC after SELECT ...).
    struct DbKey {
      int db;
      std::string_view key;
    };
    KeyLock(Keyspace* ks, std::span<const DbKey> keys);
    // The same, in the database a view is bound to.
    KeyLock(KeyspaceDb* db, std::string_view key);
    KeyLock(KeyspaceDb* db, std::span<const std::string_view> keys);
    // Every stripe: every database (FLUSHDB, SWAPDB ...).
    struct All {};
    KeyLock(Keyspace* ks, All);
    ~KeyLock();
    KeyLock(const KeyLock&) = delete;
    // True if this lock holds key's stripe (it may hold it for another key
    // of the same stripe: what matters is that no other writer can run).
    bool Holds(int db, std::string_view key) const;
    KeyLock& operator=(const KeyLock&) = delete;

   private:
    // Sorts and dedups the n stripes collected, then locks them in order.
    void Acquire();
    uint16_t* data() { return n_ <= kInline ? small_ : big_.data(); }
    const uint16_t* data() const {
      return n_ <= kInline ? small_ : big_.data();
    }
    void Add(size_t stripe);

    // Most commands lock a few stripes: those stay inline (no allocation).
    static constexpr size_t kInline = 8;
    Keyspace* ks_;
    size_t n_ = 0;
    uint16_t small_[kInline];
    std::vector<uint16_t> big_;
  };

  int databases() const { return table_.databases(); }
  const DbTable& table() const { return table_; }

  // Reads key of database db (at snap, if non-null). NotFound if it is
  // absent or expired (the entry is then empty); Corruption if its metadata
  // does not decode.
  Status Get(int db, std::string_view key, Entry* entry,
             const Snapshot* snap = nullptr);
  // Get for each of keys, through one engine MultiGet (one view of the
  // DB; the lookups' cache misses overlap): statuses[i] is Get's status
  // for keys[i] and, when OK, entries[i] its entry.
  // REQUIRES: entries.size() == statuses.size() == keys.size().
  void MultiGet(int db, std::span<const std::string_view> keys,
                std::span<Entry> entries, std::span<Status> statuses);
  // True if key exists (a Get that discards the value).
  bool Exists(int db, std::string_view key);

  // Stores a string under key with the given flags and expiry (0: none),
  // assigning a fresh CAS token (returned in *cas if non-null). An expiry
  // at or before now deletes the key instead.
  // events: what the write did, for the commit hooks (write_events.h).
  // REQUIRES: the caller holds key's KeyLock.
  Status Put(int db, std::string_view key, std::string_view payload,
             uint32_t flags, uint64_t expire_at_ms, uint64_t* cas = nullptr,
             std::span<const KeyEvent> events = {});
  // REQUIRES: the caller holds key's KeyLock.
  Status Delete(int db, std::string_view key,
                std::span<const KeyEvent> events = {});

  // The same updates added to a batch, applied atomically by Write.
  void AddPut(WriteBatch* batch, int db, std::string_view key,
              std::string_view payload, uint32_t flags, uint64_t expire_at_ms,
              uint64_t* cas = nullptr);
  void AddDelete(WriteBatch* batch, int db, std::string_view key);
  // Writes batch, then runs the commit hooks for touched (the keys the
  // batch writes) and events (what happened to them, in order).
  // REQUIRES: the caller holds the KeyLocks of every key in the batch.
  Status Write(WriteBatch* batch, std::span<const TouchedKey> touched,
               std::span<const KeyEvent> events = {});

  // Registers a commit hook (commit_hook.h). REQUIRES: before any write.
  void AddHook(CommitHook* hook) { hooks_.push_back(hook); }

  // The event classes (key_event.h) that writers record: the keyspace
  // notifications' setting (notify-keyspace-events). Events of other
  // classes are not recorded at all, so that a write costs nothing for
  // them. Wants(cls): cls is enabled and so is K or E.
  void set_notify_classes(uint32_t classes) {
    notify_.store(classes, std::memory_order_relaxed);
  }
  uint32_t notify_classes() const {
    return notify_.load(std::memory_order_relaxed);
  }
  bool Wants(uint32_t cls) const {
    const uint32_t n = notify_.load(std::memory_order_relaxed);
    return (n & cls) != 0 && (n & (kNotifyKeyspace | kNotifyKeyevent)) != 0;
  }

  // An iterator over the live keys of database db, in key order, stopping
  // before *upper_bound if given (the string must outlive the iterator).
  std::unique_ptr<KeyIterator> NewIterator(
      int db, const std::string_view* upper_bound = nullptr);

  // Counts live keys of db (and those with an expiry, and the sum of their
  // remaining milliseconds, if non-null) by walking an iterator: O(keys).
  Status CountKeys(int db, uint64_t* keys, uint64_t* expires,
                   uint64_t* ttl_sum_ms = nullptr);

  // Empties databases in O(1) (a fresh namespace each, one engine write).
  // REQUIRES: the caller holds KeyLock(All).
  Status FlushDbs(std::span<const int> dbs);
  // Swaps two databases' contents in O(1); a database with itself is left
  // alone (no write, no hook). REQUIRES: KeyLock(All).
  Status SwapDb(int a, int b);

  // Makes every acknowledged write durable (fsync of the WAL).
  Status Sync() { return db_->SyncWAL(); }

  DB* db() { return db_; }
  FsyncPolicy fsync() const { return fsync_.load(std::memory_order_relaxed); }
  // CONFIG SET appendfsync: applies to the writes that start after it.
  void set_fsync(FsyncPolicy p) { fsync_.store(p); }
  WriteOptions write_options() const;

  // A fresh CAS token / collection version (one counter for both).
  uint64_t NextCas() { return cas_.fetch_add(1, std::memory_order_relaxed); }

  // Wall-clock milliseconds since the Unix epoch (the engine's clock), or
  // the time a FrozenClock on this thread froze.
  static uint64_t NowMs();
  // The wall clock, frozen or not.
  static uint64_t WallNowMs();

  // Freezes NowMs() on the calling thread while it lives: every expiry a
  // RESP command sets or checks uses the time it started, and an EXEC's
  // commands all use EXEC's (Redis's cached command time, which keeps a
  // key given PEXPIRE 1 inside MULTI alive until EXEC ends). Nested
  // freezes keep the outer time.
  class FrozenClock {
   public:
    FrozenClock();
    ~FrozenClock();
    FrozenClock(const FrozenClock&) = delete;
    FrozenClock& operator=(const FrozenClock&) = delete;

   private:
    bool outer_;
  };

  // Counters for INFO / stats (relaxed; approximate under concurrency).
  StatCounter hits;
  StatCounter misses;
  StatCounter writes;
  // Keys deleted because their expiry passed (lazily by a write command's
  // Tx, or by the active expirer): INFO's expired_keys.
  StatCounter expired_keys;

 private:
  friend class Tx;
  Keyspace(DB* db, FsyncPolicy fsync);
  // Get's answer from the engine's status s of a read into entry->stored_:
  // the entry decoded, or NotFound for a key expired by our clock; counts
  // the hit or miss.
  Status FinishRead(Status s, Entry* entry);
  void RunHooks(std::span<const TouchedKey> touched,
                std::span<const KeyEvent> events = {});
  static size_t StripeOf(int db, std::string_view key);

  DB* const db_;
  std::atomic<FsyncPolicy> fsync_;
  DbTable table_;
  // CAS tokens start at the wall clock in microseconds, so that tokens stay
  // increasing across restarts (as long as the clock does not go back).
  std::atomic<uint64_t> cas_;
  std::array<std::mutex, kLockStripes> stripes_;
  std::vector<CommitHook*> hooks_;  // fixed once serving
  std::atomic<uint32_t> notify_{0};
};

// The live keys of one database, in order (see Keyspace::NewIterator).
// Expired keys are skipped; a metadata entry that does not decode stops the
// iteration with a Corruption status.
class KeyIterator {
 public:
  // Iterates ns of db below the engine key upper_bound.
  KeyIterator(DB* db, uint32_t ns, std::string upper_bound);
  void SeekToFirst();
  // Positions at the first key >= key.
  void Seek(std::string_view key);
  bool Valid() const { return valid_; }
  void Next();
  // REQUIRES: Valid().
  std::string_view key() const { return key_; }
  const ValueMeta& meta() const { return meta_; }
  std::string_view payload() const { return payload_; }
  Status status() const;

  // Pending writes (of a Tx) laid over the engine's keys: sorted by key,
  // one per key; a deleted one hides the engine's key. Set before seeking.
  struct Overlay {
    std::string key;
    std::string stored;
    bool deleted;
  };
  void SetOverlay(std::vector<Overlay> overlay) {
    overlay_ = std::move(overlay);
  }

 private:
  // Moves forward from the engine's and the overlay's positions to the
  // first live key.
  void Settle();
  // The engine iterator's next live key (skipping expired), or false.
  bool EngineLive();

  const std::string upper_;  // the engine key bound of it_
  const std::string_view upper_view_;
  std::unique_ptr<Iterator> it_;
  std::string seek_;
  const uint32_t ns_;
  bool valid_ = false;
  Status status_;
  std::string_view key_, payload_;
  ValueMeta meta_;
  std::vector<Overlay> overlay_;
  size_t ov_ = 0;              // the overlay's position
  bool from_overlay_ = false;  // the current key is overlay_[ov_]
};

// A Keyspace bound to one database: the calls handlers make.
class KeyspaceDb {
 public:
  KeyspaceDb(Keyspace* ks, int db) : ks_(ks), db_(db) {}
  Keyspace* keyspace() const { return ks_; }
  int index() const { return db_; }

  Status Get(std::string_view key, Entry* e) { return ks_->Get(db_, key, e); }
  void MultiGet(std::span<const std::string_view> keys,
                std::span<Entry> entries, std::span<Status> statuses) {
    ks_->MultiGet(db_, keys, entries, statuses);
  }
  bool Exists(std::string_view key) { return ks_->Exists(db_, key); }
  Status Put(std::string_view key, std::string_view payload, uint32_t flags,
             uint64_t expire_at_ms, uint64_t* cas = nullptr,
             std::span<const KeyEvent> events = {}) {
    return ks_->Put(db_, key, payload, flags, expire_at_ms, cas, events);
  }
  Status Delete(std::string_view key, std::span<const KeyEvent> events = {}) {
    return ks_->Delete(db_, key, events);
  }
  void AddPut(WriteBatch* batch, std::string_view key, std::string_view payload,
              uint32_t flags, uint64_t expire_at_ms, uint64_t* cas = nullptr) {
    ks_->AddPut(batch, db_, key, payload, flags, expire_at_ms, cas);
  }
  void AddDelete(WriteBatch* batch, std::string_view key) {
    ks_->AddDelete(batch, db_, key);
  }
  // touched: the keys the batch writes (for the commit hooks).
  Status Write(WriteBatch* batch, std::span<const std::string_view> touched,
               std::span<const KeyEvent> events = {}) {
    thread_local std::vector<TouchedKey> keys;
    keys.clear();
    for (std::string_view k : touched) keys.push_back({db_, k});
    return ks_->Write(batch, keys, events);
  }
  std::unique_ptr<KeyIterator> NewIterator(
      const std::string_view* upper_bound = nullptr) {
    return ks_->NewIterator(db_, upper_bound);
  }

 private:
  Keyspace* ks_;
  int db_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_KEYSPACE_H_
