// OpenFileCache: the bound, the order of eviction, shared entries outliving
// eviction, failed opens not cached, and concurrent misses of one number.
#include "util/open_file_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace shale {
namespace {

struct Opened {
  uint64_t number;
};

class OpenFileCacheTest : public testing::Test {
 protected:
  // Finds number, counting the opens it takes.
  std::shared_ptr<Opened> Find(OpenFileCache<Opened>& cache, uint64_t number) {
    std::shared_ptr<Opened> out;
    Status s = cache.Find(
        number,
        [&](std::unique_ptr<Opened>* o) {
          opens_++;
          *o = std::make_unique<Opened>(Opened{number});
          return Status::OK();
        },
        &out);
    EXPECT_TRUE(s.ok());
    return out;
  }
  std::atomic<int> opens_{0};
};

TEST_F(OpenFileCacheTest, HitsDoNotReopen) {
  OpenFileCache<Opened> cache(4);
  auto a = Find(cache, 7);
  auto b = Find(cache, 7);
  EXPECT_EQ(opens_, 1);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(a->number, 7u);
}

TEST_F(OpenFileCacheTest, TheLeastRecentlyUsedIsClosedFirst) {
  OpenFileCache<Opened> cache(2);
  Find(cache, 1);
  Find(cache, 2);
  Find(cache, 1);  // 2 is now the least recently used
  Find(cache, 3);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(opens_, 3);
  Find(cache, 1);
  EXPECT_EQ(opens_, 3) << "1 was used last: it must have stayed";
  Find(cache, 2);
  EXPECT_EQ(opens_, 4) << "2 was the one to go";
}

TEST_F(OpenFileCacheTest, AnEvictedEntryLivesOnForItsHolder) {
  OpenFileCache<Opened> cache(1);
  auto held = Find(cache, 1);
  cache.Evict(1);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(held->number, 1u);  // still valid (ASan checks the access)
  Find(cache, 2);
  EXPECT_EQ(held->number, 1u);
  cache.Evict(99);  // absent: nothing happens
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(OpenFileCacheTest, AFailedOpenIsNotCached) {
  OpenFileCache<Opened> cache(2);
  std::shared_ptr<Opened> out;
  Status s = cache.Find(
      5,
      [](std::unique_ptr<Opened>*) { return Status::IOError("no such file"); },
      &out);
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(cache.size(), 0u);
  Find(cache, 5);  // repaired: the next Find opens it
  EXPECT_EQ(opens_, 1);
}

TEST_F(OpenFileCacheTest, ConcurrentMissesShareOneEntry) {
  OpenFileCache<Opened> cache(8);
  std::vector<std::shared_ptr<Opened>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] { got[t] = Find(cache, 3); });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_GE(opens_, 1);
  // A thread that opened a second copy found the first one cached when it
  // came back for the lock, and returned that one: everybody shares it.
  for (const auto& g : got) EXPECT_EQ(g.get(), got[0].get());
  const int before = opens_;
  auto again = Find(cache, 3);
  EXPECT_EQ(opens_, before);
  EXPECT_EQ(again.get(), got[0].get());
  EXPECT_EQ(again->number, 3u);
}

}  // namespace
}  // namespace shale
