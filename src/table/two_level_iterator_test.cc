#include "table/two_level_iterator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "table/test_iterator.h"
#include "testing/test_util.h"
#include "util/comparator.h"
#include "util/random.h"

namespace shale {
namespace {

using test::KVVector;
using test::VectorIterator;

// Sorted entries split into consecutive runs ("files"), some of them empty.
// The index maps each run's last key (or, for an empty run, a key between
// its neighbours) to the run's number.
struct Runs {
  KVVector all;
  std::vector<KVVector> runs;
  KVVector index;
};

Runs MakeRuns(Random* rnd) {
  std::map<std::string, std::string> m;
  const size_t n = rnd->Skewed(9);
  while (m.size() < n) {
    m["k" + std::to_string(100000 + rnd->Uniform(900000))] =
        test::RandomBytes(rnd, rnd->Uniform(4));
  }
  Runs r;
  r.all.assign(m.begin(), m.end());
  size_t i = 0;
  std::string last_index = "k";
  while (i < r.all.size() || rnd->OneIn(3)) {
    size_t len = rnd->OneIn(5) ? 0 : 1 + rnd->Skewed(5);
    len = std::min(len, r.all.size() - i);
    KVVector run(r.all.begin() + i, r.all.begin() + i + len);
    i += len;
    // An empty run's key sits just after the previous index key, before
    // every later entry.
    last_index = len > 0 ? run.back().first : last_index + '\x01';
    r.index.emplace_back(last_index, std::to_string(r.runs.size()));
    r.runs.push_back(std::move(run));
  }
  return r;
}

std::unique_ptr<InternalIterator> NewIter(const Runs& r, int* opened,
                                          int fail_run = -1) {
  return NewTwoLevelIterator(
      std::make_unique<VectorIterator>(BytewiseComparator(), r.index),
      [&r, opened,
       fail_run](std::string_view v) -> std::unique_ptr<InternalIterator> {
        (*opened)++;
        const int run = std::stoi(std::string(v));
        if (run == fail_run)
          return NewEmptyIterator(Status::Corruption("bad run"));
        return std::make_unique<VectorIterator>(BytewiseComparator(),
                                                r.runs[run]);
      });
}

void ExpectAt(const InternalIterator& it, const KVVector& all, size_t pos) {
  ASSERT_TRUE(it.status().ok()) << it.status().ToString();
  if (pos == all.size()) {
    ASSERT_FALSE(it.Valid());
    return;
  }
  ASSERT_TRUE(it.Valid());
  ASSERT_EQ(it.key(), all[pos].first);
  ASSERT_EQ(it.value(), all[pos].second);
}

TEST(TwoLevelIteratorTest, RandomizedAgainstModel) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  for (int round = 0; round < 300; round++) {
    const Runs r = MakeRuns(&rnd);
    const KVVector& all = r.all;
    int opened = 0;
    auto it = NewIter(r, &opened);
    it->SeekToFirst();
    for (size_t i = 0; i < all.size(); i++, it->Next()) ExpectAt(*it, all, i);
    ExpectAt(*it, all, all.size());
    // A forward scan opens each run once.
    EXPECT_LE(opened, static_cast<int>(r.runs.size()));
    it->SeekToLast();
    for (size_t i = all.size(); i-- > 0; it->Prev()) ExpectAt(*it, all, i);
    ExpectAt(*it, all, all.size());

    size_t pos = all.size();
    for (int step = 0; step < 300; step++) {
      switch (rnd.Uniform(6)) {
        case 0: {
          std::string target =
              rnd.OneIn(2) && !all.empty()
                  ? all[rnd.Uniform(all.size())].first
                  : "k" + std::to_string(100000 + rnd.Uniform(900000));
          it->Seek(target);
          pos = std::lower_bound(all.begin(), all.end(), target,
                                 [](const auto& e, const std::string& t) {
                                   return e.first < t;
                                 }) -
                all.begin();
          break;
        }
        case 1:
          it->SeekToFirst();
          pos = 0;
          break;
        case 2:
          it->SeekToLast();
          pos = all.empty() ? 0 : all.size() - 1;
          break;
        case 3:
        case 4:
          if (pos < all.size()) {
            it->Next();
            pos++;
          }
          break;
        default:
          if (pos < all.size()) {
            it->Prev();
            pos = pos == 0 ? all.size() : pos - 1;
          }
          break;
      }
      ExpectAt(*it, all, pos);
    }
  }
}

TEST(TwoLevelIteratorTest, ReusesTheCurrentBlock) {
  Runs r;
  r.runs = {{{"a", "1"}, {"b", "2"}, {"c", "3"}}, {{"d", "4"}}};
  r.index = {{"c", "0"}, {"d", "1"}};
  int opened = 0;
  auto it = NewIter(r, &opened);
  it->Seek("a");
  it->Seek("b");
  it->Seek("c");
  it->Prev();
  EXPECT_EQ(it->key(), "b");
  EXPECT_EQ(opened, 1);
}

TEST(TwoLevelIteratorTest, BlockErrorStops) {
  Runs r;
  r.runs = {{{"a", "1"}}, {{"b", "2"}}, {{"c", "3"}}};
  r.index = {{"a", "0"}, {"b", "1"}, {"c", "2"}};
  int opened = 0;
  auto it = NewIter(r, &opened, /*fail_run=*/1);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "a");
  it->Next();  // into the failing run: stop, do not skip to "c"
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
  it->Seek("c");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "c");
  EXPECT_TRUE(it->status().ok());
  it->Prev();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

TEST(TwoLevelIteratorTest, IndexErrorStops) {
  Runs r;
  r.runs = {{{"a", "1"}}, {{"b", "2"}}};
  r.index = {{"a", "0"}, {"b", "1"}};
  auto index = std::make_unique<VectorIterator>(BytewiseComparator(), r.index);
  index->set_poison("b");
  auto it = NewTwoLevelIterator(std::move(index), [&r](std::string_view v) {
    return std::make_unique<VectorIterator>(BytewiseComparator(),
                                            r.runs[std::stoi(std::string(v))]);
  });
  it->SeekToFirst();
  EXPECT_EQ(it->key(), "a");
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
}

}  // namespace
}  // namespace shale
