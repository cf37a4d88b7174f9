// ServerCompactionFilter: the engine CompactionFilter of shale-server
// (docs/format/server_keys.md, §6). It makes FLUSHDB, FLUSHALL, DEL of a
// collection, its overwrite and its expiry O(1) for the command and still
// give the disk back: those write only the database table or the key's
// metadata, and this filter drops the entries they orphaned the next time a
// flush or compaction passes them.
//
// Rules, decided from the engine key alone (FilterKey; no value is read):
// - kind 0x01 (server metadata): kept;
// - kinds 0x02 (key metadata) and 0x10 (expiry index): dropped when their
//   namespace is dead (mapped by no entry of the database table);
// - kinds 0x03..0x0F (collection entries): dropped when their namespace is
//   dead, or when the metadata of `ns key` (read with DB::Get) is missing,
//   expired, not a collection's, or of another version than the entry's;
//   a live stream's entries (kind 0x03) also when their ID is below the
//   metadata's first, or the stream is empty: trimming moves first over
//   them and deletes nothing (stream.h). first only moves up while the
//   stream has entries and new entries come after its last ID, so such an
//   entry never becomes live again;
// - anything else (a kind never written, a key too short for its kind, a
//   metadata value that does not decode, a failed read): kept. What the
//   filter does not understand is never deleted.
// One metadata read serves a run of a collection's entries: a thread
// remembers its last answer, "gone" for good and "live" for the rest of the
// job (Context::job_id). An element kept because its collection went away
// during the job is dropped by a later one.
//
// Why no live entry is dropped (the races):
// - A collection's metadata and the elements a command writes with it are
//   one WriteBatch: one WAL record, made visible at once (one sequence
//   range published together). A flush or compaction only reads entries
//   whose batch is already visible: a memtable is flushed after the write
//   that retired it has finished, and every table was such a memtable. So
//   when the filter is asked about an element, the metadata of the batch
//   that wrote it is visible too, and DB::Get (the latest committed state,
//   no snapshot) returns it or something written after it. Something
//   written after it that is missing, expired, of another type or of
//   another version means the element's incarnation is over for good:
//   versions are never reused (they come from the CAS counter, meta_codec.h)
//   and a key found expired is only ever deleted or re-created, never
//   revived. A command creating a collection concurrently is therefore
//   either invisible to the job (its elements are not among the inputs) or
//   visible to the filter's read (its metadata is there).
// - Lock-free readers that read a collection in several engine reads do so
//   through a snapshot (or one iterator); the engine never filters a
//   version a live snapshot may read (shale/compaction_filter.h).
// - Namespaces: the filter asks DbTable::MayBeLive, one consistent view
//   of the table that, while FLUSHDB/FLUSHALL/SWAPDB write it, is the union
//   of the old and the new table. A namespace FLUSHDB hands out is live
//   before its table write commits; one it retires is dead only once that
//   write has committed (and it is synced: db_table.h). SWAPDB's two
//   namespaces stay live throughout. Namespace ids are never reused, so a
//   dead one never comes back.
// - Durability: the engine syncs the WAL before it installs the output of
//   a job in which the filter removed an entry (compaction_filter.h), so a
//   power loss cannot keep a removal and lose the write (DEL, overwrite,
//   FLUSHDB) that made the entry garbage.
// - Expiry uses the wall clock, as every reader does: if the clock steps
//   back past a collection's expiry after the filter dropped some of its
//   elements, the collection reappears with elements missing (strings have
//   their payload in the metadata and are not affected).
//
// Lifetime: the filter is handed to the engine in Options before the DB is
// open, and bound to the DB and its table once the Keyspace is: until Bind
// (and after Unbind) it keeps every entry. Unbind waits for the calls in
// flight, so the table may be destroyed after it returns.
//
// Thread safety: FilterKey runs on several background threads at once;
// Bind and Unbind may be called from any thread.
#ifndef SHALE_SERVER_KEYSPACE_SERVER_FILTER_H_
#define SHALE_SERVER_KEYSPACE_SERVER_FILTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "server/keyspace/db_table.h"
#include "server/keyspace/meta_codec.h"
#include "shale/compaction_filter.h"
#include "shale/db.h"
#include "util/mutex.h"

namespace shale::server {

class ServerCompactionFilter : public CompactionFilter {
 public:
  // now_ms: the clock expiries are compared with (wall-clock ms by default;
  // tests inject one).
  explicit ServerCompactionFilter(std::function<uint64_t()> now_ms = {});

  // The name the MANIFEST records. A new name for new rules.
  static constexpr const char* kName = "shale.server.v1";
  const char* Name() const override { return kName; }

  // Starts deciding, against db (the DB this filter is installed in) and
  // its table. REQUIRES: both outlive the binding (until Unbind returns).
  void Bind(DB* db, const DbTable* table);
  // Stops deciding (every entry is kept) once the calls in flight return.
  void Unbind();

  KeyDecision FilterKey(const Context& ctx, std::string_view user_key) override;
  // Never reached in practice (FilterKey always decides): keeps.
  Decision Filter(const Context& ctx, std::string_view user_key,
                  std::string_view value, std::string* new_value) override;

  // Entries removed, by reason (for tests and stats).
  std::atomic<uint64_t> removed_dead_ns{0};
  std::atomic<uint64_t> removed_orphans{0};  // collection entries
  std::atomic<uint64_t> removed_trimmed{0};  // stream entries below first

  // What the metadata says of one collection incarnation.
  struct Judgement {
    bool gone = false;  // every entry of it is garbage, for good
    // A live stream: its entries (kind 0x03) with an ID below first, or all
    // of them when it is empty, are garbage (stream.h, "Trimming").
    bool stream = false;
    uint64_t count = 0;
    StreamId first;
  };

 private:
  // Judges the collection incarnation `ns key version` by its metadata;
  // live when unsure.
  Judgement Judge(DB* db, uint32_t ns, std::string_view key, uint64_t version);

  const std::function<uint64_t()> now_ms_;
  // Held shared by every call, exclusively by Bind/Unbind.
  SharedMutex bind_mu_;
  DB* db_ GUARDED_BY(bind_mu_) = nullptr;
  const DbTable* table_ GUARDED_BY(bind_mu_) = nullptr;
  // Bumped by every Bind: per-thread caches of another binding are stale.
  uint64_t binding_ GUARDED_BY(bind_mu_) = 0;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_SERVER_FILTER_H_
