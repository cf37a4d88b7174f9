// DBStats and the properties built on it: every counter is reported under a
// name, counts what it says, and every integer property finds its statistic.
#include "db/db_stats.h"

#include <gtest/gtest.h>

#include <set>

#include "testing/db_test_util.h"

namespace shale {
namespace {

TEST(DBStatsTest, EveryCounterHasItsOwnName) {
  DBStats stats;
  for (int c = 0; c < DBStats::kNumCounters; c++) {
    stats.Add(DBStats::Counter(c), c + 1);
  }
  std::map<std::string, double> m;
  stats.AddTo(&m);
  std::set<double> values;
  for (const auto& [name, value] : m) {
    if (name.starts_with("compaction.") || name == "vlog.gc_bytes_written") {
      continue;
    }
    EXPECT_FALSE(name.empty());
    values.insert(value);
  }
  // One entry per counter, each with its own count: no name is missing or
  // shared by two counters.
  EXPECT_EQ(values.size(), static_cast<size_t>(DBStats::kNumCounters));
  EXPECT_EQ(*values.begin(), 1);
  EXPECT_EQ(*values.rbegin(), DBStats::kNumCounters);
}

TEST(DBStatsTest, ReasonBytesAreSplitAndSummed) {
  DBStats stats;
  stats.AddReasonBytes(CompactionReason::kVlogGc, 100, 60);
  stats.AddReasonBytes(CompactionReason::kManual, 50, 5);
  std::map<std::string, double> m;
  stats.AddTo(&m);
  EXPECT_EQ(m["compaction.vlog-gc.bytes_written"], 100);
  EXPECT_EQ(m["compaction.vlog-gc.vlog_bytes_written"], 60);
  EXPECT_EQ(m["vlog.gc_bytes_written"], 65);
}

class DBStatsPropertyTest : public test::DBTestBase {};

TEST_F(DBStatsPropertyTest, IntegerPropertiesPrintTheirStatistic) {
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(Put("b", "2").ok());
  std::string v;
  ASSERT_TRUE(db_->GetProperty("shale.last-sequence", &v));
  EXPECT_EQ(v, "2");
  std::map<std::string, double> m;
  db_->GetStatsMap(&m);
  EXPECT_EQ(m["writes"], 2);
  for (const char* p : {"total-sst-bytes", "live-wal-bytes", "mem-bytes",
                        "num-immutable-mem-table", "num-snapshots",
                        "compaction-pending", "block-cache-usage", "vlog-files",
                        "vlog-bytes", "vlog-garbage-bytes"}) {
    const NumberProperty* prop = FindNumberProperty(p);
    ASSERT_NE(prop, nullptr) << p;
    EXPECT_TRUE(m.count(std::string(prop->stat))) << p;
    EXPECT_TRUE(db_->GetProperty(std::string("shale.") + p, &v)) << p;
  }
  EXPECT_FALSE(db_->GetProperty("shale.no-such-property", &v));
  ASSERT_TRUE(db_->GetProperty("shale.stats", &v));
  EXPECT_NE(v.find("Writes: 2 in"), std::string::npos) << v;
}

}  // namespace
}  // namespace shale
