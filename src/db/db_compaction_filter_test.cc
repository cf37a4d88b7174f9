// The compaction filter in a running DB: what it removes and changes, in
// flushes, CompactRange and automatic compactions; what it must never do
// (bring back an older version, change what a snapshot sees, see expired
// entries); key-only decisions; a filter that reads the DB; threads.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/log_reader.h"
#include "db/version_edit.h"
#include "testing/db_test_util.h"
#include "testing/test_util.h"

namespace shale {
namespace {

// Decides by key prefix, while active:
//   del:    removed from the key alone
//   keep:   kept from the key alone
//   vdel:   removed once the value is seen
//   chg:    value becomes "new:" + value (once)
//   grow:   value becomes 3000 bytes
//   shrink: value becomes "s"
//   elem:<c>:... removed when the DB holds no key "meta:<c>" (read with
//           DB::Get from inside the filter)
// Everything else: kept after seeing the value.
class PrefixFilter : public CompactionFilter {
 public:
  const char* Name() const override { return "test.PrefixFilter"; }

  KeyDecision FilterKey(const Context& ctx, std::string_view key) override {
    Record(ctx, key);
    if (!active.load()) return KeyDecision::kKeep;
    if (key.starts_with("del:")) return KeyDecision::kRemove;
    if (key.starts_with("keep:")) return KeyDecision::kKeep;
    if (key.starts_with("elem:")) {
      DB* d = db.load();
      if (d == nullptr) return KeyDecision::kKeep;
      std::string_view rest = key.substr(5);
      std::string meta = "meta:" + std::string(rest.substr(0, rest.find(':')));
      std::string value;
      Status s = d->Get(ReadOptions(), meta, &value);
      db_reads++;
      return s.IsNotFound() ? KeyDecision::kRemove : KeyDecision::kKeep;
    }
    return KeyDecision::kUndecided;
  }

  Decision Filter(const Context&, std::string_view key, std::string_view value,
                  std::string* new_value) override {
    values_seen++;
    if (key.starts_with("vdel:")) return Decision::kRemove;
    if (key.starts_with("chg:") && !value.starts_with("new:")) {
      *new_value = "new:" + std::string(value);
      return Decision::kChangeValue;
    }
    if (key.starts_with("grow:")) {
      *new_value = std::string(3000, 'g');
      return Decision::kChangeValue;
    }
    if (key.starts_with("shrink:")) {
      *new_value = "s";
      return Decision::kChangeValue;
    }
    return Decision::kKeep;
  }

  bool Saw(std::string_view key) {
    std::lock_guard l(mu_);
    return seen_.count(std::string(key)) > 0;
  }
  size_t Threads() {
    std::lock_guard l(mu_);
    return threads_.size();
  }
  void Forget() {
    std::lock_guard l(mu_);
    seen_.clear();
  }
  bool SawFlush() {
    std::lock_guard l(mu_);
    return saw_flush_;
  }
  // The job ids of the calls since the last TakeJobIds.
  std::set<uint64_t> TakeJobIds() {
    std::lock_guard l(mu_);
    return std::exchange(job_ids_, {});
  }

  std::atomic<bool> active{true};
  std::atomic<DB*> db{nullptr};
  std::atomic<int> db_reads{0};
  std::atomic<int> values_seen{0};

 private:
  void Record(const Context& ctx, std::string_view key) {
    std::lock_guard l(mu_);
    seen_.insert(std::string(key));
    threads_.insert(std::this_thread::get_id());
    saw_flush_ |= ctx.is_flush;
    job_ids_.insert(ctx.job_id);
  }

  std::mutex mu_;
  std::set<std::string> seen_;
  std::set<std::thread::id> threads_;
  bool saw_flush_ = false;
  std::set<uint64_t> job_ids_;
};

class DBCompactionFilterTest : public test::DBTestBase {
 protected:
  DBCompactionFilterTest() : filter_(std::make_shared<PrefixFilter>()) {
    options_.write_buffer_size = 64 << 10;
    options_.target_file_size = 64 << 10;
    options_.max_bytes_for_level_base = 256 << 10;
    options_.max_mem_compact_level = 0;
    options_.min_blob_size = 100;
    options_.compaction_filter = filter_;
    Reopen();
  }

  double Stat(const std::string& name) {
    std::map<std::string, double> m;
    db_->GetStatsMap(&m);
    EXPECT_TRUE(m.count(name)) << name;
    return m[name];
  }
  Status CompactAll() { return db_->CompactRange(nullptr, nullptr); }
  // Writes keys with the filter off and flushes them.
  void WriteUnfiltered(
      const std::vector<std::pair<std::string, std::string>>& kvs) {
    filter_->active = false;
    for (const auto& [k, v] : kvs) ASSERT_TRUE(Put(k, v).ok());
    ASSERT_TRUE(db_->Flush().ok());
    filter_->active = true;
  }

  std::shared_ptr<PrefixFilter> filter_;
};

TEST_F(DBCompactionFilterTest, RemovesAndChangesInCompactRange) {
  WriteUnfiltered({{"del:1", "x"},
                   {"vdel:1", "y"},
                   {"chg:1", "old"},
                   {"keep:1", "k"},
                   {"other", "o"}});
  EXPECT_EQ(Contents(), "chg:1=old,del:1=x,keep:1=k,other=o,vdel:1=y");
  ASSERT_TRUE(CompactAll().ok());
  EXPECT_EQ(Contents(), "chg:1=new:old,keep:1=k,other=o");
  EXPECT_EQ(Get("del:1"), "NOT_FOUND");
  EXPECT_EQ(Stat("compaction_filter.removed"), 2);
  EXPECT_EQ(Stat("compaction_filter.changed"), 1);
  std::string stats;
  ASSERT_TRUE(db_->GetProperty("shale.stats", &stats));
  EXPECT_NE(stats.find("Compaction filter test.PrefixFilter: 2 removed, 1 "
                       "changed"),
            std::string::npos)
      << stats;
  // The decisions are in the files: they hold after a reopen without the
  // filter.
  options_.compaction_filter = nullptr;
  Reopen();
  EXPECT_EQ(Contents(), "chg:1=new:old,keep:1=k,other=o");
}

TEST_F(DBCompactionFilterTest, FlushesAskTooAndSayTheyAreFlushes) {
  ASSERT_TRUE(Put("del:a", "x").ok());
  ASSERT_TRUE(Put("chg:a", "v").ok());
  EXPECT_EQ(Get("del:a"), "x");  // the memtable is not filtered
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_TRUE(filter_->SawFlush());
  EXPECT_EQ(Contents(), "chg:a=new:v");
}

TEST_F(DBCompactionFilterTest, EachJobHasItsOwnId) {
  // The server's filter caches what it read for one job's length: two jobs
  // sharing an id would let a stale answer outlive its job.
  filter_->TakeJobIds();
  ASSERT_TRUE(Put("keep:a1", "v").ok());
  ASSERT_TRUE(Put("keep:a2", "v").ok());
  ASSERT_TRUE(db_->Flush().ok());
  const std::set<uint64_t> first = filter_->TakeJobIds();
  ASSERT_TRUE(Put("keep:b1", "v").ok());
  ASSERT_TRUE(db_->Flush().ok());
  const std::set<uint64_t> second = filter_->TakeJobIds();
  ASSERT_TRUE(CompactAll().ok());
  const std::set<uint64_t> compactions = filter_->TakeJobIds();

  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  ASSERT_FALSE(compactions.empty());
  EXPECT_NE(*first.begin(), 0u);
  EXPECT_NE(*first.begin(), *second.begin());
  EXPECT_EQ(compactions.count(0), 0u);
  EXPECT_EQ(compactions.count(*first.begin()), 0u);
  EXPECT_EQ(compactions.count(*second.begin()), 0u);
}

TEST_F(DBCompactionFilterTest, RemovedKeyNeverShowsAnOlderVersion) {
  // v1 in a table below, v2 above it; the filter removes v2 in a flush and
  // in a compaction that does not reach v1: v1 must stay hidden.
  WriteUnfiltered({{"del:k", "v1"}, {"del:j", "j1"}});
  ASSERT_TRUE(CompactAll().ok());  // removed: nothing was below
  EXPECT_EQ(Get("del:k"), "NOT_FOUND");

  filter_->active = false;
  ASSERT_TRUE(Put("del:k", "v1").ok());
  ASSERT_TRUE(db_->Flush().ok());
  options_.compaction_filter = nullptr;
  Reopen();
  ASSERT_TRUE(CompactAll().ok());  // v1 at the bottom level
  ASSERT_GT(NumFilesAtLevel(1), 0);
  options_.compaction_filter = filter_;
  Reopen();
  filter_->active = true;
  ASSERT_TRUE(Put("del:k", "v2").ok());
  ASSERT_TRUE(db_->Flush().ok());  // removed in the flush
  EXPECT_EQ(Get("del:k"), "NOT_FOUND");
  EXPECT_EQ(Contents(), "");

  // Now by an automatic level-0 compaction into level 1, with v1 of another
  // key in level 2, outside the compaction.
  filter_->active = false;
  options_.max_mem_compact_level = 2;
  Reopen();
  ASSERT_TRUE(Put("del:m", "v1").ok());
  ASSERT_TRUE(db_->Flush().ok());  // to level 2: nothing overlaps it
  options_.max_mem_compact_level = 0;
  Reopen();
  ASSERT_EQ(NumFilesAtLevel(2), 1);
  impl()->TEST_PauseCompactions(true);
  for (int i = 0; i < options_.level0_file_num_compaction_trigger; i++) {
    ASSERT_TRUE(Put("del:m", "v" + std::to_string(2 + i)).ok());
    ASSERT_TRUE(db_->Flush().ok());
  }
  EXPECT_EQ(Get("del:m"), "v5");
  filter_->active = true;
  impl()->TEST_PauseCompactions(false);
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  EXPECT_EQ(NumFilesAtLevel(0), 0);
  EXPECT_EQ(NumFilesAtLevel(2), 1);  // v1 is still there, hidden
  EXPECT_EQ(Get("del:m"), "NOT_FOUND");
  Reopen();
  EXPECT_EQ(Get("del:m"), "NOT_FOUND");
  ASSERT_TRUE(CompactAll().ok());
  EXPECT_EQ(Get("del:m"), "NOT_FOUND");
  EXPECT_EQ(Contents(), "");
}

TEST_F(DBCompactionFilterTest, SnapshotsKeepSeeingWhatTheySaw) {
  WriteUnfiltered({{"del:a", "a1"}, {"chg:b", "b1"}});
  const Snapshot* snap = db_->GetSnapshot();
  filter_->active = false;
  ASSERT_TRUE(Put("del:a", "a2").ok());
  ASSERT_TRUE(Put("chg:b", "b2").ok());
  filter_->active = true;
  ASSERT_TRUE(CompactAll().ok());
  // The newest versions were filtered; the ones the snapshot reads were
  // not even shown to the filter.
  EXPECT_EQ(Get("del:a"), "NOT_FOUND");
  EXPECT_EQ(Get("chg:b"), "new:b2");
  EXPECT_EQ(Get("del:a", snap), "a1");
  EXPECT_EQ(Get("chg:b", snap), "b1");
  EXPECT_EQ(Contents(snap), "chg:b=b1,del:a=a1");
  db_->ReleaseSnapshot(snap);
  ASSERT_TRUE(CompactAll().ok());
  EXPECT_EQ(Contents(), "chg:b=new:b2");
}

TEST_F(DBCompactionFilterTest, ExpiredEntriesNeverReachIt) {
  env_->SetUnixMillis(1'000'000);
  WriteOptions wo;
  wo.expire_at_ms = 1'000'100;
  filter_->active = false;
  ASSERT_TRUE(db_->Put(wo, "chg:exp", "e").ok());
  ASSERT_TRUE(db_->Put(wo, "chg:exp-separated", std::string(500, 'e')).ok());
  ASSERT_TRUE(db_->Put(wo, "chg:live", "l").ok());
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_TRUE(filter_->Saw("chg:exp"));
  filter_ = std::make_shared<PrefixFilter>();
  options_.compaction_filter = filter_;
  Reopen();
  ASSERT_TRUE(Put("chg:live", "l2").ok());  // the expiry is per version
  env_->SetUnixMillis(1'000'100);
  ASSERT_TRUE(CompactAll().ok());
  EXPECT_FALSE(filter_->Saw("chg:exp"));
  EXPECT_FALSE(filter_->Saw("chg:exp-separated"));
  EXPECT_TRUE(filter_->Saw("chg:live"));
  EXPECT_EQ(Contents(), "chg:live=new:l2");
}

TEST_F(DBCompactionFilterTest, KeyOnlyDecisionsReadNoValueLog) {
  filter_->active = false;
  for (int i = 0; i < 50; i++) {
    ASSERT_TRUE(Put("del:" + std::to_string(i), std::string(400, 'd')).ok());
    ASSERT_TRUE(Put("keep:" + std::to_string(i), std::string(400, 'k')).ok());
  }
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_GT(Stat("vlog.files"), 0);
  filter_->active = true;
  ASSERT_TRUE(CompactAll().ok());
  EXPECT_EQ(Stat("compaction_filter.removed"), 50);
  EXPECT_EQ(Stat("compaction_filter.values_read"), 0);
  EXPECT_EQ(filter_->values_seen.load(), 0);
  EXPECT_EQ(Get("keep:7"), std::string(400, 'k'));
  // A decision that needs the value reads it from its vlog (counted).
  filter_->active = false;
  ASSERT_TRUE(Put("vdel:x", std::string(400, 'v')).ok());
  ASSERT_TRUE(Put("other", std::string(400, 'o')).ok());
  ASSERT_TRUE(db_->Flush().ok());
  // Background work the flush started must not judge (and read) them
  // while the filter is active: only CompactAll's job does.
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  filter_->active = true;
  ASSERT_TRUE(CompactAll().ok());
  ASSERT_TRUE(db_->WaitForCompactions().ok());  // jobs it set off, counted
  // Each value the filter saw was read once from its vlog: both entries, and
  // "other" again if CompactAll's jobs judge it at more than one level.
  EXPECT_GE(Stat("compaction_filter.values_read"), 2);
  EXPECT_EQ(Stat("compaction_filter.values_read"), filter_->values_seen.load());
  EXPECT_EQ(Get("vdel:x"), "NOT_FOUND");
  EXPECT_EQ(Get("other"), std::string(400, 'o'));
  CheckGarbageIsExact();
}

TEST_F(DBCompactionFilterTest, FilterMayReadTheDB) {
  filter_->db = db_.get();
  ASSERT_TRUE(Put("meta:c1", "live").ok());
  ASSERT_TRUE(Put("meta:c2", "live").ok());
  for (int i = 0; i < 20; i++) {
    ASSERT_TRUE(Put("elem:c1:" + std::to_string(i), "x").ok());
    ASSERT_TRUE(Put("elem:c2:" + std::to_string(i), "y").ok());
  }
  ASSERT_TRUE(db_->Flush().ok());  // the flush reads the DB: both live
  ASSERT_GT(filter_->db_reads.load(), 0);
  // Deleting a collection is one Delete; compaction drops its elements.
  ASSERT_TRUE(Delete("meta:c1").ok());
  ASSERT_TRUE(CompactAll().ok());
  std::string contents = Contents();
  EXPECT_EQ(contents.find("elem:c1"), std::string::npos) << contents;
  EXPECT_NE(contents.find("elem:c2:19=y"), std::string::npos) << contents;
  EXPECT_EQ(Stat("compaction_filter.removed"), 20);
  filter_->db = nullptr;
}

// A removal decided on a write the filter read is never durable before
// that write: the job syncs the WAL before installing. Here the Delete of
// "meta:c1" is only in the (unsynced) WAL when a compaction drops c1's
// elements; a power loss right after must not keep the drops and lose the
// Delete.
TEST_F(DBCompactionFilterTest, RemovalsNeverOutliveTheWritesTheyRead) {
  filter_->db = db_.get();
  ASSERT_TRUE(Put("meta:c1", "live", /*sync=*/true).ok());
  impl()->TEST_PauseCompactions(true);
  for (int f = 0; f < options_.level0_file_num_compaction_trigger; f++) {
    for (int i = 0; i < 10; i++) {
      ASSERT_TRUE(Put("elem:c1:" + std::to_string(f * 10 + i), "x").ok());
    }
    ASSERT_TRUE(db_->Flush().ok());  // kept: meta:c1 is live
  }
  ASSERT_TRUE(Delete("meta:c1").ok());
  const double removed = Stat("compaction_filter.removed");
  impl()->TEST_PauseCompactions(false);
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  ASSERT_EQ(Stat("compaction_filter.removed"), removed + 40);
  filter_->db = nullptr;
  ASSERT_TRUE(TryReopenOn(env_->CloneAfterCrash()).ok());
  EXPECT_EQ(Get("elem:c1:7"), "NOT_FOUND");
  EXPECT_EQ(Get("meta:c1"), "NOT_FOUND") << "the drops survived the Delete";
}

struct SeparationCase {
  bool separate;
  size_t min_blob_size;
};

class DBCompactionFilterSeparationTest
    : public DBCompactionFilterTest,
      public testing::WithParamInterface<SeparationCase> {};

TEST_P(DBCompactionFilterSeparationTest, ChangesMoveValuesBothWays) {
  options_.enable_value_separation = GetParam().separate;
  options_.min_blob_size = GetParam().min_blob_size;
  Reopen();
  std::vector<std::pair<std::string, std::string>> kvs;
  for (int i = 0; i < 30; i++) {
    const std::string n = std::to_string(i);
    kvs.emplace_back("grow:" + n, "small" + n);
    kvs.emplace_back("shrink:" + n, std::string(2000, 's') + n);
    kvs.emplace_back("vdel:" + n, std::string(i % 2 ? 2000 : 10, 'v'));
    kvs.emplace_back("chg:" + n, std::string(i % 2 ? 2000 : 10, 'c'));
  }
  WriteUnfiltered(kvs);
  ASSERT_TRUE(CompactAll().ok());
  for (int i = 0; i < 30; i++) {
    const std::string n = std::to_string(i);
    SCOPED_TRACE(n);
    EXPECT_EQ(Get("grow:" + n), std::string(3000, 'g'));
    EXPECT_EQ(Get("shrink:" + n), "s");
    EXPECT_EQ(Get("vdel:" + n), "NOT_FOUND");
    EXPECT_EQ(Get("chg:" + n), "new:" + std::string(i % 2 ? 2000 : 10, 'c'));
  }
  if (GetParam().separate) {
    EXPECT_GT(Stat("vlog.files"), 0);
  } else {
    EXPECT_EQ(Stat("vlog.files"), 0);
  }
  CheckGarbageIsExact();
  Reopen();
  CompactRangeOptions force;
  force.force_vlog_gc = true;
  ASSERT_TRUE(db_->CompactRange(force, nullptr, nullptr).ok());
  EXPECT_EQ(Get("grow:7"), std::string(3000, 'g'));
  EXPECT_EQ(Get("chg:7"), "new:" + std::string(2000, 'c'));
  CheckGarbageIsExact();
}

INSTANTIATE_TEST_SUITE_P(Separation, DBCompactionFilterSeparationTest,
                         testing::Values(SeparationCase{false, 100},
                                         SeparationCase{true, 100},
                                         SeparationCase{true, 0}));

// A filter that changes a value every time it sees it (grow:) leaves garbage
// in the log of the old value. Were it asked in the compaction that collects
// that garbage, it would leave more, and background work would never end:
// collections do not ask it (seen hanging with ChangesMoveValuesBothWays).
TEST_F(DBCompactionFilterTest, ValueLogCollectionsDoNotAskIt) {
  // Garbage is left uncollected at first (a threshold no file reaches) ...
  options_.enable_value_separation = true;
  options_.blob_gc_threshold = 2;
  Reopen();
  filter_->active = false;
  const std::string big(2000, 'x');
  for (int i = 0; i < 100; i++) {
    ASSERT_TRUE(Put("grow:" + std::to_string(i), big).ok());
  }
  ASSERT_TRUE(CompactAll().ok());
  for (int i = 0; i < 100; i++) {
    if (i % 4 == 3) continue;
    ASSERT_TRUE(Put("grow:" + std::to_string(i), big + "2").ok());
  }
  ASSERT_TRUE(CompactAll().ok());  // drops old versions: 75% garbage
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  // ... then collected by the compactions the reopen schedules.
  options_.blob_gc_threshold = 0.5;
  filter_->Forget();
  filter_->active = true;
  Reopen();
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  EXPECT_GT(Stat("vlog.gc_compactions"), 0);
  EXPECT_GT(Stat("vlog.values_moved"), 0);
  EXPECT_FALSE(filter_->Saw("grow:3"));
  EXPECT_EQ(Get("grow:3"), big);
  CheckGarbageIsExact();
}

TEST_F(DBCompactionFilterTest, ConcurrentJobsCallItFromSeveralThreads) {
  options_.max_background_jobs = 3;
  options_.level0_file_num_compaction_trigger = 2;
  Reopen();
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Random rnd(seed);
  std::atomic<bool> done{false};
  // A snapshot taken before every job: the filter must never change what it
  // sees, however many jobs judge the entry meanwhile. (One taken while a
  // job runs is not protected from that job: compaction_filter.h.)
  ASSERT_TRUE(Put("chg:fixed", "f").ok());
  const Snapshot* snap = db_->GetSnapshot();
  std::thread reader([&] {
    while (!done.load()) {
      EXPECT_EQ(Get("chg:fixed", snap), "f");
      std::this_thread::yield();
    }
  });
  for (int i = 0; i < 4000; i++) {
    const char* prefix = i % 3 == 0 ? "del:" : (i % 3 == 1 ? "keep:" : "x:");
    char key[32];
    std::snprintf(key, sizeof(key), "%s%05u", prefix,
                  static_cast<unsigned>(rnd.Uniform(2000)));
    ASSERT_TRUE(Put(key, test::RandomPrintable(&rnd, 100)).ok());
  }
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  done = true;
  reader.join();
  EXPECT_EQ(Get("chg:fixed", snap), "f");
  db_->ReleaseSnapshot(snap);
  ASSERT_TRUE(CompactAll().ok());
  EXPECT_EQ(Get("chg:fixed"), "new:f");
  EXPECT_EQ(Contents().find("del:"), std::string::npos);
  EXPECT_GE(filter_->Threads(), 2u);
  EXPECT_GT(Stat("compactions"), 0);
}

TEST_F(DBCompactionFilterTest, ItsNameIsRecordedInTheManifest) {
  // The names recorded, in order, by reading every MANIFEST edit.
  auto recorded = [&] {
    std::vector<std::string> names;
    uint64_t number = 0;
    EXPECT_TRUE(ReadCurrentFile(env_.get(), dbname_, &number).ok());
    std::unique_ptr<SequentialFile> file;
    EXPECT_TRUE(
        env_->NewSequentialFile(DescriptorFileName(dbname_, number), &file)
            .ok());
    log::Reader reader(file.get(), nullptr, "MANIFEST",
                       WalRecoveryMode::kAbsoluteConsistency);
    std::string_view record;
    std::string scratch;
    while (reader.ReadRecord(&record, &scratch)) {
      std::vector<VersionEdit> group;
      EXPECT_TRUE(DecodeEditGroup(record, &group).ok());
      for (const auto& e : group) {
        if (e.has_compaction_filter_name()) {
          names.push_back(e.compaction_filter_name());
        }
      }
    }
    return names;
  };
  // Open (with the filter) wrote it; reopening with it writes nothing new.
  auto names = recorded();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.back(), "test.PrefixFilter");
  const size_t count = names.size();
  Reopen();
  EXPECT_EQ(recorded().size(), count);
  options_.compaction_filter = nullptr;
  Reopen();
  names = recorded();
  ASSERT_EQ(names.size(), count + 1);
  EXPECT_EQ(names.back(), "");
}

}  // namespace
}  // namespace shale
