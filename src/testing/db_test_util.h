// A fixture base for DB tests: a DB on a MemEnv (or a real directory) with
// short helpers that turn results into strings for EXPECT_EQ.
#ifndef SHALE_TESTING_DB_TEST_UTIL_H_
#define SHALE_TESTING_DB_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "shale/db.h"
#include "util/mem_env.h"

namespace shale {
class DBImpl;
}  // namespace shale

namespace shale::test {

class DBTestBase : public testing::Test {
 protected:
  DBTestBase();
  ~DBTestBase() override;

  // Options for every (re)open: create_if_missing, the MemEnv, small
  // buffers so tests reach tables quickly.
  Options CurrentOptions() const;

  Status TryOpen(const Options& options);
  void Reopen() { Reopen(CurrentOptions()); }
  void Reopen(const Options& options);
  void Close() { db_.reset(); }

  Status Put(std::string_view k, std::string_view v, bool sync = false);
  Status Delete(std::string_view k);
  // The value, "NOT_FOUND", or the error text.
  std::string Get(std::string_view k, const Snapshot* snapshot = nullptr);
  // Every live key=value, forward, as "k1=v1,k2=v2".
  std::string Contents(const Snapshot* snapshot = nullptr);
  // The same, walking backwards from the last key.
  std::string ContentsReverse(const Snapshot* snapshot = nullptr);
  int NumFilesAtLevel(int level);
  // The DB behind db_, for its TEST_ hooks.
  DBImpl* impl();
  // Recounts, from every live table, the record bytes each vlog file still
  // has referenced, and checks the MANIFEST's counts against it: for every
  // file, data_bytes - garbage_bytes == referenced bytes; and for every
  // table, the per-vlog bytes the MANIFEST records for it (the GC picker's
  // index) equal what its pointers reference. Waits for background work
  // first and holds compactions off while it counts.
  void CheckGarbageIsExact();
  // The same without waiting (compactions must be paused).
  void CountGarbage();
  // Replaces the DB by one opened, with options_, on clone (a crash clone
  // of env_, which it replaces); the old DB finishes against the old file
  // system.
  Status TryReopenOn(std::unique_ptr<MemEnv> clone);

  std::unique_ptr<MemEnv> env_;
  std::string dbname_ = "/db";
  Options options_;
  std::unique_ptr<DB> db_;
};

}  // namespace shale::test

#endif  // SHALE_TESTING_DB_TEST_UTIL_H_
