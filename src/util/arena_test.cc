#include "util/arena.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "util/random.h"

namespace shale {

TEST(Arena, AllocationsKeepTheirBytes) {
  Arena arena;
  Random rnd(301);
  std::vector<std::pair<size_t, char*>> allocated;
  size_t bytes = 0;
  for (int i = 0; i < 5000; i++) {
    size_t s = i % 500 == 0 ? 40000 : 1 + rnd.Skewed(12);
    char* r = (i % 3 == 0) ? arena.AllocateAligned(s) : arena.Allocate(s);
    if (i % 3 == 0) {
      ASSERT_EQ(reinterpret_cast<uintptr_t>(r) % 8, 0u);
    }
    std::memset(r, i % 256, s);
    bytes += s;
    allocated.emplace_back(s, r);
    ASSERT_GE(arena.MemoryUsage(), bytes);
  }
  for (size_t i = 0; i < allocated.size(); i++) {
    for (size_t b = 0; b < allocated[i].first; b++) {
      ASSERT_EQ(allocated[i].second[b] & 0xff, static_cast<int>(i % 256));
    }
  }
}

// Past 4 MiB a 64 KiB-block arena carves its blocks from 2 MiB huge-page
// regions: allocations still keep their bytes, and usage grows by block as
// before (one block's worth of slack at most).
TEST(Arena, BigArenaCarvesBlocksFromHugeRegions) {
  Arena arena(64 * 1024);
  std::vector<char*> allocated;
  size_t bytes = 0;
  for (int i = 0; bytes < (size_t{20} << 20); i++) {
    const size_t s = 100 + i % 200;
    char* r = arena.AllocateAligned(s);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(r) % 8, 0u);
    std::memset(r, i % 251, s);
    allocated.push_back(r);
    bytes += s;
    ASSERT_GE(arena.MemoryUsage(), bytes);
    ASSERT_LE(arena.MemoryUsage(), bytes + 2 * 64 * 1024 + bytes / 16);
  }
  for (size_t i = 0; i < allocated.size(); i++) {
    const size_t s = 100 + i % 200;
    for (size_t b = 0; b < s; b++) {
      ASSERT_EQ(allocated[i][b] & 0xff, static_cast<int>(i % 251));
    }
  }
}

// A destroyed arena's huge-page regions go to its pool (up to the pool's
// bound, the rest freed), and the next arena carves its blocks from them.
TEST(Arena, PoolPassesRegionsToTheNextArena) {
  constexpr size_t kRegion = ArenaRegionPool::kRegionBytes;
  auto pool = std::make_shared<ArenaRegionPool>(4 * kRegion + kRegion / 2);
  {
    Arena arena(64 * 1024, pool);
    for (size_t bytes = 0; bytes < (size_t{16} << 20); bytes += 4096) {
      std::memset(arena.Allocate(4096), 1, 4096);
    }
    EXPECT_EQ(pool->BytesHeld(), 0u);
  }
  // Past 4 MiB of usage the blocks came from 6 regions or more; the pool
  // keeps 4 of them.
  ASSERT_EQ(pool->BytesHeld(), 4 * kRegion);
  std::set<uintptr_t> pooled;
  std::vector<char*> taken;
  while (char* region = pool->Take()) {
    pooled.insert(reinterpret_cast<uintptr_t>(region));
    taken.push_back(region);
  }
  ASSERT_EQ(pooled.size(), 4u);
  for (char* region : taken) pool->Give(region);

  // Still allocated (held by the pool), so the regions the next arena
  // carves from can be these only if the pool handed them over.
  Arena next(64 * 1024, pool);
  std::set<uintptr_t> reused;
  for (size_t bytes = 0; bytes < (size_t{20} << 20); bytes += 4096) {
    char* r = next.Allocate(4096);
    std::memset(r, 2, 4096);
    const uintptr_t region = reinterpret_cast<uintptr_t>(r) & ~(kRegion - 1);
    if (pooled.count(region) != 0) reused.insert(region);
  }
  EXPECT_EQ(reused, pooled);
  EXPECT_EQ(pool->BytesHeld(), 0u);
}

}  // namespace shale
