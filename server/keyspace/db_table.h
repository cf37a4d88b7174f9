// DbTable: which namespace id each database (SELECT 0..n-1) currently is
// (docs/format/server_keys.md, §2). The table lives in the server metadata
// entry `databases`; FLUSHDB, FLUSHALL and SWAPDB each rewrite it in one
// engine write, which is what makes them O(1) and crash-safe: the keys of a
// namespace no database maps to are dead (never read, dropped by the
// server's CompactionFilter).
//
// Thread safety: Ns() and IsLive() are lock-free and may race with a change
// (a reader then sees the table before or after it, as if it had run
// before or after the change); changes serialize on an internal mutex. The
// server additionally holds every key stripe during a change, so no write
// of a key interleaves with it.
#ifndef SHALE_SERVER_KEYSPACE_DB_TABLE_H_
#define SHALE_SERVER_KEYSPACE_DB_TABLE_H_

#include <atomic>
#include <cassert>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "shale/db.h"

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

  // Gives each of dbs a fresh namespace (FLUSHDB, FLUSHALL).
  Status Renew(std::span<const int> dbs);
  // Swaps two databases' namespaces (SWAPDB).
  Status Swap(int a, int b);

 private:
  // Writes the table with ns_ as given plus next_ns; on success installs it.
  Status Store(const std::vector<uint32_t>& ns, uint32_t next_ns);

  DB* db_ = nullptr;
  WriteOptions wo_;
  int databases_ = 0;
  size_t size_ = 0;  // entries in the table (>= databases_)
  std::unique_ptr<std::atomic<uint32_t>[]> ns_;
  std::mutex mu_;         // serializes changes
  uint32_t next_ns_ = 0;  // guarded by mu_
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_DB_TABLE_H_
