// Space amplification with key-value separation: 4 KiB values overwritten
// five times, then the background work finishes by itself (no
// CompactRange). The bytes of every file in the DB directory but the
// flushed WALs kept for reuse (Options::recycle_log_file_num: no live data,
// and bounded by that option) must stay within 1.5x the live keys and
// values (1.6x at the small default size; see the check), and every key
// reads back its last value.
//
// SHALE_SPACE_KEYS sets the key count (default 4000: a few seconds, run by
// `make test`); `make space-test` runs the size, 200k keys (800 MiB
// live, 4.7 GiB written) on the default options. Files go to a fresh
// directory under $TMPDIR (or /tmp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <numeric>

#include "shale/db.h"
#include "testing/test_util.h"

namespace shale {
namespace {

constexpr size_t kValueSize = 4096;
constexpr int kOverwrites = 5;

uint64_t SpaceKeys() {
  const char* env = std::getenv("SHALE_SPACE_KEYS");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 4000;
}

std::string KeyFor(uint64_t i) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "key%013llu",
                static_cast<unsigned long long>(i));
  return buf;
}

// Distinct per key and version, so a stale value is caught.
std::string ValueFor(uint64_t i, int version) {
  std::string v = KeyFor(i) + "/v" + std::to_string(version) + "/";
  v.resize(kValueSize, static_cast<char>('a' + (i * 7 + version) % 26));
  return v;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t sum = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) sum += entry.file_size();
  }
  return sum;
}

class DBSpaceTest : public testing::TestWithParam<bool> {};

// Param: true = five passes over every key in random order (each key is
// overwritten exactly five times); false = as many overwrites of uniformly
// random keys (some keys many times, some never), which scatters garbage
// over every vlog and leaves it to GC.
TEST_P(DBSpaceTest, OverwritesStayWithinOneAndAHalfTimesTheLiveData) {
  const bool passes = GetParam();
  const uint64_t n = SpaceKeys();
  const uint64_t seed = test::TestSeed();
  std::fprintf(stderr, "DBSpaceTest seed %llu, %llu keys, %s\n",
               static_cast<unsigned long long>(seed),
               static_cast<unsigned long long>(n),
               passes ? "passes" : "uniform");
  Random rnd(seed);
  const std::string dir = test::NewTempDir("space");
  Options options;
  options.create_if_missing = true;
  if (n < 100'000) {
    // Scaled down so the small run has the big run's shape: many flushes,
    // several vlogs per pass, compactions and GC.
    options.write_buffer_size = 1 << 20;
    options.target_file_size = 1 << 20;
    options.max_bytes_for_level_base = 4 << 20;
  }
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options, dir, &db).ok());

  std::vector<int> version(n, 0);
  std::vector<uint64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (uint64_t i : order) {
    version[i] = 1;
    ASSERT_TRUE(db->Put(WriteOptions(), KeyFor(i), ValueFor(i, 1)).ok());
  }
  for (int round = 0; round < kOverwrites; round++) {
    if (passes) {
      for (uint64_t i = n; i > 1; i--) {
        std::swap(order[i - 1], order[rnd.Uniform(i)]);
      }
    }
    for (uint64_t k = 0; k < n; k++) {
      const uint64_t i = passes ? order[k] : rnd.Uniform(n);
      const int v = ++version[i];
      ASSERT_TRUE(db->Put(WriteOptions(), KeyFor(i), ValueFor(i, v)).ok());
    }
  }
  ASSERT_TRUE(db->WaitForCompactions().ok());

  const uint64_t live = n * (KeyFor(0).size() + kValueSize);
  std::map<std::string, double> stats;
  db->GetStatsMap(&stats);
  // WALs kept for reuse hold no live data; their share is the option's:
  // at most recycle_log_file_num WALs of about a write buffer each.
  const auto recycled = static_cast<uint64_t>(stats["recycled_wal_bytes"]);
  EXPECT_LE(recycled,
            options.recycle_log_file_num *
                (options.write_buffer_size + options.write_buffer_size / 4));
  const uint64_t on_disk = DirBytes(dir) - recycled;
  std::fprintf(stderr,
               "live %llu bytes, on disk %llu bytes (%.3fx) and %llu bytes of "
               "WALs kept for reuse; vlogs %.0f files "
               "%.0f bytes %.0f garbage; gc compactions %.0f, values moved "
               "%.0f; write-amp %.2f\n",
               static_cast<unsigned long long>(live),
               static_cast<unsigned long long>(on_disk),
               static_cast<double>(on_disk) / static_cast<double>(live),
               static_cast<unsigned long long>(recycled), stats["vlog.files"],
               stats["vlog.bytes"], stats["vlog.garbage_bytes"],
               stats["vlog.gc_compactions"], stats["vlog.values_moved"],
               stats["write_amp"]);
  std::string levels;
  ASSERT_TRUE(db->GetProperty("shale.stats", &levels));
  std::fprintf(stderr, "%s", levels.c_str());
  // The bound, 1.5x, at its size (make space-test: 200k keys,
  // 1.29x measured). At the default 4000 keys (16 MiB live) fixed costs
  // weigh more: the WAL and memtable of up to 1 MiB each, the MANIFEST and
  // LOG, and each of a few dozen vlogs may keep up to half its bytes as
  // garbage before GC takes it; how many sit just under that line when the
  // writes end is timing. 80 runs of the uniform case (docs/bench.md,
  // 2026-11-22): 1.27x to 1.53x, mean 1.40x. Without GC it is about 6x.
  const uint64_t bound = n >= 100000 ? live * 3 / 2 : live * 8 / 5;
  EXPECT_LE(on_disk, bound);

  for (uint64_t i = 0; i < n; i++) {
    std::string value;
    Status s = db->Get(ReadOptions(), KeyFor(i), &value);
    ASSERT_TRUE(s.ok()) << KeyFor(i) << ": " << s.ToString();
    ASSERT_EQ(value, ValueFor(i, version[i])) << KeyFor(i);
  }
  db.reset();
  ASSERT_TRUE(DestroyDB(dir, options).ok());
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Overwrites, DBSpaceTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& info) {
                           return info.param ? "Passes" : "UniformRandom";
                         });

}  // namespace
}  // namespace shale
