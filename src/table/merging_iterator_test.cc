#include "table/merging_iterator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "table/table_test_util.h"
#include "table/test_iterator.h"
#include "testing/test_util.h"
#include "util/comparator.h"
#include "util/random.h"

namespace shale {
namespace {

using test::KVVector;
using test::VectorIterator;

// Splits sorted distinct entries at random among n children.
std::vector<KVVector> Split(const KVVector& all, size_t n, Random* rnd) {
  std::vector<KVVector> parts(n);
  for (const auto& e : all) parts[rnd->Uniform(n)].push_back(e);
  return parts;
}

std::unique_ptr<InternalIterator> Merge(const std::vector<KVVector>& parts) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  for (const auto& p : parts) {
    children.push_back(
        std::make_unique<VectorIterator>(BytewiseComparator(), p));
  }
  return NewMergingIterator(BytewiseComparator(), std::move(children));
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

TEST(MergingIteratorTest, NoChildren) {
  auto it = Merge({});
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
}

TEST(MergingIteratorTest, RandomizedAgainstModel) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  for (int round = 0; round < 300; round++) {
    std::map<std::string, std::string> m;
    const size_t n = rnd.Skewed(9);
    while (m.size() < n) {
      m[test::RandomPrintable(&rnd, rnd.Uniform(6))] =
          test::RandomBytes(&rnd, rnd.Uniform(5));
    }
    const KVVector all(m.begin(), m.end());
    const size_t num_children = 1 + rnd.Skewed(6);
    auto it = Merge(Split(all, num_children, &rnd));

    it->SeekToFirst();
    for (size_t i = 0; i < all.size(); i++, it->Next()) ExpectAt(*it, all, i);
    ExpectAt(*it, all, all.size());
    it->SeekToLast();
    for (size_t i = all.size(); i-- > 0; it->Prev()) ExpectAt(*it, all, i);
    ExpectAt(*it, all, all.size());

    size_t pos = all.size();
    for (int step = 0; step < 400; step++) {
      switch (rnd.Uniform(7)) {
        case 0: {
          const std::string target =
              test::RandomPrintable(&rnd, rnd.Uniform(6));
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

TEST(MergingIteratorTest, DirectionSwitchesAtEveryPosition) {
  KVVector all;
  for (int i = 0; i < 60; i++) {
    all.emplace_back("k" + std::to_string(100 + i), std::to_string(i));
  }
  Random rnd(7);
  auto it = Merge(Split(all, 7, &rnd));
  for (size_t i = 0; i < all.size(); i++) {
    it->Seek(all[i].first);
    ExpectAt(*it, all, i);
    it->Prev();
    ExpectAt(*it, all, i == 0 ? all.size() : i - 1);
    if (i == 0) continue;
    it->Next();
    ExpectAt(*it, all, i);
    it->Next();
    ExpectAt(*it, all, i + 1);
    if (i + 1 == all.size()) continue;
    it->Prev();
    ExpectAt(*it, all, i);
  }
}

TEST(MergingIteratorTest, DuplicateKeysAreAllReturned) {
  auto it = Merge({{{"a", "1"}, {"b", "1"}}, {{"b", "2"}, {"c", "2"}}});
  std::vector<std::string> keys;
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.emplace_back(it->key());
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "b", "c"}));
  keys.clear();
  for (it->SeekToLast(); it->Valid(); it->Prev()) keys.emplace_back(it->key());
  EXPECT_EQ(keys, (std::vector<std::string>{"c", "b", "b", "a"}));
}

TEST(MergingIteratorTest, ChildErrorStopsTheMerge) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(std::make_unique<VectorIterator>(
      BytewiseComparator(), KVVector{{"a", "1"}, {"c", "1"}, {"e", "1"}}));
  auto failing = std::make_unique<VectorIterator>(
      BytewiseComparator(), KVVector{{"b", "2"}, {"d", "2"}, {"f", "2"}});
  failing->set_poison("d");
  children.push_back(std::move(failing));
  auto it = NewMergingIterator(BytewiseComparator(), std::move(children));
  std::vector<std::string> keys;
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.emplace_back(it->key());
  // The second child fails as it leaves "b": nothing after "b" is returned,
  // since the failed child might have held entries between.
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(it->status().IsIOError());
  it->Seek("e");
  EXPECT_TRUE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(it->key(), "e");
  it->Prev();  // the switch reaches the poisoned child
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
  it->SeekToLast();
  EXPECT_EQ(it->key(), "f");
}

TEST(MergingIteratorTest, OverTables) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  test::Model all;
  std::vector<std::unique_ptr<Table>> tables;
  std::vector<std::unique_ptr<InternalIterator>> children;
  for (int t = 0; t < 8; t++) {
    test::Model part = test::RandomModel(&rnd, rnd.Skewed(9), false);
    // Keep keys distinct across tables.
    for (auto p = part.begin(); p != part.end();) {
      p = all.count(p->first) ? part.erase(p) : std::next(p);
    }
    all.insert(part.begin(), part.end());
    TableOptions options = test::RandomTableOptions(&rnd);
    std::unique_ptr<Table> table;
    ASSERT_TRUE(
        test::OpenTable(options, test::BuildTable(options, part), &table).ok());
    children.push_back(table->NewIterator(ReadOptions()));
    tables.push_back(std::move(table));
  }
  auto it =
      NewMergingIterator(test::TestInternalComparator(), std::move(children));
  auto p = all.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++p) {
    ASSERT_NE(p, all.end());
    ASSERT_EQ(it->key(), p->first);
    ASSERT_EQ(it->value(), p->second);
  }
  EXPECT_EQ(p, all.end());
  auto r = all.rbegin();
  for (it->SeekToLast(); it->Valid(); it->Prev(), ++r) {
    ASSERT_NE(r, all.rend());
    ASSERT_EQ(it->key(), r->first);
  }
  EXPECT_EQ(r, all.rend());
  EXPECT_TRUE(it->status().ok());
}

}  // namespace
}  // namespace shale
