// DbTable: which namespace id each database (SELECT 0..n-1) currently is
// (docs/format/server_keys.md, §2). The table lives in the server metadata
// entry `databases`; FLUSHDB, FLUSHALL and SWAPDB each rewrite it in one
// engine write, which is what makes them O(1) and crash-safe: the keys of a
// namespace no database maps to are dead (never read, dropped by the
// server's CompactionFilter).
//
// Thread safety: Ns(), IsLive() and DbOf() are lock-free and read the
// entries one at a time: a reader racing with a change may see some entries
// before it and some after (mid-SWAPDB, both databases on one namespace), so
// only a thread holding a key stripe may rely on them (the server holds
// every stripe during a change, so no write of a key interleaves with it).
// MayBeLive() is for threads that hold no stripe (the compaction filter,
// server_filter.h): it reads one consistent view, which during a change is
// the union of the old and the new table. Changes serialize on an internal
// mutex.
#ifndef SHALE_SERVER_KEYSPACE_DB_TABLE_H_
#define SHALE_SERVER_KEYSPACE_DB_TABLE_H_

#include <atomic>
#include <cassert>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "shale/db.h"
#include "util/mutex.h"

namespace shale::server {

class DbTable {
 public:
  DbTable() = default;
  DbTable(const DbTable&) = delete;
  DbTable& operator=(const DbTable&) = delete;

  // Reads the table (and checks the `format` entry) from db, creating both
  // when the DB has none, and appending fresh namespaces until it has at
  // least `databases` entries. Corruption for a malformed table or an
  // unknown format version.
  Status Load(DB* db, int databases, const WriteOptions& wo);

  // Databases served (the setting); the table may hold more.
  int databases() const { return databases_; }
  uint32_t Ns(int db) const {
    assert(db >= 0 && static_cast<size_t>(db) < size_);
    return ns_[static_cast<size_t>(db)].load(std::memory_order_acquire);
  }
  // True if some entry of the table (served or not) maps to ns.
  bool IsLive(uint32_t ns) const { return DbOf(ns) >= 0; }
  // The entry (database index; >= databases() for an entry not served)
  // that maps to ns, or -1 if none does (ns is dead).
  int DbOf(uint32_t ns) const;
  // False only if ns is dead: mapped by no entry of the table as it was at
  // some instant of the call, and of no table being written. A namespace a
  // change hands out counts as live before the change's engine write
  // commits; one it retires counts as live until the write has committed.
  // Before Load: true for every ns.
  bool MayBeLive(uint32_t ns) const;

  // Gives each of dbs a fresh namespace (FLUSHDB, FLUSHALL).
  Status Renew(std::span<const int> dbs);
  // Swaps two databases' namespaces (SWAPDB).
  Status Swap(int a, int b);

 private:
  // Writes the table with ns_ as given plus next_ns; on success installs it.
  // The write is synced whatever the fsync policy: the compaction filter
  // drops the retired namespaces' keys as soon as it is installed, and a
  // power loss must not keep those drops and lose the change.
  Status Store(const std::vector<uint32_t>& ns, uint32_t next_ns);
  // Sets the view MayBeLive reads.
  void SetLiveView(std::vector<uint32_t> live);

  DB* db_ = nullptr;
  WriteOptions wo_;
  int databases_ = 0;
  size_t size_ = 0;  // entries in the table (>= databases_)
  std::unique_ptr<std::atomic<uint32_t>[]> ns_;
  std::mutex mu_;         // serializes changes
  uint32_t next_ns_ = 0;  // guarded by mu_
  // Held only to read or replace live_, never across an engine call: the
  // filter must not wait for a table write, which may wait for a flush.
  mutable Mutex view_mu_;
  bool loaded_ GUARDED_BY(view_mu_) = false;
  std::vector<uint32_t> live_ GUARDED_BY(view_mu_);  // MayBeLive's view
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_DB_TABLE_H_
