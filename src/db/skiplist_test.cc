#include "db/skiplist.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <set>
#include <string>
#include <thread>

#include "testing/test_util.h"
#include "util/random.h"

namespace shale {

using Key = uint64_t;
struct U64Comparator {
  int operator()(const Key& a, const Key& b) const {
    return a < b ? -1 : (a > b ? 1 : 0);
  }
};

TEST(SkipList, Empty) {
  Arena arena;
  SkipList<Key, U64Comparator> list(U64Comparator(), &arena);
  EXPECT_FALSE(list.Contains(10));
  SkipList<Key, U64Comparator>::Iterator iter(&list);
  EXPECT_FALSE(iter.Valid());
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  iter.Seek(100);
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  EXPECT_FALSE(iter.Valid());
}

TEST(SkipList, InsertAndLookupMatchesModel) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  Arena arena;
  SkipList<Key, U64Comparator> list(U64Comparator(), &arena);
  std::set<Key> model;
  for (int i = 0; i < 2000; i++) {
    Key k = rnd.Uniform(5000);
    if (model.insert(k).second) list.Insert(k);
  }
  for (Key k = 0; k < 5000; k++) {
    ASSERT_EQ(list.Contains(k), model.count(k) == 1) << k;
  }
  SkipList<Key, U64Comparator>::Iterator iter(&list);
  // Forward and backward scans.
  iter.SeekToFirst();
  for (Key k : model) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(iter.key(), k);
    iter.Next();
  }
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  for (auto it = model.rbegin(); it != model.rend(); ++it) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(iter.key(), *it);
    iter.Prev();
  }
  EXPECT_FALSE(iter.Valid());
  // Seek lands on the first key >= target.
  for (int i = 0; i < 1000; i++) {
    Key target = rnd.Uniform(5100);
    iter.Seek(target);
    auto it = model.lower_bound(target);
    if (it == model.end()) {
      ASSERT_FALSE(iter.Valid());
    } else {
      ASSERT_TRUE(iter.Valid());
      ASSERT_EQ(iter.key(), *it);
    }
  }
}

// One writer inserts increasing keys while readers scan: a reader must see
// a sorted sequence that includes every key inserted before its scan began.
TEST(SkipList, ConcurrentReadersSeeConsistentList) {
  Arena arena;
  SkipList<Key, U64Comparator> list(U64Comparator(), &arena);
  constexpr Key kCount = 20000;
  std::atomic<Key> published{0};
  std::atomic<bool> failed{false};
  auto reader = [&] {
    while (published.load(std::memory_order_acquire) < kCount) {
      Key before = published.load(std::memory_order_acquire);
      SkipList<Key, U64Comparator>::Iterator iter(&list);
      Key expected = 0;
      Key prev = 0;
      bool first = true;
      for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
        if (!first && iter.key() <= prev) failed = true;
        first = false;
        prev = iter.key();
        // Keys are inserted as 2*i; all of those < 2*before must be present.
        if (expected < before) {
          if (iter.key() != 2 * expected) failed = true;
          expected++;
        }
      }
      if (expected < before) failed = true;
    }
  };
  std::thread r1(reader), r2(reader);
  for (Key i = 0; i < kCount; i++) {
    list.Insert(2 * i);
    published.store(i + 1, std::memory_order_release);
  }
  r1.join();
  r2.join();
  EXPECT_FALSE(failed.load());
}

// Keys allocated with their nodes (AllocateKey), as the memtable does: the
// same ordering and lookups as keys allocated apart.
TEST(SkipList, KeysAllocatedWithTheirNodes) {
  struct StrComparator {
    int operator()(const char* a, const char* b) const {
      return std::strcmp(a, b);
    }
  };
  using List = SkipList<const char*, StrComparator>;
  Arena arena;
  List list(StrComparator(), &arena);
  std::set<std::string> model;
  Random rnd(301);
  for (int i = 0; i < 5000; i++) {
    std::string k = std::to_string(rnd.Uniform(100000));
    if (!model.insert(k).second) continue;
    List::Reservation r;
    char* mem = list.AllocateKey(k.size() + 1, &r);
    std::memcpy(mem, k.c_str(), k.size() + 1);
    list.Insert(r);
  }
  List::Iterator iter(&list);
  iter.SeekToFirst();
  for (const std::string& k : model) {
    ASSERT_TRUE(iter.Valid());
    EXPECT_EQ(std::string(iter.key()), k);
    iter.Next();
  }
  EXPECT_FALSE(iter.Valid());
  for (const std::string& k : model) EXPECT_TRUE(list.Contains(k.c_str()));
  EXPECT_FALSE(list.Contains("x"));
  iter.Seek("5");
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(std::string(iter.key()), *model.lower_bound("5"));
}

}  // namespace shale
