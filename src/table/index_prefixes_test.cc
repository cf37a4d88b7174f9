#include "table/index_prefixes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "db/dbformat.h"
#include "table/block.h"
#include "table/block_builder.h"
#include "testing/test_util.h"
#include "util/random.h"

namespace shale {
namespace {

const InternalKeyComparator kIcmp(BytewiseComparator());

std::string IKey(std::string_view user_key, SequenceNumber seq) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, kTypeValue);
  return k;
}

// Sorted internal keys whose user keys are hard on the digest: a long
// prefix all share, then bytes from a tiny alphabet including 0 (padding
// ties), lengths around prefix + 8 (keys shorter and longer than what p
// holds, keys longer by more than 8 bytes with equal p), and several
// versions of one user key.
std::vector<std::string> HardKeys(Random* rnd, size_t n,
                                  const std::string& prefix) {
  std::vector<std::string> keys;
  while (keys.size() < n) {
    std::string u = prefix;
    const size_t len = rnd->Uniform(14);
    for (size_t i = 0; i < len; i++) {
      u.push_back("\0\1ab\xff"[rnd->Uniform(5)]);
    }
    const int versions = rnd->OneIn(5) ? 1 + rnd->Uniform(3) : 1;
    for (int v = 0; v < versions; v++) keys.push_back(IKey(u, rnd->Uniform(9)));
  }
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return kIcmp.Compare(a, b) < 0;
  });
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::string BuildBlock(const std::vector<std::string>& keys, int interval) {
  BlockBuilder b(interval);
  for (const auto& k : keys) b.Add(k, "handle");
  return std::string(b.Finish());
}

Block BorrowBlock(const std::string& bytes) {
  BlockContents c;
  c.data = bytes;
  return Block(std::move(c));
}

// Narrow's contract, checked against every key, and the narrowed search
// against the whole one, for targets in and around the keys.
TEST(IndexPrefixesTest, NarrowedSearchMatchesFullSearch) {
  const uint64_t seed = test::TestSeed();
  std::printf("seed=%llu\n", static_cast<unsigned long long>(seed));
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  for (int round = 0; round < 60; round++) {
    SCOPED_TRACE("round=" + std::to_string(round));
    const std::string prefix =
        std::string("key:") + std::string(rnd.Uniform(12), '0');
    auto keys = HardKeys(&rnd, 1 + rnd.Uniform(300), prefix);
    // Keys without the prefix at either end, as a table's index has after
    // its last entry ("l", a short successor).
    if (rnd.OneIn(2)) keys.insert(keys.begin(), IKey("key", 1));
    if (rnd.OneIn(2)) keys.insert(keys.begin(), IKey("a", 1));
    if (rnd.OneIn(2)) keys.push_back(IKey("kez", 1));
    if (rnd.OneIn(2)) keys.push_back(IKey("l", 1));
    const int interval = rnd.OneIn(2) ? 1 : 1 + rnd.Uniform(5);
    const std::string bytes = BuildBlock(keys, interval);
    const Block block = BorrowBlock(bytes);
    const auto digest = IndexPrefixes::Build(block);
    ASSERT_NE(digest, nullptr);
    BlockIter probe;
    probe.Init(&kIcmp, &block, {}, 8);
    ASSERT_EQ(digest->num_restarts(), probe.num_restarts());
    std::vector<std::string> restart_keys;
    for (uint32_t i = 0; i < probe.num_restarts(); i++) {
      std::string_view k;
      ASSERT_TRUE(probe.KeyAtRestart(i, &k));
      restart_keys.emplace_back(k);
    }
    for (int t = 0; t < 400; t++) {
      std::string user;
      switch (rnd.Uniform(4)) {
        case 0:  // a key of the block
          user = std::string(ExtractUserKey(keys[rnd.Uniform(keys.size())]));
          break;
        case 1:  // before or after the shared prefix, or a piece of it
          user = rnd.OneIn(2) ? prefix.substr(0, rnd.Uniform(prefix.size()))
                              : "kez\0l"[rnd.Uniform(4)] + prefix;
          break;
        default:  // near the keys
          user = HardKeys(&rnd, 1, prefix)[0];
          user = std::string(ExtractUserKey(user));
          break;
      }
      const std::string target = IKey(user, rnd.Uniform(10));
      uint32_t left, right;
      digest->Narrow(user, &left, &right);
      ASSERT_LE(left, right);
      ASSERT_LT(right, restart_keys.size());
      if (right + 1 < restart_keys.size()) {
        EXPECT_GE(kIcmp.Compare(restart_keys[right + 1], target), 0);
      }
      BlockIter whole, narrowed;
      whole.Init(&kIcmp, &block, {}, 8);
      narrowed.Init(&kIcmp, &block, {}, 8);
      whole.Seek(target);
      narrowed.SeekBetweenRestarts(target, left, right);
      ASSERT_TRUE(narrowed.status().ok()) << narrowed.status().ToString();
      ASSERT_EQ(narrowed.Valid(), whole.Valid());
      if (whole.Valid()) {
        EXPECT_EQ(narrowed.key(), whole.key());
      }
      // Every entry before restart point left is smaller than the target.
      if (left > 0) {
        auto first_at_left =
            std::find(keys.begin(), keys.end(), restart_keys[left]);
        ASSERT_NE(first_at_left, keys.end());
        EXPECT_LT(kIcmp.Compare(*(first_at_left - 1), target), 0);
      }
    }
  }
}

// With keys like key:%012d every p is distinct: one restart point to look
// at, where the whole search takes log2(n) steps.
TEST(IndexPrefixesTest, DistinctPrefixesNarrowToOneEntry) {
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; i++) {
    char u[32];
    std::snprintf(u, sizeof(u), "key:%012d", i * 7);
    keys.push_back(IKey(u, 100));
  }
  const std::string bytes = BuildBlock(keys, 1);
  const Block block = BorrowBlock(bytes);
  const auto digest = IndexPrefixes::Build(block);
  ASSERT_NE(digest, nullptr);
  for (int i = 0; i < 5000 * 7; i += 3) {
    char u[32];
    std::snprintf(u, sizeof(u), "key:%012d", i);
    uint32_t left, right;
    digest->Narrow(u, &left, &right);
    EXPECT_EQ(left, right) << u;
    EXPECT_EQ(left, std::min<uint32_t>((i + 6) / 7, 4999)) << u;
  }
}

TEST(IndexPrefixesTest, NoDigestForUnusableBlocks) {
  // Out of order.
  const std::string unsorted =
      BuildBlock({IKey("b", 1), IKey("a", 1), IKey("c", 1)}, 1);
  EXPECT_EQ(IndexPrefixes::Build(BorrowBlock(unsorted)), nullptr);
  // A key shorter than an internal key.
  const std::string short_key = BuildBlock({IKey("a", 1), "abc"}, 1);
  EXPECT_EQ(IndexPrefixes::Build(BorrowBlock(short_key)), nullptr);
  // Malformed: no restart array.
  EXPECT_EQ(IndexPrefixes::Build(BorrowBlock(std::string("\0\0", 2))), nullptr);
  // A damaged entry past the restart points (interval 2: the second entry
  // is no restart point).
  std::string damaged = BuildBlock({IKey("a", 1), IKey("ab", 1)}, 2);
  damaged[IKey("a", 1).size() + 3 + 6] = '\x7f';  // shared of entry 2
  EXPECT_EQ(IndexPrefixes::Build(BorrowBlock(damaged)), nullptr);
  // A single entry works.
  const std::string one = BuildBlock({IKey("only", 1)}, 1);
  const auto digest = IndexPrefixes::Build(BorrowBlock(one));
  ASSERT_NE(digest, nullptr);
  uint32_t left, right;
  digest->Narrow("a", &left, &right);
  EXPECT_EQ(left, 0u);
  EXPECT_EQ(right, 0u);
  digest->Narrow("z", &left, &right);
  EXPECT_EQ(left, 0u);
}

}  // namespace
}  // namespace shale
