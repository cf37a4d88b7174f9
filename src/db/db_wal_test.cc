// WALs across memtable switches: a switch leaves the old WAL unsynced, so a
// sync must cover every older WAL, and recovery must stop where a power
// loss cut an older WAL while a newer one survived (docs/format/wal.md,
// section 4). On the in-memory Env, with flushes paused so the WALs stay
// live.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/log_writer.h"
#include "db/write_batch_internal.h"
#include "testing/db_test_util.h"
#include "util/coding.h"

namespace shale {
namespace {

class DBWalTest : public test::DBTestBase {
 protected:
  DBWalTest() {
    options_.write_buffer_size = 64 << 10;
    options_.max_write_buffer_number = 6;
    Reopen();
  }

  static std::string Key(char prefix, int i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%c%05d", prefix, i);
    return buf;
  }

  // Writes keys prefix00000, prefix00001, ... (1 KiB values, no sync) until
  // the memtable has switched `switches` more times; returns how many.
  int WriteUntilSwitches(char prefix, int switches) {
    const int target = impl()->TEST_NumImmutableMemTables() + switches;
    int n = 0;
    while (impl()->TEST_NumImmutableMemTables() < target) {
      EXPECT_TRUE(Put(Key(prefix, n), std::string(1000, prefix)).ok());
      n++;
    }
    return n;
  }

  // With flushes paused: 'a' keys until the memtable switches (all in the
  // first WAL but the last, written after the switch), then kB 'b' keys in
  // the second. Returns how many 'a' keys.
  static constexpr int kB = 20;
  int FillTwoWals() {
    impl()->TEST_PauseFlushes(true);
    int a = WriteUntilSwitches('a', 1);
    WriteKeys('b', kB);
    return a;
  }

  void WriteKeys(char prefix, int n) {
    for (int i = 0; i < n; i++) {
      ASSERT_TRUE(Put(Key(prefix, i), std::string(1000, prefix)).ok());
    }
  }

  // The live WAL numbers, oldest first.
  std::vector<uint64_t> Wals() {
    std::vector<std::string> children;
    EXPECT_TRUE(env_->GetChildren(dbname_, &children).ok());
    std::vector<uint64_t> wals;
    for (const std::string& name : children) {
      uint64_t number;
      FileType type;
      if (ParseFileName(name, &number, &type) && type == FileType::kLogFile) {
        wals.push_back(number);
      }
    }
    std::sort(wals.begin(), wals.end());
    return wals;
  }

  // Replaces the DB by one opened on a crash clone in which WAL `cut` keeps
  // its synced bytes plus `fraction` of its unsynced tail, and every other
  // file keeps everything it had. The directory is synced first (as the
  // file system's journal would, in time): a switch does not sync the new
  // WAL's name, and a WAL whose name is lost cannot show a gap.
  Status CrashCuttingWal(uint64_t cut, double fraction) {
    EXPECT_TRUE(env_->SyncDir(dbname_).ok());
    const std::string cut_path = LogFileName(dbname_, cut);
    std::unique_ptr<MemEnv> clone = env_->CloneAfterCrashKeeping(
        [&](const std::string& path, uint64_t synced, uint64_t size) {
          if (path != cut_path) return size;
          return synced + static_cast<uint64_t>(fraction * (size - synced));
        });
    return TryReopenOn(std::move(clone));
  }

  // How many of prefix00000.. are present, checking they form a prefix.
  int CountPrefix(char prefix, int written) {
    int present = 0;
    for (int i = 0; i < written; i++) {
      if (Get(Key(prefix, i)) != "NOT_FOUND") {
        EXPECT_EQ(present, i)
            << Key(prefix, i) << " is back without " << Key(prefix, present);
        present++;
      }
    }
    return present;
  }

  double Stat(const std::string& name) {
    std::map<std::string, double> stats;
    db_->GetStatsMap(&stats);
    return stats.at(name);
  }
};

TEST_F(DBWalTest, SyncWalCoversTheWalsSwitchesLeftUnsynced) {
  impl()->TEST_PauseFlushes(true);
  int a = WriteUntilSwitches('a', 2);
  WriteKeys('b', 3);
  ASSERT_GE(Wals().size(), 3u);
  ASSERT_TRUE(db_->SyncWAL().ok());
  impl()->TEST_PauseFlushes(false);
  env_->SimulateCrash();
  Reopen();
  EXPECT_EQ(CountPrefix('a', a), a);
  EXPECT_EQ(CountPrefix('b', 3), 3);
}

TEST_F(DBWalTest, ASyncWriteCoversTheWalsSwitchesLeftUnsynced) {
  impl()->TEST_PauseFlushes(true);
  int a = WriteUntilSwitches('a', 2);
  ASSERT_TRUE(Put("synced", "s", /*sync=*/true).ok());
  impl()->TEST_PauseFlushes(false);
  env_->SimulateCrash();
  Reopen();
  EXPECT_EQ(CountPrefix('a', a), a);
  EXPECT_EQ(Get("synced"), "s");
}

TEST_F(DBWalTest, ACleanCloseSyncsEveryWal) {
  impl()->TEST_PauseFlushes(true);
  int a = WriteUntilSwitches('a', 2);
  Close();  // the paused flushes never ran
  env_->SimulateCrash();
  Reopen();
  EXPECT_EQ(CountPrefix('a', a), a);
}

// SyncWAL runs beside the writers (not in their queue) while memtables
// switch: every write acknowledged before a SyncWAL began survives.
TEST_F(DBWalTest, ConcurrentSyncWalCoversEveryEarlierWrite) {
  constexpr int kWriters = 3;
  constexpr int kWrites = 3000;
  std::array<std::atomic<int>, kWriters> acked{};
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; t++) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kWrites; i++) {
        std::string k = "t" + std::to_string(t) + "." + std::to_string(i);
        ASSERT_TRUE(Put(k, std::string(200, 'v')).ok());
        acked[t].store(i + 1);
      }
    });
  }
  std::array<int, kWriters> durable{};
  int syncs = 0;
  std::thread syncer([&] {
    while (!done.load()) {
      std::array<int, kWriters> before;
      for (int t = 0; t < kWriters; t++) before[t] = acked[t].load();
      ASSERT_TRUE(db_->SyncWAL().ok());
      durable = before;
      syncs++;
    }
  });
  for (auto& w : writers) w.join();
  done = true;
  syncer.join();
  ASSERT_GT(syncs, 0);
  ASSERT_TRUE(TryReopenOn(env_->CloneAfterCrash()).ok());
  for (int t = 0; t < kWriters; t++) {
    for (int i = 0; i < durable[t]; i++) {
      std::string k = "t" + std::to_string(t) + "." + std::to_string(i);
      ASSERT_NE(Get(k), "NOT_FOUND") << k << " of " << durable[t];
    }
  }
}

// An Env as one written before SyncFlushed existed: every call goes to a
// MemEnv, but its writable files keep WritableFile's default SyncFlushed
// (NotSupported).
class OldStyleEnv : public Env {
 public:
  explicit OldStyleEnv(MemEnv* base) : base_(base) {}
  Status NewSequentialFile(const std::string& p,
                           std::unique_ptr<SequentialFile>* r) override {
    return base_->NewSequentialFile(p, r);
  }
  Status NewRandomAccessFile(const std::string& p,
                             std::unique_ptr<RandomAccessFile>* r) override {
    return base_->NewRandomAccessFile(p, r);
  }
  Status NewWritableFile(const std::string& p,
                         std::unique_ptr<WritableFile>* r) override {
    return Wrap(base_->NewWritableFile(p, r), r);
  }
  Status NewAppendableFile(const std::string& p,
                           std::unique_ptr<WritableFile>* r) override {
    return Wrap(base_->NewAppendableFile(p, r), r);
  }
  bool FileExists(const std::string& p) override {
    return base_->FileExists(p);
  }
  Status GetChildren(const std::string& d,
                     std::vector<std::string>* r) override {
    return base_->GetChildren(d, r);
  }
  Status RemoveFile(const std::string& p) override {
    return base_->RemoveFile(p);
  }
  Status CreateDir(const std::string& d) override {
    return base_->CreateDir(d);
  }
  Status RemoveDir(const std::string& d) override {
    return base_->RemoveDir(d);
  }
  Status GetFileSize(const std::string& p, uint64_t* s) override {
    return base_->GetFileSize(p, s);
  }
  Status RenameFile(const std::string& a, const std::string& b) override {
    return base_->RenameFile(a, b);
  }
  Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  Status LockFile(const std::string& p, std::unique_ptr<FileLock>* l) override {
    return base_->LockFile(p, l);
  }
  uint64_t NowMicros() override { return base_->NowMicros(); }
  uint64_t NowUnixMillis() override { return base_->NowUnixMillis(); }
  void SleepForMicros(uint64_t m) override { base_->SleepForMicros(m); }

 private:
  class File : public WritableFile {
   public:
    explicit File(std::unique_ptr<WritableFile> f) : f_(std::move(f)) {}
    Status Append(std::string_view d) override { return f_->Append(d); }
    Status Flush() override { return f_->Flush(); }
    Status Sync() override { return f_->Sync(); }
    Status Close() override { return f_->Close(); }
    uint64_t Size() const override { return f_->Size(); }

   private:
    std::unique_ptr<WritableFile> f_;
  };
  static Status Wrap(Status s, std::unique_ptr<WritableFile>* r) {
    if (s.ok()) *r = std::make_unique<File>(std::move(*r));
    return s;
  }
  MemEnv* const base_;
};

TEST_F(DBWalTest, SyncWalWorksOnAnEnvWithoutSyncFlushed) {
  OldStyleEnv old_style(env_.get());
  options_.env = &old_style;
  Reopen();
  impl()->TEST_PauseFlushes(true);
  int a = WriteUntilSwitches('a', 2);
  ASSERT_TRUE(db_->SyncWAL().ok());
  impl()->TEST_PauseFlushes(false);
  ASSERT_TRUE(TryReopenOn(env_->CloneAfterCrash()).ok());
  EXPECT_EQ(CountPrefix('a', a), a);
}

// The control for the tests below: with every WAL whole, nothing is dropped.
TEST_F(DBWalTest, WholeWalsReplayInFull) {
  int a = FillTwoWals();
  std::vector<uint64_t> wals = Wals();
  ASSERT_EQ(wals.size(), 2u);
  ASSERT_TRUE(CrashCuttingWal(wals[0], 1.0).ok());
  EXPECT_EQ(CountPrefix('a', a), a);
  EXPECT_EQ(CountPrefix('b', kB), kB);
  EXPECT_EQ(Stat("wals_dropped_at_recovery"), 0);
}

TEST_F(DBWalTest, RecoveryStopsWhereAnOlderWalLostItsTail) {
  int a = FillTwoWals();
  std::vector<uint64_t> wals = Wals();
  ASSERT_EQ(wals.size(), 2u);
  ASSERT_TRUE(CrashCuttingWal(wals[0], 0.5).ok());
  int kept = CountPrefix('a', a);
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, a);
  // The newer WAL survived whole, but its writes came after lost ones.
  EXPECT_EQ(CountPrefix('b', kB), 0);
  EXPECT_EQ(Stat("wals_dropped_at_recovery"), 1);
  // The DB goes on from the recovered state, and keeps it.
  ASSERT_TRUE(Put("c", "1").ok());
  Reopen();
  EXPECT_EQ(CountPrefix('a', a), kept);
  EXPECT_EQ(CountPrefix('b', kB), 0);
  EXPECT_EQ(Get("c"), "1");
}

TEST_F(DBWalTest, RecoveryStopsWhereTheOldestWalLostEverything) {
  int a = FillTwoWals();
  std::vector<uint64_t> wals = Wals();
  ASSERT_EQ(wals.size(), 2u);
  ASSERT_TRUE(CrashCuttingWal(wals[0], 0.0).ok());
  EXPECT_EQ(CountPrefix('a', a), 0);
  EXPECT_EQ(CountPrefix('b', kB), 0);
  EXPECT_EQ(Stat("wals_dropped_at_recovery"), 1);
}

TEST_F(DBWalTest, AGapInTheMiddleDropsEveryLaterWal) {
  impl()->TEST_PauseFlushes(true);
  int a = WriteUntilSwitches('a', 1);
  int b = WriteUntilSwitches('b', 1);
  WriteKeys('c', 20);
  std::vector<uint64_t> wals = Wals();
  ASSERT_EQ(wals.size(), 3u);
  ASSERT_TRUE(CrashCuttingWal(wals[1], 0.5).ok());
  EXPECT_EQ(CountPrefix('a', a), a);
  int kept = CountPrefix('b', b);
  EXPECT_LT(kept, b);
  EXPECT_EQ(CountPrefix('c', 20), 0);
}

TEST_F(DBWalTest, AbsoluteConsistencyRefusesWritesAfterAGap) {
  options_.wal_recovery_mode = WalRecoveryMode::kAbsoluteConsistency;
  Reopen();
  FillTwoWals();
  std::vector<uint64_t> wals = Wals();
  ASSERT_EQ(wals.size(), 2u);
  Status s = CrashCuttingWal(wals[0], 0.0);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find(LogFileName(dbname_, wals[1])), std::string::npos)
      << s.ToString();
}

// The sequence numbers of a failed write are burned, but never reached the
// WAL: the WAL Resume starts must not look like it follows lost writes.
TEST_F(DBWalTest, WritesAfterResumeSurviveAPowerLoss) {
  ASSERT_TRUE(Put("before", "1", /*sync=*/true).ok());
  env_->InjectFault({FaultOp::kAppend, ".log", Status::Code::kIOError, 0, 1});
  ASSERT_FALSE(Put("failed", "2").ok());
  env_->ClearFaults();
  ASSERT_FALSE(Put("refused", "3").ok());
  ASSERT_TRUE(db_->Resume().ok());
  ASSERT_TRUE(Put("after", "4", /*sync=*/true).ok());
  env_->SimulateCrash();
  Reopen();
  EXPECT_EQ(Contents(), "after=4,before=1");
}

// WALs written before start markers existed (an empty one included, as an
// older Resume could leave) replay whole.
TEST_F(DBWalTest, WalsWithoutStartMarkersReplayInFull) {
  Close();
  std::vector<uint64_t> wals = Wals();
  ASSERT_EQ(wals.size(), 1u);
  // The live WAL, emptied, then a newer one holding a write without marker.
  std::unique_ptr<WritableFile> file;
  ASSERT_TRUE(env_->NewWritableFile(LogFileName(dbname_, wals[0]), &file).ok());
  ASSERT_TRUE(file->Close().ok());
  ASSERT_TRUE(
      env_->NewWritableFile(LogFileName(dbname_, wals[0] + 1), &file).ok());
  log::Writer writer(file.get());
  WriteBatch batch;
  batch.Put("legacy", "v");
  WriteBatchInternal::SetSequence(&batch, 1000);
  ASSERT_TRUE(writer.AddRecord(WriteBatchInternal::Contents(&batch)).ok());
  ASSERT_TRUE(file->Close().ok());
  Reopen();
  EXPECT_EQ(Get("legacy"), "v");
  EXPECT_EQ(Stat("wals_dropped_at_recovery"), 0);
}

// Every new WAL starts with its marker: an empty batch carrying the first
// sequence the WAL may hold.
TEST_F(DBWalTest, EveryWalStartsWithItsMarker) {
  ASSERT_TRUE(Put("k", "v").ok());  // sequence 1
  ASSERT_TRUE(db_->Flush().ok());   // a switch: the next WAL starts at 2
  // The newest: the flushed one may be kept for reuse
  // (Options::recycle_log_file_num).
  std::vector<uint64_t> wals = Wals();
  ASSERT_FALSE(wals.empty());
  std::string data;
  ASSERT_TRUE(
      env_->ReadFileToString(LogFileName(dbname_, wals.back()), &data).ok());
  // One FULL fragment (WAL framing: type 5, then the WAL's number) of 12
  // bytes: sequence 2, count 0.
  ASSERT_EQ(data.size(), 11u + 12u);
  EXPECT_EQ(data.substr(4, 3), std::string("\x0c\x00\x05", 3));
  char number[4];
  EncodeFixed32(number, static_cast<uint32_t>(wals.back()));
  EXPECT_EQ(data.substr(7, 4), std::string(number, 4));
  EXPECT_EQ(data.substr(11), std::string("\x02\0\0\0\0\0\0\0\0\0\0\0", 12));
}

// A flushed WAL is reused for a later one, which writes over it; the older
// WAL's records stay in the file after the new ones. Here the reused file's
// tail holds Put(victim) while the tables, after a full compaction, hold
// nothing of the victim: replaying that record would bring a deleted key
// back. The record carries the older WAL's number, so recovery stops there.
TEST_F(DBWalTest, ReusedWalNeverReplaysTheOlderWalsRecords) {
  ASSERT_TRUE(Put("victim", "old").ok());
  ASSERT_TRUE(db_->Flush().ok());  // its WAL is kept for reuse
  ASSERT_EQ(Stat("wals_reused"), 0);
  ASSERT_TRUE(db_->Delete(WriteOptions(), "victim").ok());
  ASSERT_TRUE(db_->Flush().ok());  // the switch reuses it
  ASSERT_EQ(Stat("wals_reused"), 1);
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  ASSERT_TRUE(db_->SyncWAL().ok());
  ASSERT_TRUE(env_->SyncDir(dbname_).ok());
  ASSERT_TRUE(TryReopenOn(env_->CloneAfterCrash()).ok());
  EXPECT_EQ(Get("victim"), "NOT_FOUND");
  ASSERT_TRUE(Put("after", "reopen").ok());
  EXPECT_EQ(Get("after"), "reopen");
}

// Reuse keeps at most recycle_log_file_num obsolete WALs on disk, and 0
// turns it off.
TEST_F(DBWalTest, RecycleLogFileNumBoundsTheKeptWals) {
  for (size_t keep : {size_t{0}, size_t{1}, size_t{2}}) {
    SCOPED_TRACE(keep);
    options_.recycle_log_file_num = keep;
    Reopen();
    const double reused_before = Stat("wals_reused");
    for (int i = 0; i < 6; i++) {
      WriteKeys('r', 50);
      ASSERT_TRUE(db_->Flush().ok());
      // One live WAL after a flush (the newest); obsolete ones only as kept
      // for reuse, and the stats size each kind.
      const std::vector<uint64_t> wals = Wals();
      EXPECT_LE(wals.size(), 1 + keep);
      uint64_t kept_bytes = 0, live_bytes = 0;
      for (uint64_t number : wals) {
        uint64_t size = 0;
        ASSERT_TRUE(
            env_->GetFileSize(LogFileName(dbname_, number), &size).ok());
        (number == wals.back() ? live_bytes : kept_bytes) += size;
      }
      EXPECT_EQ(Stat("live_wal_bytes"), live_bytes);
      EXPECT_EQ(Stat("recycled_wal_bytes"), kept_bytes);
      if (keep > 0 && i > 0) EXPECT_GT(kept_bytes, 0u);
    }
    if (keep == 0) {
      EXPECT_EQ(Stat("wals_reused"), reused_before);
    } else {
      EXPECT_GE(Stat("wals_reused"), reused_before + 4);
    }
  }
  // kAbsoluteConsistency never reuses: a torn write over an older WAL would
  // read as corruption there.
  options_.recycle_log_file_num = 2;
  options_.wal_recovery_mode = WalRecoveryMode::kAbsoluteConsistency;
  Reopen();
  for (int i = 0; i < 4; i++) {
    WriteKeys('s', 50);
    ASSERT_TRUE(db_->Flush().ok());
  }
  EXPECT_EQ(Stat("wals_reused"), 0);
}

}  // namespace
}  // namespace shale
