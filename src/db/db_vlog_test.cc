// Key-value separation in a running DB: values in vlogs read back the same
// way, garbage is counted exactly, GC moves live values and deletes dead
// files, and nothing a snapshot or iterator can see is lost.
#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include "db/db_impl.h"
#include "db/stored_value.h"
#include "table/table.h"
#include "testing/db_test_util.h"
#include "testing/test_util.h"
#include "vlog/vlog_format.h"

namespace shale {
namespace {

class DBVlogTest : public test::DBTestBase {
 protected:
  DBVlogTest() {
    options_.write_buffer_size = 256 << 10;
    options_.enable_value_separation = true;
    options_.min_blob_size = 100;
    options_.max_mem_compact_level = 0;
    Reopen();
  }
  static std::string Value(int i, int version, size_t size = 1000) {
    std::string v =
        "v" + std::to_string(version) + ":" + std::to_string(i) + ":";
    v.resize(size, static_cast<char>('a' + (i + version) % 26));
    return v;
  }
  static std::string Key(int i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "key%06d", i);
    return buf;
  }
  std::vector<std::string> Files(const std::string& suffix) {
    std::vector<std::string> children, out;
    EXPECT_TRUE(env_->GetChildren(dbname_, &children).ok());
    for (const auto& c : children) {
      if (c.ends_with(suffix)) out.push_back(dbname_ + "/" + c);
    }
    return out;
  }
  uint64_t VlogBytesOnDisk() {
    uint64_t sum = 0;
    for (const auto& f : Files(".vlog")) {
      uint64_t size;
      EXPECT_TRUE(env_->GetFileSize(f, &size).ok());
      sum += size;
    }
    return sum;
  }
};

TEST_F(DBVlogTest, LargeValuesLiveInVlogsAndReadBack) {
  for (int i = 0; i < 300; i++) {
    ASSERT_TRUE(Put(Key(i), Value(i, 1, i % 2 ? 1000 : 10)).ok());
  }
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(Files(".vlog").size(), 1u);
  std::string v;
  ASSERT_TRUE(db_->GetProperty("shale.vlog-files", &v));
  EXPECT_EQ(v, "1");
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < 300; i++) {
      ASSERT_EQ(Get(Key(i)), Value(i, 1, i % 2 ? 1000 : 10)) << i;
    }
    auto iter = db_->NewIterator(ReadOptions());
    int i = 0;
    for (iter->SeekToFirst(); iter->Valid(); iter->Next(), i++) {
      ASSERT_EQ(iter->value(), Value(i, 1, i % 2 ? 1000 : 10));
    }
    EXPECT_EQ(i, 300);
    for (iter->SeekToLast(); iter->Valid(); iter->Prev()) {
      --i;
      ASSERT_EQ(iter->key(), Key(i));
      ASSERT_EQ(iter->value(), Value(i, 1, i % 2 ? 1000 : 10));
    }
    Reopen();
  }
  CheckGarbageIsExact();
}

TEST_F(DBVlogTest, ExpiringLargeValues) {
  env_->SetUnixMillis(1'000'000);
  WriteOptions wo;
  wo.expire_at_ms = 1'000'500;
  ASSERT_TRUE(db_->Put(wo, "temp", Value(1, 1)).ok());
  ASSERT_TRUE(Put("keep", Value(2, 1)).ok());
  ASSERT_TRUE(db_->Flush().ok());
  EXPECT_EQ(Get("temp"), Value(1, 1));
  env_->SetUnixMillis(1'000'500);
  EXPECT_EQ(Get("temp"), "NOT_FOUND");
  EXPECT_EQ(Contents(), "keep=" + Value(2, 1));
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  CheckGarbageIsExact();
  // The expired value's record is garbage (and, half of its file, soon
  // collected): what stays referenced is exactly the live value's record.
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  CheckGarbageIsExact();
  uint64_t referenced = 0;
  for (const auto& [number, meta] : impl()->TEST_VlogFiles()) {
    referenced += meta.data_bytes - meta.garbage_bytes;
  }
  EXPECT_EQ(referenced, kVlogRecordHeaderSize + 4 + Value(2, 1).size());
  EXPECT_EQ(Contents(), "keep=" + Value(2, 1));
}

TEST_F(DBVlogTest, OverwritesBecomeGarbageAndGcDeletesDeadFiles) {
  const int n = 400;
  for (int version = 1; version <= 4; version++) {
    for (int i = 0; i < n; i++)
      ASSERT_TRUE(Put(Key(i), Value(i, version)).ok());
    ASSERT_TRUE(db_->Flush().ok());
  }
  // Half of the keys are deleted: their values must never come back.
  for (int i = 0; i < n; i += 2) ASSERT_TRUE(Delete(Key(i)).ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  CheckGarbageIsExact();
  for (int i = 0; i < n; i++) {
    ASSERT_EQ(Get(Key(i)), i % 2 ? Value(i, 4) : "NOT_FOUND") << i;
  }
  // Every earlier version is garbage: the files holding only those are gone
  // from the disk, and what is left is within 1.5x of the live data.
  uint64_t live = (n / 2) * (kVlogRecordHeaderSize + Key(0).size() + 1000);
  ASSERT_TRUE(
      db_->CompactRange(CompactRangeOptions{true}, nullptr, nullptr).ok());
  CheckGarbageIsExact();
  EXPECT_LE(VlogBytesOnDisk(), live * 3 / 2) << "live " << live;
  for (const auto& [number, meta] : impl()->TEST_VlogFiles()) {
    EXPECT_EQ(meta.garbage_bytes, 0u) << "forced GC left garbage in " << number;
  }
  for (int i = 0; i < n; i++) {
    ASSERT_EQ(Get(Key(i)), i % 2 ? Value(i, 4) : "NOT_FOUND") << i;
  }
  Reopen();
  CheckGarbageIsExact();
  for (int i = 0; i < n; i++) {
    ASSERT_EQ(Get(Key(i)), i % 2 ? Value(i, 4) : "NOT_FOUND") << i;
  }
}

// No CompactRange: the picker alone finds the vlogs whose garbage reached
// the threshold, through the tables' vlog refs, and rewrites the tables
// holding their live values until none is due.
TEST_F(DBVlogTest, GcRunsByItselfUntilNoVlogIsDue) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  std::fprintf(stderr, "GcRunsByItself seed %llu\n",
               static_cast<unsigned long long>(seed));
  Random rnd(seed);
  const int n = 600;
  std::vector<int> version(n, 0);
  for (int round = 1; round <= 12; round++) {
    // A random part of the keys each round: older vlogs keep a mix of live
    // values and garbage, which only GC can reclaim.
    for (int i = 0; i < n; i++) {
      if (round > 1 && !rnd.OneIn(3)) continue;
      version[i] = round;
      ASSERT_TRUE(Put(Key(i), Value(i, round)).ok());
    }
    ASSERT_TRUE(db_->Flush().ok());
  }
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  EXPECT_FALSE(impl()->TEST_NeedsVlogGc());
  std::map<std::string, double> stats;
  db_->GetStatsMap(&stats);
  EXPECT_GT(stats["vlog.gc_compactions"], 0);
  EXPECT_GT(stats["vlog.values_moved"], 0);
  // Every moved value is a record of at least its value's size in a vlog
  // some compaction wrote, and the per-reason counts add up to the total.
  EXPECT_GE(stats["vlog.gc_bytes_written"],
            stats["vlog.values_moved"] * Value(0, 1).size());
  double by_reason = 0;
  for (const char* reason :
       {"level0-file-count", "level-size", "manual", "vlog-gc", "space"}) {
    by_reason +=
        stats[std::string("compaction.") + reason + ".vlog_bytes_written"];
  }
  EXPECT_EQ(by_reason, stats["vlog.gc_bytes_written"]);
  EXPECT_LE(stats["vlog.gc_bytes_written"], stats["compaction_bytes_written"]);
  uint64_t data = 0;
  for (const auto& [number, meta] : impl()->TEST_VlogFiles()) {
    EXPECT_LT(meta.garbage_bytes, meta.data_bytes * options_.blob_gc_threshold)
        << "vlog " << number << " is still due";
    data += meta.data_bytes;
  }
  const uint64_t live = n * (kVlogRecordHeaderSize + Key(0).size() + 1000);
  EXPECT_LE(data, 2 * live);
  CheckGarbageIsExact();
  for (int i = 0; i < n; i++) {
    ASSERT_EQ(Get(Key(i)), Value(i, version[i])) << i;
  }
  Reopen();
  CheckGarbageIsExact();
  for (int i = 0; i < n; i++) {
    ASSERT_EQ(Get(Key(i)), Value(i, version[i])) << i;
  }
}

TEST_F(DBVlogTest, SnapshotsAndIteratorsKeepTheirValuesThroughGc) {
  for (int i = 0; i < 200; i++) ASSERT_TRUE(Put(Key(i), Value(i, 1)).ok());
  ASSERT_TRUE(db_->Flush().ok());
  const Snapshot* snap = db_->GetSnapshot();
  auto iter = db_->NewIterator(ReadOptions());
  for (int i = 0; i < 200; i++) ASSERT_TRUE(Put(Key(i), Value(i, 2)).ok());
  for (int i = 0; i < 200; i += 3) ASSERT_TRUE(Delete(Key(i)).ok());
  ASSERT_TRUE(
      db_->CompactRange(CompactRangeOptions{true}, nullptr, nullptr).ok());
  CheckGarbageIsExact();
  for (int i = 0; i < 200; i++) ASSERT_EQ(Get(Key(i), snap), Value(i, 1));
  int i = 0;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next(), i++) {
    ASSERT_EQ(iter->value(), Value(i, 1));
  }
  EXPECT_TRUE(iter->status().ok()) << iter->status().ToString();
  EXPECT_EQ(i, 200);
  iter.reset();
  db_->ReleaseSnapshot(snap);
  ASSERT_TRUE(
      db_->CompactRange(CompactRangeOptions{true}, nullptr, nullptr).ok());
  CheckGarbageIsExact();
  for (int k = 0; k < 200; k++) {
    ASSERT_EQ(Get(Key(k)), k % 3 ? Value(k, 2) : "NOT_FOUND");
  }
  std::string bytes, garbage;
  ASSERT_TRUE(db_->GetProperty("shale.vlog-bytes", &bytes));
  ASSERT_TRUE(db_->GetProperty("shale.vlog-garbage-bytes", &garbage));
  EXPECT_EQ(garbage, "0");
}

TEST_F(DBVlogTest, DamagedVlogRecordIsCorruptionNamingTheFile) {
  for (int i = 0; i < 10; i++) ASSERT_TRUE(Put(Key(i), Value(i, 1)).ok());
  ASSERT_TRUE(db_->Flush().ok());
  auto vlogs = Files(".vlog");
  ASSERT_EQ(vlogs.size(), 1u);
  // Byte 100 lies in the first record's value.
  ASSERT_TRUE(env_->CorruptByte(vlogs[0], 100, 0x01).ok());
  std::string v;
  Status s = db_->Get(ReadOptions(), Key(0), &v);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find(".vlog"), std::string::npos) << s.ToString();
  EXPECT_EQ(Get(Key(5)), Value(5, 1));
  auto iter = db_->NewIterator(ReadOptions());
  iter->SeekToFirst();
  EXPECT_FALSE(iter->Valid());
  EXPECT_TRUE(iter->status().IsCorruption());
  iter.reset();
  // A missing vlog file is found at open.
  Close();
  ASSERT_TRUE(env_->RemoveFile(vlogs[0]).ok());
  s = TryOpen(CurrentOptions());
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.ToString().find(".vlog"), std::string::npos) << s.ToString();
}

// GC racing with writes, deletes, expiring writes, snapshots and
// compactions: every snapshot reads exactly what was there when it was
// taken, nothing deleted comes back, and the garbage counts stay exact.
TEST_F(DBVlogTest, GcRacesWithWritesSnapshotsAndCompactions) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  std::fprintf(stderr, "GcRaces seed %llu\n",
               static_cast<unsigned long long>(seed));
  Close();
  options_.write_buffer_size = 64 << 10;
  options_.blob_gc_threshold = 0.3;
  options_.target_file_size = 32 << 10;
  options_.max_bytes_for_level_base = 128 << 10;
  Reopen();
  env_->SetUnixMillis(1'000'000);

  using Model = std::map<std::string, std::string>;
  struct Snap {
    const Snapshot* snapshot;
    Model model;
  };
  std::mutex mu;
  std::deque<Snap> pending;  // taken by the writer, checked by the reader
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};

  std::thread gc([&] {
    Random rnd(seed + 1);
    while (!done.load()) {
      CompactRangeOptions o;
      o.force_vlog_gc = rnd.OneIn(2);
      Status st = db_->CompactRange(o, nullptr, nullptr);
      if (!st.ok()) failures++;
    }
  });
  std::thread reader([&] {
    while (true) {
      Snap snap;
      {
        std::lock_guard<std::mutex> l(mu);
        if (pending.empty()) {
          if (done.load()) break;
          std::this_thread::yield();  // nothing to check yet
          continue;
        }
        snap = std::move(pending.front());
        pending.pop_front();
      }
      ReadOptions ro;
      ro.snapshot = snap.snapshot;
      auto iter = db_->NewIterator(ro);
      auto it = snap.model.begin();
      for (iter->SeekToFirst(); iter->Valid(); iter->Next(), ++it) {
        if (it == snap.model.end() || iter->key() != it->first ||
            iter->value() != it->second) {
          failures++;
          break;
        }
      }
      if (!iter->status().ok() || it != snap.model.end()) failures++;
      iter.reset();
      db_->ReleaseSnapshot(snap.snapshot);
    }
  });

  Random rnd(seed);
  Model model;
  for (int op = 0; op < 4000; op++) {
    std::string k = Key(static_cast<int>(rnd.Uniform(150)));
    uint64_t r = rnd.Uniform(10);
    if (r < 6) {
      std::string v = k + "@" + std::to_string(op) + ":";
      v.resize(100 + rnd.Uniform(1500), 'x');
      Status ps = Put(k, v);
      ASSERT_TRUE(ps.ok()) << ps.ToString();
      model[k] = v;
    } else if (r < 8) {
      Status ds = Delete(k);
      ASSERT_TRUE(ds.ok()) << ds.ToString();
      model.erase(k);
    } else {
      // Expires far in the future (the clock stands still): a live value
      // with an expiring pointer type.
      WriteOptions wo;
      wo.expire_at_ms = 5'000'000;
      std::string v = k + "@" + std::to_string(op) + ":e";
      v.resize(200 + rnd.Uniform(800), 'e');
      Status ps = db_->Put(wo, k, v);
      ASSERT_TRUE(ps.ok()) << ps.ToString();
      model[k] = v;
    }
    if (op % 200 == 0) {
      std::lock_guard<std::mutex> l(mu);
      pending.push_back({db_->GetSnapshot(), model});
    }
  }
  done = true;
  gc.join();
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  CheckGarbageIsExact();
  std::string want;
  for (const auto& [k, v] : model) {
    if (!want.empty()) want += ",";
    want += k + "=" + v;
  }
  EXPECT_EQ(Contents(), want);
  Reopen();
  EXPECT_EQ(Contents(), want);
  CheckGarbageIsExact();
}

}  // namespace
}  // namespace shale
