#include "util/cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testing/test_util.h"
#include "util/random.h"

namespace shale {
namespace {

// Values are heap ints; the deleter records what it deleted.
std::mutex deleted_mu;
std::vector<std::pair<std::string, int>> deleted;  // GUARDED_BY(deleted_mu)
std::atomic<int64_t> live_values{0};

void DeleteInt(std::string_view key, void* value) {
  auto* v = static_cast<int*>(value);
  {
    std::lock_guard<std::mutex> l(deleted_mu);
    deleted.emplace_back(std::string(key), *v);
  }
  live_values.fetch_sub(1, std::memory_order_relaxed);
  delete v;
}

void* NewInt(int v) {
  live_values.fetch_add(1, std::memory_order_relaxed);
  return new int(v);
}

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::lock_guard<std::mutex> l(deleted_mu);
    deleted.clear();
  }
  void TearDown() override {
    cache_.reset();
    EXPECT_EQ(live_values.load(), 0) << "a value leaked or died twice";
  }

  // One shard: one clock hand over the whole cache.
  void Make(size_t capacity) { cache_ = NewClockCache(capacity, 0); }

  // Inserts and releases at once.
  void Put(const std::string& key, int v, size_t charge = 1) {
    cache_->Release(cache_->Insert(key, NewInt(v), charge, &DeleteInt));
  }
  // The value, or -1 when absent.
  int Get(const std::string& key) {
    Cache::Handle* h = cache_->Lookup(key);
    if (h == nullptr) return -1;
    const int v = *static_cast<int*>(cache_->Value(h));
    cache_->Release(h);
    return v;
  }
  std::vector<std::pair<std::string, int>> Deleted() {
    std::lock_guard<std::mutex> l(deleted_mu);
    return deleted;
  }

  std::shared_ptr<Cache> cache_;
};

TEST_F(CacheTest, HitAndMiss) {
  Make(100);
  EXPECT_EQ(Get("a"), -1);
  Put("a", 1);
  EXPECT_EQ(Get("a"), 1);
  Put("b", 2);
  EXPECT_EQ(Get("b"), 2);
  EXPECT_EQ(Get("a"), 1);
  EXPECT_EQ(Get("c"), -1);
  EXPECT_EQ(cache_->hits(), 3u);
  EXPECT_EQ(cache_->misses(), 2u);
  // Keys are bytes: an embedded NUL and the empty key are keys like others.
  Put(std::string("x\0y", 3), 3);
  Put("", 4);
  EXPECT_EQ(Get(std::string("x\0y", 3)), 3);
  EXPECT_EQ(Get("x"), -1);
  EXPECT_EQ(Get(""), 4);
}

TEST_F(CacheTest, PrefetchIsOnlyAHint) {
  // Before and after the entry table grows (and its slots move), with
  // present and absent keys: no entry appears, none is pinned or counted.
  Make(100000);
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < 5000; i++) {
      cache_->Prefetch("k" + std::to_string(i));
      if (round == 0) Put("k" + std::to_string(i), i);
    }
  }
  EXPECT_EQ(cache_->hits(), 0u);
  EXPECT_EQ(cache_->misses(), 0u);
  EXPECT_EQ(cache_->GetUsage(), 5000u);
  EXPECT_EQ(Get("k4999"), 4999);
  EXPECT_EQ(Get("k5000"), -1);
}

// CLOCK: an entry looked up since the hand last passed it outlives the
// entries not looked up that the hand meets first.
TEST_F(CacheTest, LookedUpEntriesGetASecondChance) {
  Make(4);
  for (int i = 0; i < 4; i++) Put("k" + std::to_string(i), i);
  EXPECT_EQ(cache_->GetUsage(), 4u);
  EXPECT_EQ(Get("k0"), 0);
  EXPECT_EQ(Get("k2"), 2);
  // One entry has to go: k1 or k3, never one just looked up.
  Put("k4", 4);
  auto d = Deleted();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].first == "k1" || d[0].first == "k3") << d[0].first;
  EXPECT_EQ(Get("k0"), 0);
  EXPECT_EQ(Get("k2"), 2);
  EXPECT_EQ(cache_->GetUsage(), 4u);

  // With every entry looked up, the hand unmarks them all in one turn and
  // evicts in the next: a heavy entry still gets the room it needs.
  Make(4);
  for (int i = 0; i < 4; i++) Put("m" + std::to_string(i), i);
  for (int i = 0; i < 4; i++) EXPECT_EQ(Get("m" + std::to_string(i)), i);
  const size_t deleted_before = Deleted().size();
  Put("heavy", 9, 3);
  EXPECT_EQ(Deleted().size() - deleted_before, 3u);
  EXPECT_EQ(Get("heavy"), 9);
  EXPECT_EQ(cache_->GetUsage(), 4u);
}

// A scan of one-time entries does not push out a working set that is looked
// up between its insertions (an LRU cache keeps it too; a FIFO one would
// not).
TEST_F(CacheTest, ScanDoesNotEvictAWorkingSet) {
  Make(100);
  constexpr int kHot = 10;
  for (int i = 0; i < kHot; i++) Put("hot" + std::to_string(i), i);
  for (int i = 0; i < 1000; i++) {
    Put("cold" + std::to_string(i), i);
    for (int h = 0; h < kHot; h++) {
      ASSERT_EQ(Get("hot" + std::to_string(h)), h) << "after cold" << i;
    }
  }
  EXPECT_EQ(cache_->GetUsage(), 100u);
  const auto d = Deleted();
  EXPECT_EQ(d.size(), 1000u + kHot - 100);
  for (const auto& [key, v] : d) EXPECT_EQ(key.rfind("cold", 0), 0u) << key;
}

TEST_F(CacheTest, PinnedEntriesSurviveEviction) {
  Make(3);
  Cache::Handle* pinned = cache_->Insert("pinned", NewInt(42), 1, &DeleteInt);
  for (int i = 0; i < 100; i++) Put("k" + std::to_string(i), i);
  // Never evicted while pinned, still found by lookups.
  EXPECT_EQ(*static_cast<int*>(cache_->Value(pinned)), 42);
  EXPECT_EQ(Get("pinned"), 42);
  EXPECT_EQ(cache_->GetUsage(), 3u);
  cache_->Release(pinned);
  // Once unpinned it is an entry like the others: inserts that do not look
  // it up push it out.
  for (int i = 0; i < 100; i++) Put("x" + std::to_string(i), i);
  EXPECT_EQ(Get("pinned"), -1);
  EXPECT_EQ(Get("x99"), 99);
  EXPECT_EQ(cache_->GetUsage(), 3u);
}

TEST_F(CacheTest, PinnedEntriesMayExceedCapacityUntilReleased) {
  Make(4);
  std::vector<Cache::Handle*> handles;
  for (int i = 0; i < 6; i++) {
    handles.push_back(
        cache_->Insert("p" + std::to_string(i), NewInt(i), 1, &DeleteInt));
  }
  // Nothing unpinned to evict: usage is over the capacity, every entry
  // stays reachable.
  EXPECT_EQ(cache_->GetUsage(), 6u);
  auto* clock = static_cast<ClockCache*>(cache_.get());
  EXPECT_EQ(clock->TEST_pinned_usage(), 6u);
  for (int i = 0; i < 6; i++) EXPECT_EQ(Get("p" + std::to_string(i)), i);
  // Each release while over the capacity evicts the released entry (the
  // only unpinned one), until the usage fits.
  for (Cache::Handle* h : handles) cache_->Release(h);
  EXPECT_EQ(cache_->GetUsage(), 4u);
  EXPECT_EQ(clock->TEST_pinned_usage(), 0u);
  EXPECT_EQ(Get("p0"), -1);
  EXPECT_EQ(Get("p1"), -1);
  for (int i = 2; i < 6; i++) EXPECT_EQ(Get("p" + std::to_string(i)), i);
}

TEST_F(CacheTest, UsageAccounting) {
  Make(1000);
  Put("a", 1, 100);
  Put("b", 2, 200);
  EXPECT_EQ(cache_->GetUsage(), 300u);
  Put("a", 3, 50);  // replaces
  EXPECT_EQ(cache_->GetUsage(), 250u);
  EXPECT_EQ(Get("a"), 3);
  cache_->Erase("b");
  EXPECT_EQ(cache_->GetUsage(), 50u);
  cache_->Erase("b");  // absent: nothing happens
  cache_->Erase("never");
  EXPECT_EQ(cache_->GetUsage(), 50u);
  EXPECT_EQ(cache_->GetCapacity(), 1000u);
  const auto d = Deleted();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], std::make_pair(std::string("a"), 1));
  EXPECT_EQ(d[1], std::make_pair(std::string("b"), 2));
}

TEST_F(CacheTest, EraseWhilePinned) {
  Make(10);
  Cache::Handle* h = cache_->Insert("k", NewInt(7), 2, &DeleteInt);
  Cache::Handle* h2 = cache_->Lookup("k");
  ASSERT_EQ(h2, h);
  cache_->Erase("k");
  EXPECT_EQ(Get("k"), -1);
  EXPECT_EQ(cache_->GetUsage(), 0u);
  // The value lives on for its holders; the deleter waits for the last.
  EXPECT_EQ(*static_cast<int*>(cache_->Value(h)), 7);
  cache_->Release(h);
  EXPECT_TRUE(Deleted().empty());
  EXPECT_EQ(*static_cast<int*>(cache_->Value(h2)), 7);
  // A new entry under the key is independent of the erased one.
  Put("k", 8);
  cache_->Release(h2);
  ASSERT_EQ(Deleted().size(), 1u);
  EXPECT_EQ(Deleted()[0].second, 7);
  EXPECT_EQ(Get("k"), 8);
}

TEST_F(CacheTest, ReplaceWhilePinned) {
  Make(10);
  Cache::Handle* old = cache_->Insert("k", NewInt(1), 1, &DeleteInt);
  Put("k", 2);
  EXPECT_EQ(Get("k"), 2);
  EXPECT_EQ(*static_cast<int*>(cache_->Value(old)), 1);
  EXPECT_EQ(cache_->GetUsage(), 1u);
  EXPECT_TRUE(Deleted().empty());
  cache_->Release(old);
  ASSERT_EQ(Deleted().size(), 1u);
  EXPECT_EQ(Deleted()[0].second, 1);
}

TEST_F(CacheTest, OversizedEntryIsReturnedButNotKept) {
  Make(10);
  Put("small", 1, 5);
  Put("big", 0, 5);
  Cache::Handle* h = cache_->Insert("big", NewInt(2), 11, &DeleteInt);
  EXPECT_EQ(*static_cast<int*>(cache_->Value(h)), 2);
  // Not in the cache, and it did not push anything out; the entry it
  // replaced is gone.
  EXPECT_EQ(Get("big"), -1);
  EXPECT_EQ(Get("small"), 1);
  EXPECT_EQ(cache_->GetUsage(), 5u);
  EXPECT_EQ(Deleted().size(), 1u);
  cache_->Release(h);
  ASSERT_EQ(Deleted().size(), 2u);
  EXPECT_EQ(Deleted()[1].second, 2);
  // A zero-capacity cache keeps nothing but still hands values out.
  Make(0);
  Cache::Handle* z = cache_->Insert("z", NewInt(3), 1, &DeleteInt);
  EXPECT_EQ(*static_cast<int*>(cache_->Value(z)), 3);
  EXPECT_EQ(Get("z"), -1);
  cache_->Release(z);
}

TEST_F(CacheTest, NullDeleterAndZeroCharge) {
  Make(1);
  static int value = 5;
  cache_->Release(cache_->Insert("static", &value, 0, nullptr));
  EXPECT_EQ(Get("static"), 5);
  for (int i = 0; i < 10; i++) Put("k" + std::to_string(i), i, 0);
  EXPECT_EQ(cache_->GetUsage(), 0u);  // free entries are never evicted
  EXPECT_EQ(Get("k0"), 0);
}

TEST_F(CacheTest, NewIdIsUnique) {
  Make(10);
  std::vector<uint64_t> ids;
  for (int i = 0; i < 100; i++) ids.push_back(cache_->NewId());
  for (size_t i = 1; i < ids.size(); i++) EXPECT_GT(ids[i], ids[i - 1]);
  EXPECT_NE(ids[0], 0u);
}

TEST_F(CacheTest, ShardCount) {
  auto shards = [](size_t capacity, int bits = -1) {
    ClockCache c(capacity, bits);
    return c.TEST_num_shards();
  };
  EXPECT_EQ(shards(0), 1);
  EXPECT_EQ(shards(1000), 1);
  EXPECT_EQ(shards(size_t{1} << 20), 2);
  EXPECT_EQ(shards(size_t{8} << 20), 16);
  EXPECT_EQ(shards(size_t{64} << 20), 64);
  EXPECT_EQ(shards(size_t{1} << 40), 64);
  EXPECT_EQ(shards(100, 3), 8);
  ClockCache c(1001, 2);
  EXPECT_EQ(c.TEST_shard_capacity(), 251u);  // rounded up
}

// Many shards: every key lands somewhere, per-shard capacities hold.
TEST_F(CacheTest, ShardedCapacity) {
  cache_ = NewClockCache(64 * 100, 6);
  for (int i = 0; i < 100000; i++) Put(std::to_string(i), i, 1);
  EXPECT_LE(cache_->GetUsage(), 64u * 100);
  EXPECT_GT(cache_->GetUsage(), 64u * 90);  // the hash spreads keys evenly
  int found = 0;
  for (int i = 99000; i < 100000; i++) found += Get(std::to_string(i)) == i;
  EXPECT_GT(found, 900);
}

// Values of the stress test: their key and charge, which the deleter
// subtracts from live_charge.
struct Charged {
  int key;
  size_t charge;
};
std::atomic<int64_t> live_charge{0};

void DeleteCharged(std::string_view key, void* value) {
  auto* v = static_cast<Charged*>(value);
  if (key != std::to_string(v->key)) ADD_FAILURE() << "deleted under " << key;
  live_charge.fetch_sub(static_cast<int64_t>(v->charge));
  live_values.fetch_sub(1, std::memory_order_relaxed);
  delete v;
}

// Threads insert, look up, pin, erase and release at random over one
// cache of `capacity` bytes in 4 shards. Every value seen must belong to its
// key; afterwards nothing is pinned, the usage is within the capacity and is
// the charge of the values not yet deleted, and every lookup was counted.
// TearDown then checks that every value was deleted exactly once.
void Stress(std::shared_ptr<Cache>* cache_slot, size_t capacity,
            uint64_t seed) {
  *cache_slot = NewClockCache(capacity, 2);
  Cache* const cache = cache_slot->get();
  live_charge = 0;
  constexpr int kThreads = 4;
  constexpr int kOps = 50000;
  std::atomic<int> bad{0};
  std::atomic<uint64_t> lookups{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      Random rnd(seed + t);
      std::vector<Cache::Handle*> held;
      for (int op = 0; op < kOps; op++) {
        const int k = static_cast<int>(rnd.Uniform(500));
        const std::string key = std::to_string(k);
        switch (rnd.Uniform(10)) {
          case 0:
          case 1:
          case 2: {
            // Charges up to 20: over a shard's capacity of 15 when the
            // cache holds 60 bytes.
            const size_t charge = 1 + rnd.Uniform(20);
            live_charge.fetch_add(static_cast<int64_t>(charge));
            live_values.fetch_add(1, std::memory_order_relaxed);
            held.push_back(cache->Insert(key, new Charged{k, charge}, charge,
                                         &DeleteCharged));
            break;
          }
          case 3:
            cache->Erase(key);
            break;
          default: {
            lookups.fetch_add(1, std::memory_order_relaxed);
            Cache::Handle* h = cache->Lookup(key);
            if (h != nullptr) {
              if (static_cast<Charged*>(cache->Value(h))->key != k) bad++;
              held.push_back(h);
            }
            break;
          }
        }
        // Hold a few handles for a while, then let them go in random order.
        while (held.size() > rnd.Uniform(8)) {
          const size_t i = rnd.Uniform(held.size());
          Cache::Handle* h = held[i];
          held[i] = held.back();
          held.pop_back();
          // The value must still be intact.
          const int v = static_cast<Charged*>(cache->Value(h))->key;
          if (v < 0 || v >= 500) bad++;
          cache->Release(h);
        }
      }
      for (Cache::Handle* h : held) cache->Release(h);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(static_cast<ClockCache*>(cache)->TEST_pinned_usage(), 0u);
  EXPECT_LE(cache->GetUsage(), capacity);
  EXPECT_EQ(static_cast<int64_t>(cache->GetUsage()), live_charge.load());
  EXPECT_EQ(cache->hits() + cache->misses(), lookups.load());
  std::printf("capacity %zu: hits %llu misses %llu usage %zu\n", capacity,
              static_cast<unsigned long long>(cache->hits()),
              static_cast<unsigned long long>(cache->misses()),
              cache->GetUsage());
  cache_slot->reset();
  EXPECT_EQ(live_charge.load(), 0);
}

TEST_F(CacheTest, ConcurrentStress) {
  const uint64_t seed = test::TestSeed();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Stress(&cache_, 2000, seed);
  // Pinned entries over the capacity, entries too large to keep.
  Stress(&cache_, 60, seed);
}

}  // namespace
}  // namespace shale
