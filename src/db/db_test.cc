// Behaviour of the public DB API, on the in-memory Env.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "testing/db_test_util.h"
#include "testing/test_util.h"

namespace shale {

class DBTest : public test::DBTestBase {};

TEST_F(DBTest, OpenFlags) {
  Close();
  Options o = CurrentOptions();
  o.create_if_missing = false;
  dbname_ = "/other";
  Status s = TryOpen(o);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.ToString().find("/other"), std::string::npos) << s.ToString();
  o.create_if_missing = true;
  ASSERT_TRUE(TryOpen(o).ok());
  Close();
  o.error_if_exists = true;
  s = TryOpen(o);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  o.error_if_exists = false;
  o.write_buffer_size = 10;  // absurd
  EXPECT_TRUE(TryOpen(o).IsInvalidArgument());
}

TEST_F(DBTest, SecondOpenOfSameDirectoryIsBusy) {
  std::unique_ptr<DB> second;
  Status s = DB::Open(CurrentOptions(), dbname_, &second);
  EXPECT_TRUE(s.IsBusy()) << s.ToString();
  EXPECT_EQ(second, nullptr);
  // The first handle keeps working.
  ASSERT_TRUE(Put("k", "v").ok());
  EXPECT_EQ(Get("k"), "v");
}

TEST_F(DBTest, PutGetDelete) {
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(Put("b", "2").ok());
  EXPECT_EQ(Get("a"), "1");
  ASSERT_TRUE(Put("a", "3").ok());
  EXPECT_EQ(Get("a"), "3");
  ASSERT_TRUE(Delete("a").ok());
  EXPECT_EQ(Get("a"), "NOT_FOUND");
  ASSERT_TRUE(Delete("never-there").ok());
  EXPECT_EQ(Contents(), "b=2");
}

TEST_F(DBTest, EmptyAndBinaryKeysAndValues) {
  std::string binary_key("\0\xff\x01k", 4);
  std::string binary_value("\0\0v\xfe", 4);
  ASSERT_TRUE(Put("", "empty-key").ok());
  ASSERT_TRUE(Put("empty-value", "").ok());
  ASSERT_TRUE(Put(binary_key, binary_value).ok());
  for (int pass = 0; pass < 3; pass++) {
    EXPECT_EQ(Get(""), "empty-key");
    EXPECT_EQ(Get("empty-value"), "");
    EXPECT_EQ(Get(binary_key), binary_value);
    if (pass == 0) {
      ASSERT_TRUE(db_->Flush().ok());
    } else if (pass == 1) {
      Reopen();
    }
  }
}

TEST_F(DBTest, LargeValues) {
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = char('a' + i % 26);
  ASSERT_TRUE(Put("big", big).ok());
  ASSERT_TRUE(Put("small", "s").ok());
  EXPECT_EQ(Get("big"), big);
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(Get("big"), big);
  Reopen();
  EXPECT_EQ(Get("big"), big);
  EXPECT_EQ(Get("small"), "s");
}

TEST_F(DBTest, WriteBatchAppliesInOrder) {
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Put("b", "2");
  batch.Delete("a");
  batch.Put("c", "3");
  batch.Put("c", "4");
  EXPECT_EQ(batch.Count(), 5u);
  ASSERT_TRUE(db_->Write(WriteOptions(), &batch).ok());
  EXPECT_EQ(Contents(), "b=2,c=4");
  WriteBatch empty;
  ASSERT_TRUE(db_->Write(WriteOptions(), &empty).ok());
  Reopen();
  EXPECT_EQ(Contents(), "b=2,c=4");
}

TEST_F(DBTest, RecoversFromWalAndTables) {
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(Put("b", "2").ok());
  Reopen();
  EXPECT_EQ(Contents(), "a=1,b=2");
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(NumFilesAtLevel(0), 1);
  ASSERT_TRUE(Put("a", "3").ok());
  Reopen();
  EXPECT_EQ(Contents(), "a=3,b=2");
  Reopen();
  EXPECT_EQ(Contents(), "a=3,b=2");
  std::string seq;
  ASSERT_TRUE(db_->GetProperty("shale.last-sequence", &seq));
  EXPECT_EQ(seq, "3");
}

TEST_F(DBTest, SequenceNumbersSurviveReopenWithEmptyWal) {
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(db_->Flush().ok());
  Reopen();
  Reopen();
  ASSERT_TRUE(Put("a", "2").ok());
  Reopen();
  EXPECT_EQ(Get("a"), "2");
}

TEST_F(DBTest, MemtableSwitchesAndFlushesInBackground) {
  Random rnd(301);
  std::map<std::string, std::string> model;
  for (int i = 0; i < 5000; i++) {
    std::string k = "key" + std::to_string(rnd.Uniform(2000));
    std::string v = test::RandomPrintable(&rnd, 100 + rnd.Uniform(400));
    ASSERT_TRUE(Put(k, v).ok());
    model[k] = v;
  }
  ASSERT_TRUE(db_->Flush().ok());
  std::map<std::string, double> stats;
  db_->GetStatsMap(&stats);
  EXPECT_GT(stats["flushes"], 2);
  for (const auto& [k, v] : model) ASSERT_EQ(Get(k), v) << k;
  Reopen();
  for (const auto& [k, v] : model) ASSERT_EQ(Get(k), v) << k;
  std::string expected;
  for (const auto& [k, v] : model) {
    if (!expected.empty()) expected += ",";
    expected += k + "=" + v;
  }
  EXPECT_EQ(Contents(), expected);
  EXPECT_EQ(ContentsReverse(), expected);
}

TEST_F(DBTest, IteratorSeeksAcrossMemtableAndTables) {
  ASSERT_TRUE(Put("b", "b1").ok());
  ASSERT_TRUE(Put("d", "d1").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(Put("c", "c2").ok());
  ASSERT_TRUE(Delete("d").ok());
  ASSERT_TRUE(Put("f", "f2").ok());
  auto iter = db_->NewIterator(ReadOptions());
  iter->Seek("a");
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), "b");
  iter->Seek("c");
  EXPECT_EQ(iter->key(), "c");
  iter->Seek("d");  // deleted: lands on f
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), "f");
  iter->Seek("g");
  EXPECT_FALSE(iter->Valid());
  iter->SeekForPrev("e");
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), "c");
  iter->SeekForPrev("c");
  EXPECT_EQ(iter->key(), "c");
  iter->SeekForPrev("a");
  EXPECT_FALSE(iter->Valid());
  iter->SeekForPrev("z");
  EXPECT_EQ(iter->key(), "f");
  // Direction changes.
  iter->Seek("c");
  iter->Prev();
  EXPECT_EQ(iter->key(), "b");
  iter->Next();
  EXPECT_EQ(iter->key(), "c");
  iter->Next();
  EXPECT_EQ(iter->key(), "f");
  iter->Prev();
  EXPECT_EQ(iter->key(), "c");
  EXPECT_TRUE(iter->status().ok());
}

TEST_F(DBTest, IteratorUpperBound) {
  for (char c = 'a'; c <= 'f'; c++)
    ASSERT_TRUE(Put(std::string(1, c), "v").ok());
  ASSERT_TRUE(db_->Flush().ok());
  std::string_view bound = "d";
  ReadOptions ro;
  ro.iterate_upper_bound = &bound;
  auto iter = db_->NewIterator(ro);
  std::string seen;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) seen += iter->key();
  EXPECT_EQ(seen, "abc");
  seen.clear();
  for (iter->SeekToLast(); iter->Valid(); iter->Prev()) seen += iter->key();
  EXPECT_EQ(seen, "cba");
  iter->Seek("d");
  EXPECT_FALSE(iter->Valid());
  iter->SeekForPrev("z");
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), "c");
}

TEST_F(DBTest, IteratorDoesNotSeeLaterWrites) {
  ASSERT_TRUE(Put("a", "1").ok());
  auto iter = db_->NewIterator(ReadOptions());
  ASSERT_TRUE(Put("b", "2").ok());
  ASSERT_TRUE(Put("a", "3").ok());
  ASSERT_TRUE(db_->Flush().ok());
  iter->SeekToFirst();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->key(), "a");
  EXPECT_EQ(iter->value(), "1");
  iter->Next();
  EXPECT_FALSE(iter->Valid());
}

TEST_F(DBTest, SnapshotsSeeTheirPointInTime) {
  ASSERT_TRUE(Put("a", "1").ok());
  const Snapshot* s1 = db_->GetSnapshot();
  ASSERT_TRUE(Put("a", "2").ok());
  ASSERT_TRUE(Put("b", "1").ok());
  const Snapshot* s2 = db_->GetSnapshot();
  ASSERT_TRUE(Delete("a").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(Put("b", "2").ok());
  EXPECT_EQ(Get("a", s1), "1");
  EXPECT_EQ(Get("b", s1), "NOT_FOUND");
  EXPECT_EQ(Contents(s1), "a=1");
  EXPECT_EQ(Get("a", s2), "2");
  EXPECT_EQ(Contents(s2), "a=2,b=1");
  EXPECT_EQ(ContentsReverse(s2), "a=2,b=1");
  EXPECT_EQ(Contents(), "b=2");
  std::string n;
  ASSERT_TRUE(db_->GetProperty("shale.num-snapshots", &n));
  EXPECT_EQ(n, "2");
  db_->ReleaseSnapshot(s1);
  db_->ReleaseSnapshot(s2);
  ASSERT_TRUE(db_->GetProperty("shale.num-snapshots", &n));
  EXPECT_EQ(n, "0");
}

TEST_F(DBTest, ExpiryHidesEntriesAtOnce) {
  env_->SetUnixMillis(1'000'000);
  WriteOptions wo;
  wo.expire_at_ms = 1'000'500;
  ASSERT_TRUE(db_->Put(wo, "temp", "t").ok());
  ASSERT_TRUE(Put("old", "o").ok());
  ASSERT_TRUE(db_->Put(wo, "old", "shadow").ok());  // newer, expiring
  WriteBatch batch;
  batch.Put("batch-temp", "bt", 1'000'200);
  batch.Put("batch-keep", "bk", 0);
  ASSERT_TRUE(db_->Write(WriteOptions(), &batch).ok());
  EXPECT_EQ(Get("temp"), "t");
  EXPECT_EQ(Contents(), "batch-keep=bk,batch-temp=bt,old=shadow,temp=t");
  env_->SetUnixMillis(1'000'200);  // exactly at the expiry: gone
  EXPECT_EQ(Get("batch-temp"), "NOT_FOUND");
  EXPECT_EQ(Get("temp"), "t");
  env_->SetUnixMillis(1'000'500);
  EXPECT_EQ(Get("temp"), "NOT_FOUND");
  // An expired newer version hides the older one rather than reviving it.
  EXPECT_EQ(Get("old"), "NOT_FOUND");
  EXPECT_EQ(Contents(), "batch-keep=bk");
  EXPECT_EQ(ContentsReverse(), "batch-keep=bk");
  // Entries flushed before their expiry keep it in the table.
  ASSERT_TRUE(db_->Put(wo, "later", "l").ok());  // expires at 1'000'500
  env_->SetUnixMillis(1'000'000);
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(Get("later"), "l");
  EXPECT_EQ(Get("temp"), "t");  // not yet expired at the flush either
  env_->SetUnixMillis(1'000'500);
  EXPECT_EQ(Get("later"), "NOT_FOUND");
  EXPECT_EQ(Contents(), "batch-keep=bk");
  Reopen();
  EXPECT_EQ(Get("old"), "NOT_FOUND");
  env_->SetUnixMillis(1'000'000);
  EXPECT_EQ(Get("old"), "shadow");
  // The same after a flush that ran once they had expired: the flush writes
  // them as deletions, so they stay gone whatever the clock says next.
  env_->SetUnixMillis(2'000'000);
  ASSERT_TRUE(db_->Put(wo, "late", "x").ok());
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(Contents(), "batch-keep=bk");
  env_->SetUnixMillis(1'000'000);
  EXPECT_EQ(Get("late"), "NOT_FOUND");
  EXPECT_EQ(Contents(),
            "batch-keep=bk,batch-temp=bt,later=l,old=shadow,temp=t");
}

TEST_F(DBTest, SyncWritesAndSyncWalSurviveCrash) {
  ASSERT_TRUE(Put("synced", "1", /*sync=*/true).ok());
  ASSERT_TRUE(Put("unsynced", "2").ok());
  ASSERT_TRUE(Put("later", "3").ok());
  ASSERT_TRUE(db_->SyncWAL().ok());
  ASSERT_TRUE(Put("lost", "4").ok());
  env_->SimulateCrash();
  Reopen();
  EXPECT_EQ(Contents(), "later=3,synced=1,unsynced=2");
}

TEST_F(DBTest, ConcurrentWritersAreGroupCommitted) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kPerThread; i++) {
        WriteOptions wo;
        wo.sync = (i % 50 == 0);
        std::string k = "t" + std::to_string(t) + "-" + std::to_string(i);
        ASSERT_TRUE(db_->Put(wo, k, std::to_string(i)).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; t++) {
    for (int i = 0; i < kPerThread; i++) {
      ASSERT_EQ(Get("t" + std::to_string(t) + "-" + std::to_string(i)),
                std::to_string(i));
    }
  }
  std::string seq;
  ASSERT_TRUE(db_->GetProperty("shale.last-sequence", &seq));
  EXPECT_EQ(seq, std::to_string(kThreads * kPerThread));
}

TEST_F(DBTest, ReadersRunConcurrentlyWithWritersAndFlushes) {
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  // Key i always holds a value ending in its own index, so any torn or
  // mixed-up read is detectable.
  std::thread reader([&] {
    Random rnd(7);
    while (!stop.load()) {
      int i = static_cast<int>(rnd.Uniform(500));
      std::string v = Get("k" + std::to_string(i));
      if (v != "NOT_FOUND" && v.substr(v.find(':') + 1) != std::to_string(i)) {
        errors++;
      }
      auto iter = db_->NewIterator(ReadOptions());
      std::string prev;
      for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
        if (!prev.empty() && prev >= iter->key()) errors++;
        prev.assign(iter->key());
      }
      if (!iter->status().ok()) errors++;
    }
  });
  Random rnd(8);
  for (int round = 0; round < 20000; round++) {
    int i = static_cast<int>(rnd.Uniform(500));
    std::string v =
        std::string(rnd.Uniform(200), 'x') + ":" + std::to_string(i);
    ASSERT_TRUE(Put("k" + std::to_string(i), v).ok());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(errors.load(), 0);
}

TEST_F(DBTest, Properties) {
  ASSERT_TRUE(Put("a", "1").ok());
  std::string v;
  ASSERT_TRUE(db_->GetProperty("shale.mem-bytes", &v));
  EXPECT_GT(std::stoull(v), 0u);
  ASSERT_TRUE(db_->GetProperty("shale.live-wal-bytes", &v));
  EXPECT_GT(std::stoull(v), 0u);
  ASSERT_TRUE(db_->GetProperty("shale.total-sst-bytes", &v));
  EXPECT_EQ(v, "0");
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->GetProperty("shale.total-sst-bytes", &v));
  EXPECT_GT(std::stoull(v), 0u);
  ASSERT_TRUE(db_->GetProperty("shale.stats", &v));
  EXPECT_NE(v.find("Level"), std::string::npos);
  EXPECT_FALSE(db_->GetProperty("shale.no-such-thing", &v));
  EXPECT_FALSE(db_->GetProperty("shale.num-files-at-level99", &v));
  EXPECT_FALSE(db_->GetProperty("rocksdb.stats", &v));
}

TEST_F(DBTest, ObsoleteFilesAreDeleted) {
  for (int i = 0; i < 5; i++) {
    ASSERT_TRUE(Put("k" + std::to_string(i), "v").ok());
    ASSERT_TRUE(db_->Flush().ok());
  }
  Reopen();
  std::vector<std::string> children;
  ASSERT_TRUE(env_->GetChildren(dbname_, &children).ok());
  int logs = 0, manifests = 0, tables = 0;
  for (const auto& c : children) {
    if (c.ends_with(".log")) logs++;
    if (c.starts_with("MANIFEST-")) manifests++;
    if (c.ends_with(".sst")) tables++;
  }
  EXPECT_EQ(logs, 1);
  EXPECT_EQ(manifests, 1);
  int listed = 0;
  for (int level = 0; level < 7; level++) listed += NumFilesAtLevel(level);
  EXPECT_EQ(tables, listed);
  // A stray table file that no MANIFEST lists is removed at open.
  {
    std::unique_ptr<WritableFile> stray;
    ASSERT_TRUE(env_->NewWritableFile(dbname_ + "/999999.sst", &stray).ok());
    ASSERT_TRUE(stray->Append("not a table").ok());
    ASSERT_TRUE(stray->Sync().ok());
  }
  ASSERT_TRUE(env_->FileExists(dbname_ + "/999999.sst"));
  Reopen();
  EXPECT_FALSE(env_->FileExists(dbname_ + "/999999.sst"));
}

// The .sst files in the directory, and those the current Version lists.
static std::set<std::string> TableFilesOnDisk(Env* env,
                                              const std::string& dir) {
  std::vector<std::string> children;
  EXPECT_TRUE(env->GetChildren(dir, &children).ok());
  std::set<std::string> tables;
  for (const auto& c : children) {
    if (c.ends_with(".sst")) tables.insert(c);
  }
  return tables;
}

TEST_F(DBTest, FilesAnIteratorPinsGoWhenItDoes) {
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 5; i++) {
      ASSERT_TRUE(
          Put("k" + std::to_string(i), "v" + std::to_string(round)).ok());
    }
    ASSERT_TRUE(db_->Flush().ok());
  }
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  const std::set<std::string> before = TableFilesOnDisk(env_.get(), dbname_);
  ASSERT_FALSE(before.empty());

  auto iter = db_->NewIterator(ReadOptions());
  // Overlapping data, then a full compaction: every table of `before` is
  // replaced, but the iterator's Version still lists them.
  for (int i = 0; i < 5; i++) {
    ASSERT_TRUE(Put("k" + std::to_string(i), "v2").ok());
  }
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  std::set<std::string> pinned = TableFilesOnDisk(env_.get(), dbname_);
  for (const auto& f : before) EXPECT_TRUE(pinned.count(f)) << f;
  int n = 0;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    EXPECT_EQ(iter->value(), "v1");
    n++;
  }
  EXPECT_TRUE(iter->status().ok());
  EXPECT_EQ(n, 5);

  // Destroying the iterator deletes them, with no flush or compaction after.
  iter.reset();
  const std::set<std::string> after = TableFilesOnDisk(env_.get(), dbname_);
  for (const auto& f : before) EXPECT_FALSE(after.count(f)) << f;
  int listed = 0;
  for (int level = 0; level < 7; level++) listed += NumFilesAtLevel(level);
  EXPECT_EQ(static_cast<int>(after.size()), listed);
  EXPECT_EQ(Get("k3"), "v2");
}

// db.h asks for iterators to go before their DB; one destroyed after it
// (even one whose Version is stale, so its cleanup wants to delete files)
// must not touch the closed DB. ASan builds catch a use after free here.
TEST_F(DBTest, AnIteratorDestroyedAfterItsDBDeletesNothing) {
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(db_->Flush().ok());
  const std::set<std::string> before = TableFilesOnDisk(env_.get(), dbname_);
  auto iter = db_->NewIterator(ReadOptions());
  ASSERT_TRUE(Put("a", "2").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  Close();
  iter.reset();
  for (const auto& f : before) {
    EXPECT_TRUE(env_->FileExists(dbname_ + "/" + f)) << f;
  }
  Reopen();  // the open deletes what no Version lists
  for (const auto& f : before) {
    EXPECT_FALSE(env_->FileExists(dbname_ + "/" + f)) << f;
  }
  EXPECT_EQ(Get("a"), "2");
}

#if defined(__linux__)
// This process's threads named `name`, with their nice values
// (/proc/self/task/TID/stat, field 19).
static std::vector<int> NiceOfThreadsNamed(const std::string& name) {
  std::vector<int> nices;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string got;
    std::getline(comm, got);
    if (got != name) continue;
    std::ifstream stat_file(task.path() / "stat");
    std::string stat;
    std::getline(stat_file, stat);
    // Fields after the ")" that ends the name: state is field 3, nice 19.
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    for (int i = 3; i <= 19; i++) rest >> field;
    nices.push_back(std::stoi(field));
  }
  return nices;
}

TEST_F(DBTest, CompactionThreadsRunAtTheNiceValueAsked) {
  Close();  // the fixture's DB would add threads of the same names
  const int base = getpriority(PRIO_PROCESS, 0);
  ASSERT_TRUE(NiceOfThreadsNamed("shale:compact").empty());
  Options options = CurrentOptions();
  options.max_background_jobs = 3;
  options.compaction_thread_nice = 7;
  Reopen(options);
  EXPECT_EQ(NiceOfThreadsNamed("shale:compact"),
            std::vector<int>(2, std::min(19, base + 7)));
  EXPECT_EQ(NiceOfThreadsNamed("shale:flush"), std::vector<int>{base});

  options.compaction_thread_nice = 20;
  Close();
  std::unique_ptr<DB> db;
  EXPECT_TRUE(DB::Open(options, dbname_, &db).IsInvalidArgument());
}
#endif

TEST_F(DBTest, DestroyDB) {
  ASSERT_TRUE(Put("a", "1").ok());
  EXPECT_TRUE(DestroyDB(dbname_, CurrentOptions()).IsBusy());
  Close();
  ASSERT_TRUE(DestroyDB(dbname_, CurrentOptions()).ok());
  EXPECT_FALSE(env_->FileExists(dbname_));
  Reopen();
  EXPECT_EQ(Contents(), "");
}

TEST(DBPosixTest, OpenWriteReopenOnRealFiles) {
  std::string dir = test::NewTempDir("posix_db");
  Options options;
  options.create_if_missing = true;
  {
    std::unique_ptr<DB> db;
    ASSERT_TRUE(DB::Open(options, dir, &db).ok());
    ASSERT_TRUE(db->Put(WriteOptions(), "k", "v").ok());
    std::unique_ptr<DB> second;
    Status s = DB::Open(options, dir, &second);
    EXPECT_TRUE(s.IsBusy()) << s.ToString();
    ASSERT_TRUE(db->Flush().ok());
    ASSERT_TRUE(db->Put(WriteOptions(), "k2", "v2").ok());
  }
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options, dir, &db).ok());
  std::string v;
  ASSERT_TRUE(db->Get(ReadOptions(), "k", &v).ok());
  EXPECT_EQ(v, "v");
  ASSERT_TRUE(db->Get(ReadOptions(), "k2", &v).ok());
  EXPECT_EQ(v, "v2");
  db.reset();
  ASSERT_TRUE(DestroyDB(dir, options).ok());
}

}  // namespace shale
