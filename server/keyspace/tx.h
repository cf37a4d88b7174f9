// Tx: the transaction context every RESP command runs in (docs/impl.md,
// "Server: the Tx, locks, commit path").
//
// A Tx carries:
//   - the stripe locks of the keys the command (or EXEC) will touch, taken
//     by the dispatcher before the handler runs (LockKeys / LockAll), all at
//     once and in stripe order; handlers never lock;
//   - the pending WriteBatch, with an index of the metadata it writes, so a
//     command reads its own uncommitted writes (Get, Exists, MultiGet and
//     iterators see them, expiry honoured);
//   - the keys written and the events recorded (Notify: "set", "del",
//     "expired" ... as Redis's keyspace notifications name them), for the
//     commit hooks (keyspace/commit_hook.h, key_event.h).
// Lazy expiry: a read of a key whose expiry has passed, by a Tx that holds
// that key's stripe lock (a write command's keys), deletes the key's
// metadata and its expiry index entry in this Tx and records "expired",
// before whatever the command then writes (Redis's expireIfNeeded). Reads
// without the lock (read-only commands) only see the key as absent; the
// active expirer (expirer.h) deletes it.
// Commit writes the batch once (the fsync policy as any write), without the
// writes that later writes of the same key replace, and runs the hooks in
// commit order, while the locks are still held; Release unlocks.
// Lock-free readers therefore see a command, or a whole EXEC, all or
// nothing.
//
// The calls handlers make are KeyspaceDb's, bound to the Tx's database
// (set_db: SELECT inside MULTI moves it). A Tx is reused by its session:
// Begin keeps every buffer, so a command costs no allocation once they
// have grown.
//
// Thread safety: a Tx belongs to one session (one thread at a time).
#ifndef SHALE_SERVER_KEYSPACE_TX_H_
#define SHALE_SERVER_KEYSPACE_TX_H_

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/keyspace/batch_dedup.h"
#include "server/keyspace/element_iterator.h"
#include "server/keyspace/element_writes.h"
#include "server/keyspace/keyspace.h"

namespace shale::server {

class Tx {
 public:
  using DbKey = Keyspace::KeyLock::DbKey;

  explicit Tx(Keyspace* ks) : ks_(ks) {}
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  ~Tx() { Release(); }

  // Starts a new transaction on database db. REQUIRES: nothing pending.
  void Begin(int db);
  // Takes the stripe locks of keys / of every stripe. Once per Tx.
  void LockKeys(std::span<const DbKey> keys);
  void LockAll();
  bool locked() const { return lock_.has_value(); }
  // True if this Tx holds key's stripe in db (LockKeys/LockAll or
  // TryLockMore).
  bool Holds(int db, std::string_view key) const;
  // Takes key's stripe too if it is free (try_lock: never waits, so it
  // cannot deadlock with a writer that waits for this Tx's stripes); true
  // if the Tx holds it now. Released by Release. For serving a blocked
  // BLMOVE from a push's Tx (redis/blocking.h). REQUIRES: locked().
  bool TryLockMore(int db, std::string_view key);
  // The keys this Tx has written so far (metadata writes), as (db, key),
  // in write order, possibly repeated, then the keys marked ready.
  void WrittenKeys(std::vector<std::pair<int, std::string>>* out) const;
  // Marks key as one whose blocked clients may be served now although
  // this Tx did not write it (SWAPDB brings whole databases in, as Redis's
  // scanDatabaseForReadyKeys). Until Begin or Release.
  // Streams: only a key marked ready serves the clients XREAD blocks on it
  // (Redis's signalKeyAsReady: XADD, and a stream key coming into being by
  // RENAME, COPY, MOVE or SWAPDB), not every write (XSETID, XDEL, XTRIM do
  // not serve them).
  void MarkReady(int db, std::string_view key) { ready_.emplace_back(db, key); }
  bool has_ready() const { return !ready_.empty(); }
  // After the blocked clients were served (ServeBlocked): a later command
  // of the same run must mark its keys again.
  void ClearReady() { ready_.clear(); }
  bool IsReady(int db, std::string_view key) const {
    for (const auto& [d, k] : ready_) {
      if (d == db && k == key) return true;
    }
    return false;
  }

  Keyspace* keyspace() const { return ks_; }
  int db() const { return db_; }
  void set_db(int db) { db_ = db; }
  // KeyspaceDb's index(), so code written against either reads the same.
  int index() const { return db_; }

  // --- reads (see the writes of this Tx) ----------------------------------
  // snap: read the engine at this snapshot (ReadSnapshot), else the latest.
  Status Get(std::string_view key, Entry* entry,
             const Snapshot* snap = nullptr);
  bool Exists(std::string_view key);
  void MultiGet(std::span<const std::string_view> keys,
                std::span<Entry> entries, std::span<Status> statuses);
  std::unique_ptr<KeyIterator> NewIterator(
      const std::string_view* upper_bound = nullptr);

  // --- writes (pending until Commit) --------------------------------------
  // As Keyspace::Put: a fresh CAS token (in *cas), an expiry at or before
  // now deletes. Records "new" if the key did not exist (when "new" or
  // "expired" events are wanted, it reads the key first for that).
  Status Put(std::string_view key, std::string_view payload, uint32_t flags,
             uint64_t expire_at_ms, uint64_t* cas = nullptr);
  Status Delete(std::string_view key);
  // Rewrites key's metadata with another expiry (0: none), whatever its
  // type: a string keeps its payload and flags (and gets a fresh CAS), a
  // collection its version and count. An expiry at or before now deletes.
  // REQUIRES: e is key's entry as this Tx read it.
  Status SetExpiry(std::string_view key, const Entry& e, uint64_t expire_at_ms);

  // --- collections (collection.h builds on these) --------------------------
  // The snapshot a command reads a collection it has not locked at: taken
  // at the first call, held until Release, so that every read of the
  // command (or EXEC) through it sees one point of the write order.
  // nullptr when key's stripe is locked by this Tx (nothing else can write
  // it: the latest state is as consistent).
  const Snapshot* ReadSnapshot(std::string_view key);
  // Writes a collection's metadata (and its expiry index entry).
  // REQUIRES: meta.type is not kString.
  void PutCollectionMeta(std::string_view key, const ValueMeta& meta);
  // Element entries (engine keys from key_codec's AppendCollectionPrefix):
  // reads see this Tx's pending element writes.
  Status GetElement(std::string_view ekey, const Snapshot* snap,
                    std::string* value);
  void PutElement(std::string_view ekey, std::string_view value);
  void DeleteElement(std::string_view ekey);
  // The elements under prefix, pending writes laid over the engine's.
  std::unique_ptr<ElementIterator> NewElementIterator(std::string prefix,
                                                      const Snapshot* snap);

  // Records an event of key in the Tx's database (db: in another), to be
  // handed to the commit hooks after the write. Costs nothing when no hook
  // wants cls (Keyspace::Wants). REQUIRES: event outlives the Tx (a
  // literal).
  void Notify(uint32_t cls, std::string_view event, std::string_view key) {
    if (ks_->Wants(cls)) Record(db_, cls, event, key);
  }
  void NotifyDb(int db, uint32_t cls, std::string_view event,
                std::string_view key) {
    if (ks_->Wants(cls)) Record(db, cls, event, key);
  }

  bool empty() const { return n_pending_ == 0 && elems_.empty(); }
  // Writes the batch (if any) and runs the commit hooks. The locks stay
  // held until Release. On error nothing was written. drop_replaced: leave
  // out every write that a later write of the same key replaces (worth
  // its search when the Tx ran several commands: a pipelined run, EXEC, a
  // script).
  Status Commit(bool drop_replaced = true);
  // Drops pending writes (an aborted command) and unlocks.
  void Release();

 private:
  struct Pending {
    std::string ekey;    // the metadata's engine key
    std::string stored;  // its value; empty when deleted
    bool deleted;
    int db;
    size_t key_offset;  // where the client's key starts in ekey
  };
  // The newest pending write of ekey, or nullptr.
  const Pending* Find(std::string_view ekey);
  // Records a write of key (its engine key encoded in the Pending).
  Pending& Add(std::string_view key, bool deleted);
  // Get's answer for a pending write.
  Status ReadPending(const Pending& p, Entry* entry);
  // Deletes an expired key found by a read, if this Tx holds its lock.
  void LazyExpire(std::string_view key, const Entry& entry);
  void ReleaseSnapshot();
  void BuildEventViews();
  void Record(int db, uint32_t cls, std::string_view event,
              std::string_view key);

  Keyspace* const ks_;
  int db_ = 0;
  std::optional<Keyspace::KeyLock> lock_;
  std::vector<uint16_t> extra_stripes_;  // TryLockMore's, until Release
  WriteBatch batch_;
  BatchDedup dedup_;
  WriteBatch deduped_;  // batch_ without the writes later ones replace
  // pending_[0, n_pending_) in write order; the rest are spare buffers.
  std::vector<Pending> pending_;
  size_t n_pending_ = 0;
  // ekey -> index in pending_, built once pending_ is long (EXEC).
  std::unordered_map<std::string, size_t> index_;
  std::vector<TouchedKey> touched_;
  std::vector<std::pair<int, std::string>> ready_;  // MarkReady's
  std::string scratch_;
  // Recorded events; their keys are ranges of event_keys_.
  struct EventRec {
    int db;
    uint32_t cls;
    std::string_view event;
    size_t key_begin, key_end;
  };
  std::vector<EventRec> events_;
  std::string event_keys_;
  std::vector<KeyEvent> event_views_;
  // Pending element writes (their metadata is in pending_).
  ElementWrites elems_;
  std::vector<const ElementWrites::Write*> range_;
  const Snapshot* snap_ = nullptr;  // ReadSnapshot's, until Release
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_TX_H_
