#include "table/block.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "table/block_builder.h"
#include "testing/test_util.h"
#include "util/coding.h"
#include "util/comparator.h"
#include "util/random.h"

namespace shale {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

// Random sorted distinct keys that often share long prefixes.
Entries RandomEntries(Random* rnd, size_t n, size_t max_key, size_t max_value) {
  std::map<std::string, std::string> m;
  std::string prev;
  while (m.size() < n) {
    std::string k;
    if (!prev.empty() && !rnd->OneIn(4))
      k = prev.substr(0, rnd->Uniform(prev.size() + 1));
    k += test::RandomBytes(rnd, rnd->Uniform(max_key + 1));
    prev = k;
    m[k] = test::RandomBytes(rnd, rnd->Skewed(10) % (max_value + 1));
  }
  return Entries(m.begin(), m.end());
}

std::string BuildBlock(const Entries& entries, int restart_interval) {
  BlockBuilder b(restart_interval);
  for (const auto& [k, v] : entries) b.Add(k, v);
  EXPECT_GE(b.CurrentSizeEstimate(), 4u);
  return std::string(b.Finish());
}

Block BorrowedBlock(const std::string& contents) {
  BlockContents c;
  c.data = contents;
  return Block(std::move(c));
}

TEST(BlockTest, Empty) {
  BlockBuilder b(16);
  EXPECT_TRUE(b.empty());
  std::string contents(b.Finish());
  EXPECT_EQ(contents.size(), 8u);
  Block block = BorrowedBlock(contents);
  EXPECT_TRUE(block.well_formed());
  BlockIter it;
  it.Init(BytewiseComparator(), &block, "f");
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  it.SeekToLast();
  EXPECT_FALSE(it.Valid());
  it.Seek("x");
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().ok());
}

TEST(BlockTest, NullBlockIsEmpty) {
  BlockIter it;
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  it.Init(BytewiseComparator(), nullptr, {});
  it.Seek("a");
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().ok());
}

TEST(BlockTest, ResetReusesBuilder) {
  BlockBuilder b(2);
  b.Add("a", "1");
  b.Add("b", "2");
  b.Finish();
  b.Reset();
  EXPECT_TRUE(b.empty());
  b.Add("a", "x");
  std::string contents(b.Finish());
  Block block = BorrowedBlock(contents);
  BlockIter it;
  it.Init(BytewiseComparator(), &block, "f");
  it.SeekToFirst();
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "a");
  EXPECT_EQ(it.value(), "x");
  it.Next();
  EXPECT_FALSE(it.Valid());
}

// Checks that the iterator sits on entry i of entries (or is invalid when
// i == entries.size()).
void ExpectAt(const BlockIter& it, const Entries& entries, size_t i) {
  ASSERT_TRUE(it.status().ok()) << it.status().ToString();
  if (i == entries.size()) {
    ASSERT_FALSE(it.Valid());
    return;
  }
  ASSERT_TRUE(it.Valid());
  ASSERT_EQ(it.key(), entries[i].first);
  ASSERT_EQ(it.value(), entries[i].second);
}

TEST(BlockTest, RandomizedAgainstModel) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  for (int round = 0; round < 200; round++) {
    const size_t n = rnd.Skewed(10);
    const int restart_interval = 1 + static_cast<int>(rnd.Skewed(6));
    const size_t max_key = rnd.OneIn(5) ? 300 : 24;  // past KeyBuffer's inline
    Entries entries = RandomEntries(&rnd, n, max_key, 64);
    std::string contents = BuildBlock(entries, restart_interval);
    Block block = BorrowedBlock(contents);
    ASSERT_TRUE(block.well_formed());
    BlockIter it;
    it.Init(BytewiseComparator(), &block, "f");

    // Forward and backward scans.
    it.SeekToFirst();
    for (size_t i = 0; i < n; i++, it.Next()) {
      ExpectAt(it, entries, i);
      // Values are not copied: they point into the block.
      ASSERT_GE(it.value().data(), contents.data());
      ASSERT_LE(it.value().data() + it.value().size(),
                contents.data() + contents.size());
    }
    ExpectAt(it, entries, n);
    it.SeekToLast();
    for (size_t i = n; i-- > 0;) {
      ExpectAt(it, entries, i);
      it.Prev();
    }
    ExpectAt(it, entries, n);

    // A random walk of seeks and steps.
    size_t pos = n;
    for (int step = 0; step < 300; step++) {
      switch (rnd.Uniform(6)) {
        case 0: {
          std::string target = rnd.OneIn(2) && n > 0
                                   ? entries[rnd.Uniform(n)].first
                                   : test::RandomBytes(&rnd, rnd.Uniform(4));
          if (rnd.OneIn(3)) target.push_back('\0');
          it.Seek(target);
          pos = std::lower_bound(entries.begin(), entries.end(), target,
                                 [](const auto& e, const std::string& t) {
                                   return e.first < t;
                                 }) -
                entries.begin();
          break;
        }
        case 1:
          it.SeekToFirst();
          pos = 0;
          break;
        case 2:
          it.SeekToLast();
          pos = n == 0 ? 0 : n - 1;
          break;
        case 3:
        case 4:
          if (pos < n) {
            it.Next();
            pos++;
          }
          break;
        default:
          if (pos < n) {
            it.Prev();
            pos = pos == 0 ? n : pos - 1;
          }
          break;
      }
      ExpectAt(it, entries, pos);
    }
  }
}

TEST(BlockTest, SeekAfterExhaustionAndFromCurrentPosition) {
  Entries entries;
  for (int i = 0; i < 100; i++) {
    char k[16];
    std::snprintf(k, sizeof(k), "key%05d", i * 2);
    entries.emplace_back(k, std::to_string(i));
  }
  std::string contents = BuildBlock(entries, 4);
  Block block = BorrowedBlock(contents);
  BlockIter it;
  it.Init(BytewiseComparator(), &block, "f");
  it.Seek("key00051");  // -> key00052
  ASSERT_TRUE(it.Valid());
  EXPECT_EQ(it.key(), "key00052");
  it.Seek("key00060");  // forward from the current position
  EXPECT_EQ(it.key(), "key00060");
  it.Seek("key00010");  // backward
  EXPECT_EQ(it.key(), "key00010");
  it.Seek("key00010");  // the same key
  EXPECT_EQ(it.key(), "key00010");
  it.Seek("zzz");
  EXPECT_FALSE(it.Valid());
  it.Seek("");
  EXPECT_EQ(it.key(), "key00000");
  EXPECT_TRUE(it.status().ok());
}

void ExerciseAll(BlockIter* it, Random* rnd) {
  // Every movement must terminate without touching memory outside the
  // block; a bounded number of steps guards against loops.
  it->SeekToFirst();
  for (int i = 0; i < 10000 && it->Valid(); i++) it->Next();
  it->SeekToLast();
  for (int i = 0; i < 10000 && it->Valid(); i++) it->Prev();
  for (int i = 0; i < 20; i++) {
    it->Seek(test::RandomBytes(rnd, rnd->Uniform(8)));
    for (int j = 0; j < 5 && it->Valid(); j++) {
      if (rnd->OneIn(2)) {
        it->Next();
      } else {
        it->Prev();
      }
    }
  }
  if (!it->Valid()) {
    EXPECT_TRUE(it->status().ok() || it->status().IsCorruption());
  }
}

TEST(BlockTest, MalformedRestartArray) {
  std::string contents = BuildBlock({{"a", "1"}, {"b", "2"}}, 1);
  struct Case {
    const char* what;
    std::string bytes;
  };
  std::string huge_count = contents;
  EncodeFixed32(huge_count.data() + huge_count.size() - 4, 1u << 30);
  std::string zero_count = contents;
  EncodeFixed32(zero_count.data() + zero_count.size() - 4, 0);
  std::string bad_offset = contents;
  EncodeFixed32(bad_offset.data() + bad_offset.size() - 8, 1000);
  std::string mid_offset = contents;  // a restart in the middle of an entry
  EncodeFixed32(mid_offset.data() + mid_offset.size() - 8, 1);
  const Case cases[] = {{"too short", "abc"},
                        {"empty", ""},
                        {"huge count", huge_count},
                        {"zero count", zero_count},
                        {"restart past end", bad_offset},
                        {"restart mid entry", mid_offset}};
  Random rnd(test::TestSeed());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Block block = BorrowedBlock(c.bytes);
    BlockIter it;
    it.Init(BytewiseComparator(), &block, "f.sst");
    ExerciseAll(&it, &rnd);
    it.SeekToFirst();
    bool saw_error = false;
    for (int i = 0; i < 10 && it.Valid(); i++) it.Next();
    saw_error = !it.status().ok();
    it.Seek("b");
    saw_error |= !it.status().ok();
    it.SeekToLast();
    saw_error |= !it.status().ok();
    EXPECT_TRUE(saw_error);
    EXPECT_TRUE(it.status().IsCorruption());
    EXPECT_NE(it.status().ToString().find("f.sst"), std::string::npos);
  }
}

TEST(BlockTest, RandomDamageNeverCrashes) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  for (int round = 0; round < 300; round++) {
    Entries entries = RandomEntries(&rnd, 1 + rnd.Uniform(60), 20, 20);
    std::string contents = BuildBlock(entries, 1 + rnd.Uniform(8));
    switch (rnd.Uniform(3)) {
      case 0:  // flip a few bytes
        for (int i = 0, n = 1 + rnd.Uniform(4); i < n; i++) {
          contents[rnd.Uniform(contents.size())] ^=
              static_cast<char>(1 + rnd.Uniform(255));
        }
        break;
      case 1:  // truncate
        contents.resize(rnd.Uniform(contents.size()));
        break;
      default:  // garbage
        contents = test::RandomBytes(&rnd, rnd.Uniform(200));
        break;
    }
    // Copy into an exactly sized heap buffer so that a sanitizer sees any
    // read past the end.
    auto owned = std::make_unique<char[]>(contents.size());
    std::memcpy(owned.get(), contents.data(), contents.size());
    BlockContents c;
    c.data = std::string_view(owned.get(), contents.size());
    c.owned = std::move(owned);
    Block block(std::move(c));
    BlockIter it;
    it.Init(BytewiseComparator(), &block, "f");
    ExerciseAll(&it, &rnd);
  }
}

}  // namespace
}  // namespace shale
