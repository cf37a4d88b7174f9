// A short soak: millions of random keys with concurrent readers, checking
// the shape of the tree while it grows and every key at the end.
// SHALE_SOAK_KEYS overrides the key count (sanitizer runs use fewer).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "db/version_edit.h"
#include "shale/db.h"
#include "testing/test_util.h"

namespace shale {
namespace {

uint64_t SoakKeys() {
  const char* env = std::getenv("SHALE_SOAK_KEYS");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 2'000'000;
}

// Keys are a permutation of [0, n): each written once, value derived from
// the key so a reader can check any value it sees.
std::string KeyFor(uint64_t i) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(i * 0x9e3779b97f4a7c15ull));
  return buf;
}
std::string ValueFor(const std::string& key) { return key.substr(0, 8) + "-v"; }

TEST(DBSoakTest, RandomLoadKeepsTheTreeInShape) {
  const uint64_t n = SoakKeys();
  uint64_t seed = test::TestSeed();
  std::fprintf(stderr, "DBSoakTest seed %llu, %llu keys\n",
               static_cast<unsigned long long>(seed),
               static_cast<unsigned long long>(n));
  std::string dir = test::NewTempDir("soak");
  Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 1 << 20;
  options.max_bytes_for_level_base = 4 << 20;
  options.target_file_size = 1 << 20;
  options.level0_file_num_compaction_trigger = 4;
  options.level0_slowdown_writes_trigger = 8;
  options.level0_stop_writes_trigger = 12;
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options, dir, &db).ok());

  std::atomic<uint64_t> written{0};
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> bad_reads{0}, reads{0};
  auto reader = [&](uint64_t rseed) {
    Random rnd(rseed);
    while (!stop.load()) {
      uint64_t w = written.load();
      if (w == 0) continue;
      uint64_t i = rnd.Uniform(w);
      std::string key = KeyFor(i), value;
      Status s = db->Get(ReadOptions(), key, &value);
      reads++;
      if (!s.ok() || value != ValueFor(key)) bad_reads++;
    }
  };
  std::thread r1(reader, seed + 1), r2(reader, seed + 2);

  int max_l0 = 0;
  WriteBatch batch;
  const uint64_t kBatch = 100;
  for (uint64_t i = 0; i < n; i += kBatch) {
    batch.Clear();
    for (uint64_t j = i; j < std::min(n, i + kBatch); j++) {
      std::string key = KeyFor(j);
      batch.Put(key, ValueFor(key));
    }
    Status ws = db->Write(WriteOptions(), &batch);
    ASSERT_TRUE(ws.ok()) << ws.ToString();
    written.store(std::min(n, i + kBatch));
    if ((i / kBatch) % 50 == 0) {
      std::string v;
      ASSERT_TRUE(db->GetProperty("shale.num-files-at-level0", &v));
      max_l0 = std::max(max_l0, std::stoi(v));
    }
  }
  stop = true;
  r1.join();
  r2.join();
  EXPECT_EQ(bad_reads.load(), 0u) << "of " << reads.load() << " reads";
  // Level 0 never grows past the stop trigger (plus the flush in flight).
  EXPECT_LE(max_l0, options.level0_stop_writes_trigger + 1);

  ASSERT_TRUE(db->WaitForCompactions().ok());
  std::map<std::string, double> stats;
  db->GetStatsMap(&stats);
  for (int level = 0; level < kNumLevels - 1; level++) {
    EXPECT_LT(stats["level" + std::to_string(level) + ".score"], 1.0)
        << "level " << level;
  }
  std::string levelstats;
  ASSERT_TRUE(db->GetProperty("shale.stats", &levelstats));
  std::fprintf(stderr, "%s", levelstats.c_str());

  for (uint64_t i = 0; i < n; i++) {
    std::string key = KeyFor(i), value;
    Status s = db->Get(ReadOptions(), key, &value);
    ASSERT_TRUE(s.ok()) << key << ": " << s.ToString();
    ASSERT_EQ(value, ValueFor(key));
  }
  auto iter = db->NewIterator(ReadOptions());
  uint64_t count = 0;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) count++;
  EXPECT_EQ(count, n);
  iter.reset();  // an iterator goes before its DB (db.h)
  db.reset();
  ASSERT_TRUE(DestroyDB(dir, options).ok());
}

}  // namespace
}  // namespace shale
