#include "util/arena.h"

#include <gtest/gtest.h>

#include <cstring>
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

}  // namespace shale
