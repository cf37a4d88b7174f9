#include "db/skiplist.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

// InsertMany links batches of every size (below, at and above the number of
// searches it interleaves, mixed with single inserts) as Insert would: the
// same order at level 0, and Seek, whose search walks the upper levels,
// finds every key.
struct CStrComparator {
  int operator()(const char* a, const char* b) const {
    return std::strcmp(a, b);
  }
};
using CStrList = SkipList<const char*, CStrComparator>;

CStrList::Reservation AllocateString(CStrList* list, const std::string& k) {
  CStrList::Reservation r;
  char* mem = list->AllocateKey(k.size() + 1, &r);
  std::memcpy(mem, k.c_str(), k.size() + 1);
  return r;
}

TEST(SkipList, InsertManyMatchesModel) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  Arena arena;
  CStrList list(CStrComparator(), &arena);
  std::set<std::string> model;
  std::vector<CStrList::Reservation> batch;
  while (model.size() < 20000) {
    const size_t n = rnd.OneIn(4) ? 1 : 1 + rnd.Uniform(70);
    batch.clear();
    for (size_t i = 0; i < n; i++) {
      std::string k = std::to_string(rnd.Uniform(1000000));
      if (model.insert(k).second) batch.push_back(AllocateString(&list, k));
    }
    if (batch.size() == 1 && rnd.OneIn(2)) {
      list.Insert(batch[0]);
    } else {
      list.InsertMany(batch.data(), batch.size());
    }
  }
  CStrList::Iterator iter(&list);
  iter.SeekToFirst();
  for (const std::string& k : model) {
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(std::string(iter.key()), k);
    iter.Next();
  }
  EXPECT_FALSE(iter.Valid());
  for (int i = 0; i < 5000; i++) {
    std::string target = std::to_string(rnd.Uniform(1000000));
    iter.Seek(target.c_str());
    auto it = model.lower_bound(target);
    if (it == model.end()) {
      ASSERT_FALSE(iter.Valid()) << target;
    } else {
      ASSERT_TRUE(iter.Valid()) << target;
      ASSERT_EQ(std::string(iter.key()), *it) << target;
    }
    ASSERT_EQ(list.Contains(target.c_str()), model.count(target) == 1);
  }
}

// Readers running beside InsertMany see a sorted list that holds every key
// of the batches published before they looked.
TEST(SkipList, ConcurrentReadersBesideInsertMany) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Arena arena;
  CStrList list(CStrComparator(), &arena);
  // Keys of batch b are "<random>.<b>", distinct by construction; each batch
  // is fixed before the writer starts, so readers know what to look for.
  constexpr int kBatches = 400;
  std::vector<std::vector<std::string>> batches(kBatches);
  Random rnd(seed);
  for (int b = 0; b < kBatches; b++) {
    const size_t n = 1 + rnd.Uniform(40);
    for (size_t i = 0; i < n; i++) {
      batches[b].push_back(std::to_string(rnd.Uniform(1000000)) + "." +
                           std::to_string(b) + "." + std::to_string(i));
    }
  }
  std::atomic<int> published{0};
  std::atomic<bool> failed{false};
  auto reader = [&] {
    Random r(seed + 1);
    while (published.load(std::memory_order_acquire) < kBatches) {
      const int before = published.load(std::memory_order_acquire);
      CStrList::Iterator iter(&list);
      std::string prev;
      for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
        if (!prev.empty() && prev >= iter.key()) failed = true;
        prev = iter.key();
      }
      if (before == 0) continue;
      const auto& b = batches[r.Uniform(before)];
      for (const std::string& k : b) {
        if (!list.Contains(k.c_str())) failed = true;
      }
    }
  };
  std::thread r1(reader), r2(reader);
  std::vector<CStrList::Reservation> rs;
  for (int b = 0; b < kBatches; b++) {
    rs.clear();
    for (const std::string& k : batches[b]) {
      rs.push_back(AllocateString(&list, k));
    }
    list.InsertMany(rs.data(), rs.size());
    published.store(b + 1, std::memory_order_release);
  }
  r1.join();
  r2.join();
  EXPECT_FALSE(failed.load());
}

}  // namespace shale
