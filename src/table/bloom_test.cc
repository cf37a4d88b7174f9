#include "table/bloom.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "testing/test_util.h"
#include "util/coding.h"
#include "util/random.h"

namespace shale {
namespace {

// Distinct keys of the given size: a counter, padded with a fixed filler.
std::string Key(uint64_t i, size_t size) {
  std::string k;
  PutFixed64(&k, i);
  if (size < k.size()) {
    // Still distinct for i < 256^size.
    k.resize(size);
  } else {
    k.resize(size, 'k');
  }
  return k;
}

TEST(BloomTest, EmptyFilterMatchesNothing) {
  BloomFilterBuilder b(10);
  std::string f = b.Finish();
  BloomFilterReader r(f);
  EXPECT_TRUE(r.valid());
  EXPECT_FALSE(r.KeyMayMatch("hello"));
  EXPECT_FALSE(r.KeyMayMatch(""));
}

TEST(BloomTest, ProbesFollowBitsPerKey) {
  EXPECT_EQ(BloomFilterBuilder(10).num_probes(), 7);
  EXPECT_EQ(BloomFilterBuilder(1).num_probes(), 1);
  EXPECT_EQ(BloomFilterBuilder(0).num_probes(), 1);
  EXPECT_EQ(BloomFilterBuilder(5).num_probes(), 3);
  EXPECT_EQ(BloomFilterBuilder(100).num_probes(), 30);
}

TEST(BloomTest, ConsecutiveDuplicatesCountOnce) {
  BloomFilterBuilder b(10);
  b.AddKey("a");
  b.AddKey("a");
  b.AddKey("b");
  b.AddKey("a");
  EXPECT_EQ(b.num_keys(), 3u);
}

TEST(BloomTest, SmallFilters) {
  BloomFilterBuilder b(10);
  b.AddKey("hello");
  b.AddKey("world");
  BloomFilterReader r(b.Finish());
  EXPECT_TRUE(r.KeyMayMatch("hello"));
  EXPECT_TRUE(r.KeyMayMatch("world"));
  EXPECT_FALSE(r.KeyMayMatch("x"));
  EXPECT_FALSE(r.KeyMayMatch("foo"));
}

// Returns the false-positive rate of a filter over n keys of key_size bytes
// after checking that it has no false negatives.
double FalsePositiveRate(size_t n, size_t key_size, int bits_per_key) {
  BloomFilterBuilder b(bits_per_key);
  for (size_t i = 0; i < n; i++) b.AddKey(Key(i, key_size));
  const std::string f = b.Finish();
  // Size: about bits_per_key bits per key, rounded up to whole lines.
  EXPECT_LE(f.size(), (n * bits_per_key + 7) / 8 + 64 + 6);
  BloomFilterReader r(f);
  EXPECT_TRUE(r.valid());
  for (size_t i = 0; i < n; i++) {
    if (!r.KeyMayMatch(Key(i, key_size))) {
      ADD_FAILURE() << "false negative for key " << i << " of " << n;
      return 1;
    }
  }
  size_t hits = 0;
  const size_t probes = 100000;
  for (size_t i = 0; i < probes; i++) {
    hits += r.KeyMayMatch(Key(i + 1000000000, key_size));
  }
  return static_cast<double>(hits) / probes;
}

TEST(BloomTest, NoFalseNegativesAnySize) {
  for (size_t key_size : {5u, 8u, 16u, 100u}) {
    for (size_t n = 1; n <= 10000; n = n < 10 ? n + 1 : n * 3) {
      SCOPED_TRACE("n=" + std::to_string(n) +
                   " key_size=" + std::to_string(key_size));
      double rate = FalsePositiveRate(n, key_size, 10);
      // Tiny filters are a single line and noisy; bound them loosely.
      EXPECT_LE(rate, n < 1000 ? 0.05 : 0.02);
    }
  }
}

TEST(BloomTest, FalsePositiveRateAt10BitsPerKey) {
  for (size_t key_size : {8u, 16u, 64u}) {
    const double rate = FalsePositiveRate(100000, key_size, 10);
    std::printf("bloom: 100000 keys of %zu bytes, 10 bits/key: %.3f%% FP\n",
                key_size, rate * 100);
    EXPECT_LE(rate, 0.011);
  }
}

TEST(BloomTest, OtherBitsPerKey) {
  const double r5 = FalsePositiveRate(50000, 16, 5);
  const double r20 = FalsePositiveRate(50000, 16, 20);
  std::printf("bloom: 5 bits/key %.3f%% FP, 20 bits/key %.4f%% FP\n", r5 * 100,
              r20 * 100);
  EXPECT_LE(r5, 0.10);
  EXPECT_LE(r20, 0.0005);
}

TEST(BloomTest, RandomKeys) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  std::vector<std::string> keys;
  BloomFilterBuilder b(1 + static_cast<int>(rnd.Uniform(20)));
  for (int i = 0; i < 5000; i++) {
    keys.push_back(test::RandomBytes(&rnd, rnd.Uniform(40)));
    b.AddKey(keys.back());
  }
  BloomFilterReader r(b.Finish());
  for (const auto& k : keys) ASSERT_TRUE(r.KeyMayMatch(k));
  // The hash-taking probe (one hash for every table of a MultiGet) answers
  // as KeyMayMatch, for keys added and not.
  for (int i = 0; i < 20000; i++) {
    const std::string k = i < 5000 ? keys[i] : test::RandomBytes(&rnd, 12);
    r.Prefetch(BloomHash(k));
    ASSERT_EQ(r.HashMayMatch(BloomHash(k)), r.KeyMayMatch(k)) << i;
  }
}

TEST(BloomTest, MalformedFiltersMatchEverything) {
  BloomFilterBuilder b(10);
  for (int i = 0; i < 1000; i++) b.AddKey(Key(i, 8));
  const std::string good = b.Finish();
  std::vector<std::string> bad;
  bad.push_back("");
  bad.push_back("abc");
  bad.push_back(good.substr(0, good.size() - 1));
  bad.push_back(good.substr(1));
  std::string layout = good;
  layout.back() = 7;
  bad.push_back(layout);
  std::string zero_probes = good;
  zero_probes[good.size() - 2] = 0;
  bad.push_back(zero_probes);
  std::string many_probes = good;
  many_probes[good.size() - 2] = 31;
  bad.push_back(many_probes);
  std::string lines = good;
  EncodeFixed32(lines.data() + lines.size() - 6, 0xffffffffu);
  bad.push_back(lines);
  for (const auto& f : bad) {
    BloomFilterReader r(f);
    EXPECT_FALSE(r.valid());
    EXPECT_TRUE(r.KeyMayMatch("anything"));
    EXPECT_TRUE(r.KeyMayMatch(Key(5000, 8)));
  }
}

TEST(BloomTest, ReaderUsesTheFiltersProbeCount) {
  // A filter written with 3 probes is read correctly by any reader.
  BloomFilterBuilder b(4);
  ASSERT_EQ(b.num_probes(), 3);
  for (int i = 0; i < 2000; i++) b.AddKey(Key(i, 8));
  BloomFilterReader r(b.Finish());
  for (int i = 0; i < 2000; i++) ASSERT_TRUE(r.KeyMayMatch(Key(i, 8)));
}

}  // namespace
}  // namespace shale
