// Options::table_partitioner: flush and compaction outputs end where the
// partitioner says, never inside a user key, and a flush places each of its
// outputs on its own level, so an appended range beside a hot key moves
// down without being rewritten.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "db/db_impl.h"
#include "testing/db_test_util.h"

namespace shale {
namespace {

// Cuts where the first byte changes: 'a' keys (one hot key) and 'b' keys
// (appended in order) never share a file.
class FirstBytePartitioner : public TablePartitioner {
 public:
  bool ShouldPartition(std::string_view prev,
                       std::string_view next) const override {
    calls_++;
    return prev.substr(0, 1) != next.substr(0, 1);
  }
  const char* Name() const override { return "test.first-byte"; }
  mutable std::atomic<int> calls_{0};
};

class DBPartitionerTest : public test::DBTestBase,
                          public testing::WithParamInterface<bool> {
 protected:
  DBPartitionerTest() {
    options_.enable_value_separation = GetParam();
    options_.min_blob_size = 64;
    Reopen();
  }

  void UsePartitioner() {
    partitioner_ = std::make_shared<FirstBytePartitioner>();
    options_.table_partitioner = partitioner_;
    Reopen();
  }

  // Round r: the hot key "a" and 100 new 'b' keys after every earlier one,
  // then a flush.
  void AppendRound(int r) {
    ASSERT_TRUE(Put("a", "round" + std::to_string(r)).ok());
    for (int i = 0; i < 100; i++) {
      char key[16];
      std::snprintf(key, sizeof(key), "b%06d", r * 100 + i);
      ASSERT_TRUE(Put(key, std::string(100, 'v')).ok());
    }
    ASSERT_TRUE(db_->Flush().ok());
  }

  double Stat(const std::string& name) {
    std::map<std::string, double> stats;
    db_->GetStatsMap(&stats);
    return stats.at(name);
  }

  std::string Expected(int rounds) {
    std::string want = "a=round" + std::to_string(rounds - 1);
    for (int i = 0; i < rounds * 100; i++) {
      char key[16];
      std::snprintf(key, sizeof(key), "b%06d", i);
      want += std::string(",") + key + "=" + std::string(100, 'v');
    }
    return want;
  }

  std::shared_ptr<FirstBytePartitioner> partitioner_;
};

TEST_P(DBPartitionerTest, FlushPlacesEachOutputOnItsOwnLevel) {
  UsePartitioner();
  impl()->TEST_PauseCompactions(true);
  constexpr int kRounds = 6;
  for (int r = 0; r < kRounds; r++) AppendRound(r);
  int b_files = 0;
  for (const auto& t : impl()->TEST_TableRanges()) {
    // No file holds both kinds of key.
    EXPECT_EQ(t.smallest[0], t.largest[0]) << t.smallest << ".." << t.largest;
    if (t.smallest[0] == 'b') {
      // Nothing above overlaps an appended range: each went as deep as a
      // flush may put it.
      EXPECT_EQ(t.level, options_.max_mem_compact_level) << t.smallest;
      b_files++;
    }
  }
  EXPECT_EQ(b_files, kRounds);
  EXPECT_GE(Stat("flush_pushdowns"), kRounds);
  EXPECT_GT(partitioner_->calls_.load(), 0);
  EXPECT_EQ(Contents(), Expected(kRounds));
  impl()->TEST_PauseCompactions(false);
  Reopen();
  EXPECT_EQ(Contents(), Expected(kRounds));
}

// The same rounds without a partitioner: each flush is one file spanning
// "a" to its newest 'b' key, so after the first two every flush overlaps
// what is below and stays on level 0. (What the partitioner changes.)
TEST_P(DBPartitionerTest, WithoutOneEveryFlushSpansTheHotKey) {
  impl()->TEST_PauseCompactions(true);
  constexpr int kRounds = 6;
  for (int r = 0; r < kRounds; r++) AppendRound(r);
  int level0 = 0;
  for (const auto& t : impl()->TEST_TableRanges()) {
    EXPECT_EQ(t.smallest, "a");
    level0 += t.level == 0;
  }
  EXPECT_GE(level0, kRounds - options_.max_mem_compact_level);
  EXPECT_EQ(Contents(), Expected(kRounds));
}

TEST_P(DBPartitionerTest, CompactionOutputsAreCutToo) {
  // Files written without a partitioner span both kinds; a compaction with
  // one cuts them apart.
  impl()->TEST_PauseCompactions(true);
  constexpr int kRounds = 4;
  for (int r = 0; r < kRounds; r++) AppendRound(r);
  UsePartitioner();
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  const auto ranges = impl()->TEST_TableRanges();
  ASSERT_GE(ranges.size(), 2u);
  for (const auto& t : ranges) {
    EXPECT_EQ(t.smallest[0], t.largest[0]) << t.smallest << ".." << t.largest;
  }
  EXPECT_EQ(Contents(), Expected(kRounds));
  EXPECT_EQ(ContentsReverse().size(), Expected(kRounds).size());
}

TEST_P(DBPartitionerTest, NeverSplitsTheVersionsOfOneKey) {
  // A partitioner that cuts between every two keys still keeps each key's
  // versions (a snapshot holds the older one) in one file.
  class EveryKey : public TablePartitioner {
   public:
    bool ShouldPartition(std::string_view, std::string_view) const override {
      return true;
    }
    const char* Name() const override { return "test.every-key"; }
  };
  options_.table_partitioner = std::make_shared<EveryKey>();
  Reopen();
  ASSERT_TRUE(Put("k1", "old").ok());
  ASSERT_TRUE(Put("k2", "x").ok());
  const Snapshot* snap = db_->GetSnapshot();
  ASSERT_TRUE(Put("k1", "new").ok());
  ASSERT_TRUE(Put("k3", "y").ok());
  ASSERT_TRUE(db_->Flush().ok());
  ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
  const auto ranges = impl()->TEST_TableRanges();
  EXPECT_EQ(ranges.size(), 3u);
  for (const auto& t : ranges) EXPECT_EQ(t.smallest, t.largest);
  EXPECT_EQ(Get("k1", snap), "old");
  EXPECT_EQ(Get("k1"), "new");
  db_->ReleaseSnapshot(snap);
}

INSTANTIATE_TEST_SUITE_P(ValueSeparation, DBPartitionerTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "Separated" : "Inline";
                         });

}  // namespace
}  // namespace shale
