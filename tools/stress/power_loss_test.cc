// Power loss on the in-memory Env: what must survive when every unsynced
// byte and every unsynced directory entry is dropped (MemEnv::CloneAfterCrash
// and CloneAfterCrashWithTornTails), taken while the DB is busy.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "shale/db.h"
#include "testing/test_util.h"
#include "util/mem_env.h"
#include "util/random.h"

namespace shale {
namespace {

std::string KeyOf(int thread, int i) {
  return "t" + std::to_string(thread) + "." + std::to_string(i % 50);
}

// Writers make sync writes, each to its own keys; the test clones the file
// system at random points while they run. Every write acknowledged before a
// clone must be in the DB opened on it (as that value or a newer one).
TEST(PowerLossTest, SyncWritesAcknowledgedBeforeTheCrashSurvive) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  std::fprintf(stderr, "PowerLossTest seed %llu\n",
               static_cast<unsigned long long>(seed));
  Random rnd(seed);
  auto env = std::make_unique<MemEnv>();
  Options options;
  options.create_if_missing = true;
  options.env = env.get();
  options.write_buffer_size = 64 << 10;
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options, "/db", &db).ok());

  constexpr int kThreads = 3;
  constexpr int kWrites = 3000;
  std::mutex mu;  // orders acknowledgements against clones
  std::map<std::string, int> acked;  // key -> newest acknowledged i
  std::atomic<bool> failed{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; t++) {
    writers.emplace_back([&, t] {
      WriteOptions wo;
      wo.sync = true;
      for (int i = 0; i < kWrites && !failed; i++) {
        std::string k = KeyOf(t, i);
        if (!db->Put(wo, k, std::to_string(i)).ok()) failed = true;
        std::lock_guard<std::mutex> l(mu);
        acked[k] = i;
      }
    });
  }
  std::vector<std::pair<std::unique_ptr<MemEnv>, std::map<std::string, int>>>
      clones;
  while (clones.size() < 20) {
    std::lock_guard<std::mutex> l(mu);
    if (acked.size() < clones.size() * 5) continue;  // spread them out
    clones.emplace_back(rnd.OneIn(2) ? env->CloneAfterCrash()
                                     : env->CloneAfterCrashWithTornTails(
                                           rnd.Next64()),
                        acked);
  }
  for (auto& w : writers) w.join();
  ASSERT_FALSE(failed.load());
  db.reset();

  for (size_t c = 0; c < clones.size(); c++) {
    auto& [clone, want] = clones[c];
    options.env = clone.get();
    std::unique_ptr<DB> recovered;
    Status s = DB::Open(options, "/db", &recovered);
    ASSERT_TRUE(s.ok()) << "clone " << c << ": " << s.ToString();
    for (const auto& [k, i] : want) {
      std::string v;
      s = recovered->Get(ReadOptions(), k, &v);
      ASSERT_TRUE(s.ok()) << "clone " << c << ": " << k << " (acknowledged "
                          << i << ") lost: " << s.ToString();
      EXPECT_GE(std::stoi(v), i) << "clone " << c << ": " << k;
    }
  }
}

}  // namespace
}  // namespace shale
