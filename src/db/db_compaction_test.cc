// Compaction in a running DB: automatic triggers, what CompactRange drops,
// what it must keep for snapshots and iterators, flow control, push-down of
// flushed tables, and background errors with Resume.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "db/db_impl.h"
#include "db/dbformat.h"
#include "table/table.h"
#include "testing/db_test_util.h"
#include "testing/test_util.h"

namespace shale {
namespace {

class DBCompactionTest : public test::DBTestBase {
 protected:
  DBCompactionTest() {
    options_.write_buffer_size = 64 << 10;
    options_.level0_file_num_compaction_trigger = 4;
    options_.max_bytes_for_level_base = 256 << 10;
    options_.target_file_size = 64 << 10;
    options_.max_mem_compact_level = 0;
    Reopen();
  }

  // Every internal entry in every live table file, as "key@seq:type".
  std::vector<std::string> TableEntries() {
    std::vector<std::string> out;
    std::vector<std::string> children;
    EXPECT_TRUE(env_->GetChildren(dbname_, &children).ok());
    InternalKeyComparator icmp(BytewiseComparator());
    for (const auto& name : children) {
      if (!name.ends_with(".sst")) continue;
      std::string path = dbname_ + "/" + name;
      uint64_t size;
      EXPECT_TRUE(env_->GetFileSize(path, &size).ok());
      std::unique_ptr<RandomAccessFile> file;
      EXPECT_TRUE(env_->NewRandomAccessFile(path, &file).ok());
      TableOptions topts;
      topts.comparator = &icmp;
      std::unique_ptr<Table> table;
      Status s = Table::Open(topts, path, std::move(file), size, &table);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) continue;
      auto iter = table->NewIterator(ReadOptions());
      for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
        ParsedInternalKey k;
        EXPECT_TRUE(ParseInternalKey(iter->key(), &k));
        out.push_back(std::string(k.user_key) + "@" +
                      std::to_string(k.sequence) + ":" +
                      std::to_string(static_cast<int>(k.type)));
      }
    }
    return out;
  }
  size_t CountEntriesFor(const std::string& user_key) {
    size_t n = 0;
    for (const auto& e : TableEntries()) {
      if (e.substr(0, e.find('@')) == user_key) n++;
    }
    return n;
  }
  double Stat(const std::string& name) {
    std::map<std::string, double> m;
    db_->GetStatsMap(&m);
    EXPECT_TRUE(m.count(name)) << name;
    return m[name];
  }
  void FillKeys(int n, const std::string& prefix, int value_size) {
    for (int i = 0; i < n; i++) {
      char key[32];
      std::snprintf(key, sizeof(key), "%s%06d", prefix.c_str(), i);
      ASSERT_TRUE(Put(key, std::string(value_size, 'a' + i % 26)).ok());
    }
  }
};

TEST_F(DBCompactionTest, Level0TriggerCompactsInTheBackground) {
  for (int round = 0; round < 8; round++) {
    FillKeys(200, "k", 100);
    ASSERT_TRUE(db_->Flush().ok());
  }
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  EXPECT_LT(NumFilesAtLevel(0), 4);
  EXPECT_GT(Stat("compactions"), 0);
  EXPECT_LT(Stat("level0.score"), 1);
  for (int i = 0; i < 200; i++) {
    char key[32];
    std::snprintf(key, sizeof(key), "k%06d", i);
    ASSERT_EQ(Get(key), std::string(100, 'a' + i % 26));
  }
  std::string levels;
  ASSERT_TRUE(db_->GetProperty("shale.levelstats", &levels));
  EXPECT_NE(levels.find("Level"), std::string::npos);
}

TEST_F(DBCompactionTest, CompactRangeDropsDeletedExpiredAndOverwritten) {
  env_->SetUnixMillis(1'000'000);
  ASSERT_TRUE(Put("keep", "v1").ok());
  // Each version in its own table: a flush keeps only the newest version of
  // a key in its memtable.
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(Put("keep", "v2").ok());
  ASSERT_TRUE(Put("gone", "x").ok());
  WriteOptions wo;
  wo.expire_at_ms = 1'000'100;
  ASSERT_TRUE(db_->Put(wo, "temp", "t").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(Delete("gone").ok());
  ASSERT_TRUE(Put("keep", "v3").ok());
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(CountEntriesFor("keep"), 3u);
  EXPECT_EQ(CountEntriesFor("gone"), 2u);

  env_->SetUnixMillis(1'000'200);  // temp expires
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  EXPECT_EQ(CountEntriesFor("keep"), 1u);
  EXPECT_EQ(CountEntriesFor("gone"), 0u);
  EXPECT_EQ(CountEntriesFor("temp"), 0u);
  EXPECT_EQ(Contents(), "keep=v3");
  EXPECT_EQ(NumFilesAtLevel(0), 0);
}

TEST_F(DBCompactionTest, ExpiredEntryAboveOlderVersionsBecomesATombstone) {
  // An expired entry above data in a deeper level must keep hiding it.
  env_->SetUnixMillis(1'000'000);
  ASSERT_TRUE(Put("k", "old").ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());  // old -> level 1
  WriteOptions wo;
  wo.expire_at_ms = 1'000'100;
  ASSERT_TRUE(db_->Put(wo, "k", "new").ok());
  ASSERT_TRUE(db_->Flush().ok());
  env_->SetUnixMillis(1'000'200);
  // Compact level 0 alone into level 1 is what CompactRange does first; the
  // old version then goes with it. Either way "k" never reads as "old".
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  EXPECT_EQ(Get("k"), "NOT_FOUND");
  EXPECT_EQ(CountEntriesFor("k"), 0u);
  Reopen();
  EXPECT_EQ(Get("k"), "NOT_FOUND");
}

TEST_F(DBCompactionTest, SnapshotsKeepTheVersionsTheySee) {
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(Put("b", "1").ok());
  const Snapshot* snap = db_->GetSnapshot();
  ASSERT_TRUE(Put("a", "2").ok());
  ASSERT_TRUE(Delete("b").ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  EXPECT_EQ(Get("a", snap), "1");
  EXPECT_EQ(Get("b", snap), "1");
  EXPECT_EQ(Contents(snap), "a=1,b=1");
  EXPECT_EQ(Contents(), "a=2");
  EXPECT_EQ(CountEntriesFor("a"), 2u);
  db_->ReleaseSnapshot(snap);
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  EXPECT_EQ(CountEntriesFor("a"), 1u);
  EXPECT_EQ(CountEntriesFor("b"), 0u);
}

TEST_F(DBCompactionTest, IteratorsKeepReadingTheFilesTheyStartedWith) {
  FillKeys(500, "k", 200);
  ASSERT_TRUE(db_->Flush().ok());
  auto iter = db_->NewIterator(ReadOptions());
  iter->SeekToFirst();
  for (int i = 0; i < 500; i++) {
    char key[32];
    std::snprintf(key, sizeof(key), "k%06d", i);
    ASSERT_TRUE(Delete(key).ok());
  }
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  EXPECT_EQ(Contents(), "");
  int n = 0;
  for (; iter->Valid(); iter->Next()) n++;
  EXPECT_TRUE(iter->status().ok()) << iter->status().ToString();
  EXPECT_EQ(n, 500);
}

TEST_F(DBCompactionTest, PartialRange) {
  FillKeys(300, "a", 100);
  FillKeys(300, "b", 100);
  ASSERT_TRUE(db_->Flush().ok());
  for (int i = 0; i < 300; i++) {
    char key[32];
    std::snprintf(key, sizeof(key), "a%06d", i);
    ASSERT_TRUE(Delete(key).ok());
    std::snprintf(key, sizeof(key), "b%06d", i);
    ASSERT_TRUE(Delete(key).ok());
  }
  ASSERT_TRUE(db_->Flush().ok());
  std::string_view begin = "a", end = "a\xff";
  ASSERT_TRUE(db_->CompactRange(&begin, &end).ok());
  EXPECT_EQ(CountEntriesFor("a000000"), 0u);
  EXPECT_EQ(Contents(), "");
}

TEST_F(DBCompactionTest, FlushedTablesArePushedDownWhenNothingOverlaps) {
  options_.max_mem_compact_level = 2;
  Reopen();
  ASSERT_TRUE(Put("m", "1").ok());
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(NumFilesAtLevel(0), 0);
  EXPECT_EQ(NumFilesAtLevel(2), 1);
  ASSERT_TRUE(Put("m", "2").ok());
  ASSERT_TRUE(db_->Flush().ok());
  // Overlaps level 2 only: lands right above it.
  EXPECT_EQ(NumFilesAtLevel(1), 1);
  ASSERT_TRUE(Put("m", "3").ok());
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(NumFilesAtLevel(0), 1);
  EXPECT_EQ(Get("m"), "3");
  EXPECT_EQ(Stat("flush_pushdowns"), 2);
  Reopen();
  EXPECT_EQ(Get("m"), "3");
}

TEST_F(DBCompactionTest, TrivialMoveCopiesNothing) {
  FillKeys(100, "k", 100);
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(NumFilesAtLevel(0), 1);
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  // One file into an empty level 1: a MANIFEST edit, then rewritten in
  // place only because CompactRange cleans the last level.
  EXPECT_EQ(Stat("trivial_moves"), 1);
  EXPECT_EQ(NumFilesAtLevel(1), 1);
}

TEST_F(DBCompactionTest, WritesSlowDownAndStopAtLevel0Triggers) {
  Close();
  options_.level0_file_num_compaction_trigger = 2;
  options_.level0_slowdown_writes_trigger = 3;
  options_.level0_stop_writes_trigger = 4;
  options_.max_background_jobs = 2;
  Reopen();
  // Keep compactions from running until the writer has hit the stop.
  impl()->TEST_PauseCompactions(true);
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    for (int i = 0; i < 4000; i++) {
      char key[32];
      std::snprintf(key, sizeof(key), "k%06d", i);
      ASSERT_TRUE(Put(key, std::string(200, 'x')).ok());
    }
    writer_done = true;
  });
  // Polls (bounded) until level 0 reaches the stop trigger: the writer
  // must then be held up.
  for (int i = 0; i < 10000000 && NumFilesAtLevel(0) < 4 && !writer_done; i++) {
    std::this_thread::yield();
  }
  EXPECT_GE(NumFilesAtLevel(0), 4);
  EXPECT_FALSE(writer_done.load());
  impl()->TEST_PauseCompactions(false);
  writer.join();
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  EXPECT_GT(Stat("slowdowns"), 0);
  EXPECT_GT(Stat("stall_micros"), 0);
  EXPECT_LT(NumFilesAtLevel(0), 4);
}

TEST_F(DBCompactionTest, NoSpaceDuringFlushIsABackgroundErrorUntilResume) {
  FillKeys(100, "before", 100);
  env_->InjectFault({FaultOp::kAppend, ".sst", Status::Code::kNoSpace, 0, -1});
  Status s = db_->Flush();
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  // Writes fail with the sticky error; reads keep working.
  s = Put("during", "x");
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_EQ(Get("before000001"), std::string(100, 'b'));
  EXPECT_EQ(Stat("background_error"), 1);
  // Still full: Resume reports it.
  EXPECT_FALSE(db_->Resume().ok());
  env_->ClearFaults();
  ASSERT_TRUE(db_->Resume().ok());
  ASSERT_TRUE(Put("after", "y").ok());
  ASSERT_TRUE(db_->Flush().ok());
  Reopen();
  EXPECT_EQ(Get("before000001"), std::string(100, 'b'));
  EXPECT_EQ(Get("during"), "NOT_FOUND");
  EXPECT_EQ(Get("after"), "y");
}

TEST_F(DBCompactionTest, IOErrorDuringCompactionLosesNothing) {
  FillKeys(300, "k", 100);
  ASSERT_TRUE(db_->Flush().ok());
  FillKeys(300, "k", 100);
  ASSERT_TRUE(db_->Flush().ok());
  env_->InjectFault({FaultOp::kSync, ".sst", Status::Code::kIOError, 0, -1});
  Status s = db_->CompactRange(nullptr, nullptr);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(Get("k000010"), std::string(100, 'a' + 10));
  env_->ClearFaults();
  ASSERT_TRUE(db_->Resume().ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  Reopen();
  for (int i = 0; i < 300; i++) {
    char key[32];
    std::snprintf(key, sizeof(key), "k%06d", i);
    ASSERT_EQ(Get(key), std::string(100, 'a' + i % 26));
  }
}

TEST_F(DBCompactionTest, WalSyncErrorStopsWritesUntilResume) {
  ASSERT_TRUE(Put("a", "1", /*sync=*/true).ok());
  env_->InjectFault({FaultOp::kSync, ".log", Status::Code::kIOError, 0, 1});
  Status s = Put("b", "2", /*sync=*/true);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_TRUE(Put("c", "3").IsIOError());
  ASSERT_TRUE(db_->Resume().ok());
  ASSERT_TRUE(Put("d", "4", /*sync=*/true).ok());
  ASSERT_TRUE(TryReopenOn(env_->CloneAfterCrash()).ok());
  EXPECT_EQ(Get("a"), "1");
  EXPECT_EQ(Get("d"), "4");
  EXPECT_EQ(Get("c"), "NOT_FOUND");
}

}  // namespace
}  // namespace shale
