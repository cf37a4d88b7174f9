// DB::MultiGet answers every key as Get does on the same DB: keys in the
// memtable, in immutable memtables and in tables of several levels,
// through snapshots, deletions, expiry and values in value logs, with
// repeated and missing keys in one batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "db/db_impl.h"
#include "testing/db_test_util.h"
#include "testing/test_util.h"
#include "util/random.h"

namespace shale {
namespace {

class DBMultiGetTest : public test::DBTestBase {
 protected:
  static std::string Key(int i) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "key%06d", i);
    return buf;
  }

  // Get's answer as Get (a helper of the base) and MultiGet spell it.
  static std::string Answer(const Status& s, const std::string& value) {
    if (s.ok()) return value;
    if (s.IsNotFound()) return "NOT_FOUND";
    return s.ToString();
  }

  // MultiGet of keys, one answer each.
  std::vector<std::string> MultiGet(const std::vector<std::string>& keys,
                                    const Snapshot* snapshot = nullptr) {
    std::vector<std::string_view> views(keys.begin(), keys.end());
    // Stale contents, which MultiGet must overwrite or clear.
    std::vector<std::string> values(keys.size(), "stale");
    std::vector<Status> statuses(keys.size(), Status::IOError("stale"));
    ReadOptions ro;
    ro.snapshot = snapshot;
    db_->MultiGet(ro, views, values, statuses);
    std::vector<std::string> out;
    for (size_t i = 0; i < keys.size(); i++) {
      if (!statuses[i].ok()) {
        EXPECT_EQ(values[i], "") << keys[i];
      }
      out.push_back(Answer(statuses[i], values[i]));
    }
    return out;
  }

  // Checks MultiGet against Get for each key.
  void ExpectSameAsGet(const std::vector<std::string>& keys,
                       const Snapshot* snapshot = nullptr) {
    std::vector<std::string> got = MultiGet(keys, snapshot);
    ASSERT_EQ(got.size(), keys.size());
    for (size_t i = 0; i < keys.size(); i++) {
      EXPECT_EQ(got[i], Get(keys[i], snapshot)) << "key " << keys[i];
    }
  }
};

TEST_F(DBMultiGetTest, EmptyBatch) {
  ASSERT_TRUE(Put("a", "1").ok());
  db_->MultiGet(ReadOptions(), {}, {}, {});
  EXPECT_TRUE(MultiGet({}).empty());
}

TEST_F(DBMultiGetTest, MemtableDeletesMissingAndRepeatedKeys) {
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(Put("b", "2").ok());
  ASSERT_TRUE(Put("c", "3").ok());
  ASSERT_TRUE(Delete("b").ok());
  ASSERT_TRUE(Put("", "empty key").ok());
  std::vector<std::string> keys = {"c", "a", "b", "zz", "a", "", "c", "a"};
  EXPECT_EQ(MultiGet(keys),
            (std::vector<std::string>{"3", "1", "NOT_FOUND", "NOT_FOUND", "1",
                                      "empty key", "3", "1"}));
  ExpectSameAsGet(keys);
}

TEST_F(DBMultiGetTest, EveryLevelAndMemtable) {
  // Oldest versions pushed to the deepest level, newer ones in level 0,
  // an immutable memtable and the active one.
  options_.max_mem_compact_level = 0;  // flushes stay in level 0
  Reopen();
  for (int i = 0; i < 400; i++) ASSERT_TRUE(Put(Key(i), "deep" + Key(i)).ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  for (int i = 0; i < 400; i += 3) {
    ASSERT_TRUE(Put(Key(i), "l0-" + Key(i)).ok());
  }
  for (int i = 1; i < 400; i += 7) ASSERT_TRUE(Delete(Key(i)).ok());
  ASSERT_TRUE(db_->Flush().ok());
  impl()->TEST_PauseFlushes(true);
  // Fill the memtable until it switches: the keys >= 1000 and the
  // overwrites below sit in an immutable memtable.
  for (int i = 0; i < 400; i += 5) {
    ASSERT_TRUE(Put(Key(i), "imm-" + Key(i)).ok());
  }
  for (int i = 1000; impl()->TEST_NumImmutableMemTables() == 0; i++) {
    ASSERT_TRUE(Put(Key(i), std::string(1000, 'x')).ok());
  }
  for (int i = 0; i < 400; i += 11) {
    ASSERT_TRUE(Put(Key(i), "mem-" + Key(i)).ok());
  }
  for (int i = 2; i < 400; i += 13) ASSERT_TRUE(Delete(Key(i)).ok());
  ASSERT_GT(NumFilesAtLevel(0), 0);
  int deeper = 0;
  for (int level = 1; level < 7; level++) deeper += NumFilesAtLevel(level);
  ASSERT_GT(deeper, 0);

  std::vector<std::string> keys;
  for (int i = 0; i < 420; i++) keys.push_back(Key(i));
  for (int i = 1000; i < 1010; i++) keys.push_back(Key(i));
  std::reverse(keys.begin(), keys.end());  // not in order
  keys.push_back(Key(0));                  // and repeated
  ExpectSameAsGet(keys);
  const std::vector<std::string> some =
      MultiGet({Key(0), Key(1), Key(3), Key(10), Key(30), Key(4), Key(1000)});
  EXPECT_EQ(some,
            (std::vector<std::string>{
                "mem-" + Key(0), "NOT_FOUND", "l0-" + Key(3), "imm-" + Key(10),
                "imm-" + Key(30), "deep" + Key(4), std::string(1000, 'x')}));
  impl()->TEST_PauseFlushes(false);
  ASSERT_TRUE(db_->Flush().ok());
  ExpectSameAsGet(keys);
}

TEST_F(DBMultiGetTest, Snapshots) {
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(Put("b", "1").ok());
  const Snapshot* s1 = db_->GetSnapshot();
  ASSERT_TRUE(Put("a", "2").ok());
  ASSERT_TRUE(Delete("b").ok());
  ASSERT_TRUE(Put("c", "2").ok());
  ASSERT_TRUE(db_->Flush().ok());
  const Snapshot* s2 = db_->GetSnapshot();
  ASSERT_TRUE(Put("a", "3").ok());
  const std::vector<std::string> keys = {"a", "b", "c"};
  EXPECT_EQ(MultiGet(keys, s1),
            (std::vector<std::string>{"1", "1", "NOT_FOUND"}));
  EXPECT_EQ(MultiGet(keys, s2),
            (std::vector<std::string>{"2", "NOT_FOUND", "2"}));
  EXPECT_EQ(MultiGet(keys), (std::vector<std::string>{"3", "NOT_FOUND", "2"}));
  ExpectSameAsGet(keys, s1);
  ExpectSameAsGet(keys, s2);
  db_->ReleaseSnapshot(s1);
  db_->ReleaseSnapshot(s2);
}

TEST_F(DBMultiGetTest, ExpiredKeysInMemtableAndTables) {
  env_->SetUnixMillis(1'000'000);
  WriteOptions wo;
  wo.expire_at_ms = 1'000'500;
  ASSERT_TRUE(db_->Put(wo, "t-flushed", "tf").ok());
  ASSERT_TRUE(Put("old", "o").ok());
  ASSERT_TRUE(db_->Put(wo, "old", "shadow").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->Put(wo, "t-mem", "tm").ok());
  const std::vector<std::string> keys = {"t-flushed", "old", "t-mem"};
  EXPECT_EQ(MultiGet(keys), (std::vector<std::string>{"tf", "shadow", "tm"}));
  env_->SetUnixMillis(1'000'500);
  EXPECT_EQ(MultiGet(keys),
            (std::vector<std::string>{"NOT_FOUND", "NOT_FOUND", "NOT_FOUND"}));
  ExpectSameAsGet(keys);
}

TEST_F(DBMultiGetTest, SeparatedValues) {
  options_.enable_value_separation = true;
  options_.min_blob_size = 100;
  Reopen();
  std::vector<std::string> keys;
  for (int i = 0; i < 200; i++) {
    keys.push_back(Key(i));
    // Even keys small (inline), odd ones large (in a vlog after the flush).
    const size_t size = i % 2 == 0 ? 10 : 500 + i;
    ASSERT_TRUE(
        Put(Key(i), std::string(size, static_cast<char>('a' + i % 26))).ok());
  }
  ASSERT_TRUE(db_->Flush().ok());
  for (int i = 0; i < 200; i += 9) ASSERT_TRUE(Delete(Key(i)).ok());
  keys.push_back("missing");
  const std::vector<std::string> got = MultiGet(keys);
  EXPECT_EQ(got[1], std::string(501, 'b'));
  EXPECT_EQ(got[9], "NOT_FOUND");
  ExpectSameAsGet(keys);
}

// Random writes, deletions, expiring puts, flushes and compactions,
// mirrored in a model; at random points, batches of random keys (present,
// absent, repeated), now and at a snapshot, against the model and Get.
TEST_F(DBMultiGetTest, Randomized) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed) +
               " (rerun with SHALE_TEST_SEED=" + std::to_string(seed) + ")");
  std::fprintf(stderr, "DBMultiGetTest.Randomized seed %llu\n",
               static_cast<unsigned long long>(seed));
  Random rnd(seed);
  options_.enable_value_separation = true;
  options_.min_blob_size = 200;
  options_.write_buffer_size = 64 << 10;
  Reopen();
  env_->SetUnixMillis(5'000'000);
  std::map<std::string, std::string> model;
  std::map<std::string, std::string> snapshot_model;
  const Snapshot* snapshot = nullptr;
  constexpr int kKeys = 600;
  auto random_key = [&] { return Key(static_cast<int>(rnd.Uniform(kKeys))); };
  for (int step = 0; step < 6000; step++) {
    const uint64_t op = rnd.Uniform(100);
    if (op < 60) {
      const std::string k = random_key();
      const std::string v = test::RandomPrintable(
          &rnd, rnd.OneIn(4) ? 200 + rnd.Uniform(300) : rnd.Uniform(20));
      ASSERT_TRUE(Put(k, v).ok());
      model[k] = v;
    } else if (op < 75) {
      const std::string k = random_key();
      ASSERT_TRUE(Delete(k).ok());
      model.erase(k);
    } else if (op < 80) {
      // Expires at once: hidden, and hides older versions.
      const std::string k = random_key();
      WriteOptions wo;
      wo.expire_at_ms = 5'000'000;
      ASSERT_TRUE(db_->Put(wo, k, "expired").ok());
      model.erase(k);
    } else if (op < 81) {
      ASSERT_TRUE(db_->Flush().ok());
    } else if (op < 82) {
      ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
    } else if (op < 83) {
      if (snapshot != nullptr) db_->ReleaseSnapshot(snapshot);
      snapshot = db_->GetSnapshot();
      snapshot_model = model;
    } else if (op < 88) {
      std::vector<std::string> keys;
      const int n = static_cast<int>(rnd.Uniform(70));
      for (int i = 0; i < n; i++) {
        keys.push_back(rnd.OneIn(5) && !keys.empty()
                           ? keys[rnd.Uniform(keys.size())]
                           : random_key());
      }
      const bool at_snapshot = snapshot != nullptr && rnd.OneIn(3);
      const auto& expected_model = at_snapshot ? snapshot_model : model;
      const Snapshot* s = at_snapshot ? snapshot : nullptr;
      const std::vector<std::string> got = MultiGet(keys, s);
      for (size_t i = 0; i < keys.size(); i++) {
        auto it = expected_model.find(keys[i]);
        const std::string want =
            it == expected_model.end() ? "NOT_FOUND" : it->second;
        ASSERT_EQ(got[i], want) << "step " << step << " key " << keys[i];
        ASSERT_EQ(got[i], Get(keys[i], s)) << "step " << step;
      }
    }
  }
  if (snapshot != nullptr) db_->ReleaseSnapshot(snapshot);
}

}  // namespace
}  // namespace shale
