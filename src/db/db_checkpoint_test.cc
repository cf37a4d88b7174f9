// DB::CreateCheckpoint: the copy opens and holds exactly a prefix of the
// write order that includes every acknowledged write; files the checkpoint
// needs survive flushes, compactions and vlog GC that run meanwhile; a
// failure removes the directory and leaves the source alone.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>
#include <vector>

#include "db/db_impl.h"
#include "db/filename.h"
#include "testing/db_test_util.h"
#include "testing/test_util.h"

namespace shale {
namespace {

std::string Key(int writer, int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "w%d-%07d", writer, i);
  return buf;
}

// Values long enough to be separated when min_blob_size is small.
std::string Value(int writer, int i, int version = 0) {
  std::string v = std::to_string(writer) + ":" + std::to_string(i) + ":" +
                  std::to_string(version) + ":";
  v.resize(200 + i % 300, static_cast<char>('a' + (i + version) % 26));
  return v;
}

// MemEnv whose LinkFile fails as it does across file systems.
class NoLinkMemEnv : public MemEnv {
 public:
  Status LinkFile(const std::string&, const std::string&) override {
    return Status::NotSupported("link", "Invalid cross-device link");
  }
};

class DBCheckpointTest : public test::DBTestBase,
                         public testing::WithParamInterface<bool> {
 protected:
  DBCheckpointTest() {
    options_.enable_value_separation = GetParam();
    options_.min_blob_size = 100;
    options_.write_buffer_size = 64 << 10;
    Reopen();
  }

  // Opens a checkpoint (without creating anything).
  Status OpenCheckpoint(const std::string& dir, std::unique_ptr<DB>* out) {
    Options o = options_;
    o.create_if_missing = false;
    return DB::Open(o, dir, out);
  }
  static std::string ContentsOf(DB* db) {
    std::string out;
    auto iter = db->NewIterator(ReadOptions());
    for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
      if (!out.empty()) out += ',';
      out += std::string(iter->key()) + "=" + std::string(iter->value());
    }
    EXPECT_TRUE(iter->status().ok()) << iter->status().ToString();
    return out;
  }
  std::vector<std::string> FilesWithSuffix(const std::string& dir,
                                           const std::string& suffix) {
    std::vector<std::string> children, out;
    EXPECT_TRUE(env_->GetChildren(dir, &children).ok());
    for (const auto& c : children) {
      if (c.ends_with(suffix)) out.push_back(c);
    }
    return out;
  }
  // Writes n keys of writer 0, flushing every 100 so there are tables (and
  // vlogs) and a memtable.
  void Fill(int n, int version = 0) {
    for (int i = 0; i < n; i++) {
      ASSERT_TRUE(Put(Key(0, i), Value(0, i, version)).ok());
      if (i % 100 == 99 && i + 1 < n) {
        ASSERT_TRUE(db_->Flush().ok());
      }
    }
  }
};

TEST_P(DBCheckpointTest, OpensWithTheSourcesContents) {
  Fill(450);
  ASSERT_TRUE(Delete(Key(0, 7)).ok());
  const std::string expected = Contents();
  ASSERT_GT(FilesWithSuffix(dbname_, ".sst").size(), 0u);
  ASSERT_TRUE(db_->CreateCheckpoint("/ckpt").ok());
  EXPECT_EQ(FilesWithSuffix("/ckpt", "CURRENT").size(), 1u);

  // Independent of the source from here on.
  ASSERT_TRUE(Put(Key(0, 1), "changed").ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  std::unique_ptr<DB> ckpt;
  ASSERT_TRUE(OpenCheckpoint("/ckpt", &ckpt).ok());
  EXPECT_EQ(ContentsOf(ckpt.get()), expected);
  ASSERT_TRUE(ckpt->Put(WriteOptions(), "only-in-ckpt", "x").ok());
  EXPECT_EQ(Get("only-in-ckpt"), "NOT_FOUND");
  EXPECT_EQ(Get(Key(0, 1)), "changed");
  ckpt.reset();
  // Its writes survive its reopen.
  ASSERT_TRUE(OpenCheckpoint("/ckpt", &ckpt).ok());
  std::string v;
  ASSERT_TRUE(ckpt->Get(ReadOptions(), "only-in-ckpt", &v).ok());
}

TEST_P(DBCheckpointTest, ImmutableFilesAreLinkedWalsCopied) {
  Fill(250);
  ASSERT_TRUE(db_->CreateCheckpoint("/ckpt").ok());
  auto tables = FilesWithSuffix("/ckpt", ".sst");
  ASSERT_FALSE(tables.empty());
  // A link shares the bytes: damage to the source shows in the checkpoint.
  const std::string src = dbname_ + "/" + tables[0];
  ASSERT_TRUE(env_->CorruptByte(src, 0, 0xff).ok());
  std::string a, b;
  ASSERT_TRUE(env_->ReadFileToString(src, &a).ok());
  ASSERT_TRUE(env_->ReadFileToString("/ckpt/" + tables[0], &b).ok());
  EXPECT_EQ(a, b);
  ASSERT_TRUE(env_->CorruptByte(src, 0, 0xff).ok());
  // The WAL is a copy: the source's later writes do not reach it.
  auto wals = FilesWithSuffix("/ckpt", ".log");
  ASSERT_EQ(wals.size(), 1u);
  ASSERT_TRUE(env_->ReadFileToString("/ckpt/" + wals[0], &b).ok());
  ASSERT_TRUE(Put("later", std::string(1000, 'l')).ok());
  ASSERT_TRUE(env_->ReadFileToString(dbname_ + "/" + wals[0], &a).ok());
  EXPECT_GT(a.size(), b.size());
  EXPECT_EQ(a.substr(0, b.size()), b);
}

TEST_P(DBCheckpointTest, CopiesWhenTheEnvCannotLink) {
  auto env = std::make_unique<NoLinkMemEnv>();
  ASSERT_TRUE(TryReopenOn(std::move(env)).ok());
  Fill(250);
  const std::string expected = Contents();
  ASSERT_TRUE(db_->CreateCheckpoint("/ckpt").ok());
  auto tables = FilesWithSuffix("/ckpt", ".sst");
  ASSERT_FALSE(tables.empty());
  const std::string src = dbname_ + "/" + tables[0];
  std::string before, a, b;
  ASSERT_TRUE(env_->ReadFileToString(src, &before).ok());
  ASSERT_TRUE(env_->CorruptByte(src, 0, 0xff).ok());
  ASSERT_TRUE(env_->ReadFileToString("/ckpt/" + tables[0], &b).ok());
  EXPECT_EQ(b, before);  // a copy: untouched by the source's damage
  ASSERT_TRUE(env_->CorruptByte(src, 0, 0xff).ok());
  std::unique_ptr<DB> ckpt;
  ASSERT_TRUE(OpenCheckpoint("/ckpt", &ckpt).ok());
  EXPECT_EQ(ContentsOf(ckpt.get()), expected);
}

TEST_P(DBCheckpointTest, RefusesAnExistingPath) {
  Fill(10);
  ASSERT_TRUE(env_->CreateDir("/exists").ok());
  EXPECT_TRUE(db_->CreateCheckpoint("/exists").IsInvalidArgument());
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(env_->NewWritableFile("/file", &f).ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_TRUE(db_->CreateCheckpoint("/file").IsInvalidArgument());
  EXPECT_TRUE(db_->CreateCheckpoint(dbname_).IsInvalidArgument());
  EXPECT_TRUE(db_->CreateCheckpoint("").IsInvalidArgument());
  std::vector<std::string> children;
  ASSERT_TRUE(env_->GetChildren("/exists", &children).ok());
  EXPECT_TRUE(children.empty());
  EXPECT_EQ(Get(Key(0, 3)), Value(0, 3));
}

TEST_P(DBCheckpointTest, CheckpointOfACheckpoint) {
  Fill(350);
  const std::string expected = Contents();
  ASSERT_TRUE(db_->CreateCheckpoint("/ckpt1").ok());
  std::unique_ptr<DB> first;
  ASSERT_TRUE(OpenCheckpoint("/ckpt1", &first).ok());
  ASSERT_TRUE(first->Put(WriteOptions(), "second", "yes").ok());
  ASSERT_TRUE(first->CreateCheckpoint("/ckpt2").ok());
  std::unique_ptr<DB> second;
  ASSERT_TRUE(OpenCheckpoint("/ckpt2", &second).ok());
  std::string v;
  ASSERT_TRUE(second->Get(ReadOptions(), "second", &v).ok());
  ASSERT_TRUE(second->Delete(WriteOptions(), "second").ok());
  EXPECT_EQ(ContentsOf(second.get()), expected);
  EXPECT_EQ(ContentsOf(first.get()), "second=yes," + expected);
}

// The files the checkpoint pinned become obsolete in the source while it
// copies (a flush, a full compaction, forced vlog GC): they are kept until
// it returns, then deleted.
TEST_P(DBCheckpointTest, CompactionAndVlogGcDuringTheCopy) {
  // No WAL kept for reuse: every WAL listed below is a live one.
  options_.recycle_log_file_num = 0;
  Reopen();
  Fill(400);
  for (int i = 0; i < 400; i += 2) ASSERT_TRUE(Delete(Key(0, i)).ok());
  const std::string expected = Contents();
  auto old_tables = FilesWithSuffix(dbname_, ".sst");
  auto old_vlogs = FilesWithSuffix(dbname_, ".vlog");
  auto old_wals = FilesWithSuffix(dbname_, ".log");
  if (GetParam()) {
    ASSERT_FALSE(old_vlogs.empty());
  }

  bool hook_ran = false;
  impl()->TEST_SetCheckpointHook([&] {
    hook_ran = true;
    for (int i = 1; i < 400; i += 2) {
      ASSERT_TRUE(Put(Key(0, i), Value(0, i, 1)).ok());
    }
    CompactRangeOptions o;
    o.force_vlog_gc = true;
    ASSERT_TRUE(db_->CompactRange(o, nullptr, nullptr).ok());
    ASSERT_TRUE(db_->WaitForCompactions().ok());
    // Nothing pinned is gone yet.
    for (const auto& f : old_tables) {
      EXPECT_TRUE(env_->FileExists(dbname_ + "/" + f)) << f;
    }
    for (const auto& f : old_vlogs) {
      EXPECT_TRUE(env_->FileExists(dbname_ + "/" + f)) << f;
    }
    for (const auto& f : old_wals) {
      EXPECT_TRUE(env_->FileExists(dbname_ + "/" + f)) << f;
    }
  });
  ASSERT_TRUE(db_->CreateCheckpoint("/ckpt").ok());
  impl()->TEST_SetCheckpointHook(nullptr);
  ASSERT_TRUE(hook_ran);
  // Released: the source dropped what only the checkpoint needed.
  for (const auto& f : old_tables) {
    EXPECT_FALSE(env_->FileExists(dbname_ + "/" + f)) << f;
  }
  for (const auto& f : old_vlogs) {
    EXPECT_FALSE(env_->FileExists(dbname_ + "/" + f)) << f;
  }
  std::unique_ptr<DB> ckpt;
  ASSERT_TRUE(OpenCheckpoint("/ckpt", &ckpt).ok());
  EXPECT_EQ(ContentsOf(ckpt.get()), expected);
  for (int i = 1; i < 400; i += 2) ASSERT_EQ(Get(Key(0, i)), Value(0, i, 1));
}

TEST_P(DBCheckpointTest, IteratorsPinningOlderFiles) {
  Fill(300);
  auto iter = db_->NewIterator(ReadOptions());
  const std::string old_contents = Contents();
  for (int i = 0; i < 300; i++) {
    ASSERT_TRUE(Put(Key(0, i), Value(0, i, 2)).ok());
  }
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  const std::string expected = Contents();
  ASSERT_TRUE(db_->CreateCheckpoint("/ckpt").ok());
  std::unique_ptr<DB> ckpt;
  ASSERT_TRUE(OpenCheckpoint("/ckpt", &ckpt).ok());
  EXPECT_EQ(ContentsOf(ckpt.get()), expected);
  std::string seen;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    if (!seen.empty()) seen += ',';
    seen += std::string(iter->key()) + "=" + std::string(iter->value());
  }
  EXPECT_EQ(seen, old_contents);
}

// Four writers run through the checkpoint. It must hold, per writer, a
// prefix of its writes that includes every write acknowledged before the
// call and none begun after it returned.
TEST_P(DBCheckpointTest, ConsistentWithConcurrentWriters) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  constexpr int kWriters = 4;
  constexpr int kRounds = 3;
  std::atomic<int> acked[kWriters] = {};
  std::atomic<int> started[kWriters] = {};
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; w++) {
    writers.emplace_back([&, w] {
      Random rnd(seed + w);
      for (int i = 0; !stop.load(); i++) {
        started[w].store(i + 1);
        WriteOptions wo;
        wo.sync = rnd.OneIn(50);
        Status s = db_->Put(wo, Key(w, i), Value(w, i));
        ASSERT_TRUE(s.ok()) << s.ToString();
        acked[w].store(i + 1);
        if (rnd.OneIn(200)) {
          ASSERT_TRUE(db_->Flush().ok());
        }
      }
    });
  }
  for (int round = 0; round < kRounds; round++) {
    // Let the writers get going (and some flushes happen) first.
    const int target = 300 * (round + 1);
    const uint64_t deadline = env_->NowMicros() + 30'000'000;
    while (acked[round % kWriters].load() < target &&
           env_->NowMicros() < deadline) {
      std::this_thread::yield();
    }
    int acked_before[kWriters], started_after[kWriters];
    for (int w = 0; w < kWriters; w++) acked_before[w] = acked[w].load();
    const std::string dir = "/ckpt" + std::to_string(round);
    Status s = db_->CreateCheckpoint(dir);
    for (int w = 0; w < kWriters; w++) started_after[w] = started[w].load();
    ASSERT_TRUE(s.ok()) << s.ToString();

    std::unique_ptr<DB> ckpt;
    ASSERT_TRUE(OpenCheckpoint(dir, &ckpt).ok());
    for (int w = 0; w < kWriters; w++) {
      SCOPED_TRACE("writer " + std::to_string(w));
      // The writes it holds form a prefix: find its end by scanning.
      int present = 0;
      std::string v;
      while (ckpt->Get(ReadOptions(), Key(w, present), &v).ok()) {
        ASSERT_EQ(v, Value(w, present));
        present++;
      }
      EXPECT_GE(present, acked_before[w]);
      EXPECT_LE(present, started_after[w]);
      // Nothing past the prefix.
      int count = 0;
      auto iter = ckpt->NewIterator(ReadOptions());
      const std::string prefix = "w" + std::to_string(w) + "-";
      for (iter->Seek(prefix); iter->Valid() && iter->key().starts_with(prefix);
           iter->Next()) {
        count++;
      }
      EXPECT_EQ(count, present);
    }
  }
  stop.store(true);
  for (auto& t : writers) t.join();
}

// Every call of the copy, failed in turn: the directory goes, the source
// keeps its contents and takes writes.
TEST_P(DBCheckpointTest, FailureRemovesTheDirectory) {
  Fill(250);
  const std::string expected = Contents();
  int failures = 0;
  for (FaultOp op :
       {FaultOp::kOpen, FaultOp::kAppend, FaultOp::kSync, FaultOp::kFlush,
        FaultOp::kRename, FaultOp::kSyncDir, FaultOp::kMetadata}) {
    for (int skip = 0;; skip++) {
      SCOPED_TRACE(std::string(FaultOpName(op)) + " skip " +
                   std::to_string(skip));
      env_->ClearFaults();
      env_->InjectFault({op, "/ckpt", Status::Code::kIOError, skip, 1});
      Status s = db_->CreateCheckpoint("/ckpt");
      env_->ClearFaults();
      if (s.ok()) {
        ASSERT_TRUE(env_->FileExists("/ckpt"));
        // The fault came after the last call of its kind.
        std::vector<std::string> children;
        ASSERT_TRUE(env_->GetChildren("/ckpt", &children).ok());
        for (const auto& c : children) {
          ASSERT_TRUE(env_->RemoveFile("/ckpt/" + c).ok());
        }
        ASSERT_TRUE(env_->RemoveDir("/ckpt").ok());
        break;
      }
      failures++;
      EXPECT_FALSE(env_->FileExists("/ckpt")) << s.ToString();
      EXPECT_EQ(Contents(), expected);
      ASSERT_LT(skip, 100);
    }
  }
  EXPECT_GT(failures, 10);
  ASSERT_TRUE(Put("after", "ok").ok());
  Reopen();
  EXPECT_EQ(Get("after"), "ok");
}

// A power loss in the middle of a checkpoint (with the disk failing from
// some call on, so not even the cleanup runs): the source recovers every
// synced write, and the partial directory is no DB.
TEST_P(DBCheckpointTest, CrashMidCheckpointLeavesTheSourceIntact) {
  Fill(250);
  ASSERT_TRUE(db_->SyncWAL().ok());
  const std::string expected = Contents();
  for (int skip = 0; skip < 40; skip += 3) {
    SCOPED_TRACE("skip " + std::to_string(skip));
    env_->ClearFaults();
    env_->InjectFault(
        {FaultOp::kAny, "/ckpt", Status::Code::kIOError, skip, -1});
    Status s = db_->CreateCheckpoint("/ckpt");
    auto clone = env_->CloneAfterCrash();
    env_->ClearFaults();
    if (s.ok()) break;
    Options o = options_;
    o.env = clone.get();
    o.create_if_missing = false;
    std::unique_ptr<DB> recovered;
    ASSERT_TRUE(DB::Open(o, dbname_, &recovered).ok());
    EXPECT_EQ(ContentsOf(recovered.get()), expected);
    std::unique_ptr<DB> partial;
    EXPECT_FALSE(DB::Open(o, "/ckpt", &partial).ok());
    // Clean up what the failing disk left in the live Env.
    std::vector<std::string> children;
    if (env_->GetChildren("/ckpt", &children).ok()) {
      for (const auto& c : children) {
        ASSERT_TRUE(env_->RemoveFile("/ckpt/" + c).ok());
      }
      ASSERT_TRUE(env_->RemoveDir("/ckpt").ok());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ValueSeparation, DBCheckpointTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "Separated" : "Inline";
                         });

// On a real file system: tables and vlogs are hard links (one inode).
TEST(DBCheckpointPosixTest, LinksOnOneFileSystem) {
  const std::string root = test::NewTempDir("checkpoint");
  Options options;
  options.create_if_missing = true;
  options.min_blob_size = 100;
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options, root + "/db", &db).ok());
  for (int i = 0; i < 200; i++) {
    ASSERT_TRUE(db->Put(WriteOptions(), Key(0, i), Value(0, i)).ok());
  }
  ASSERT_TRUE(db->Flush().ok());
  ASSERT_TRUE(db->Put(WriteOptions(), "tail", "in the WAL").ok());
  ASSERT_TRUE(db->CreateCheckpoint(root + "/ckpt").ok());
  std::vector<std::string> children;
  ASSERT_TRUE(Env::Default()->GetChildren(root + "/ckpt", &children).ok());
  int linked = 0;
  for (const auto& c : children) {
    struct stat a, b;
    ASSERT_EQ(::stat((root + "/ckpt/" + c).c_str(), &a), 0) << c;
    if (::stat((root + "/db/" + c).c_str(), &b) != 0) continue;
    const bool same = a.st_ino == b.st_ino && a.st_dev == b.st_dev;
    if (c.ends_with(".sst") || c.ends_with(".vlog")) {
      EXPECT_TRUE(same) << c;
      linked++;
    } else {
      EXPECT_FALSE(same) << c;
    }
  }
  EXPECT_EQ(linked, 2);  // one table, one vlog
  db.reset();
  Options o;
  std::unique_ptr<DB> ckpt;
  ASSERT_TRUE(DB::Open(o, root + "/ckpt", &ckpt).ok());
  std::string v;
  ASSERT_TRUE(ckpt->Get(ReadOptions(), "tail", &v).ok());
  EXPECT_EQ(v, "in the WAL");
  ASSERT_TRUE(ckpt->Get(ReadOptions(), Key(0, 199), &v).ok());
  EXPECT_EQ(v, Value(0, 199));
  ckpt.reset();
  ASSERT_TRUE(DestroyDB(root + "/ckpt", o).ok());
  ASSERT_TRUE(DestroyDB(root + "/db", o).ok());
  ::rmdir(root.c_str());
}

}  // namespace
}  // namespace shale
