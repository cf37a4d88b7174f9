// ZSet (keyspace/zset.h) and ElementIterator's backward walk: the two
// entries per member stay in step, and the score index reads the same
// forward and backward, pending writes laid over committed ones.
#include "server/keyspace/zset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "server/keyspace/mem_keyspace_test_util.h"

namespace shale::server {
namespace {

using Model = std::map<std::string, double>;
using Ranked = std::vector<std::pair<double, std::string>>;

class ZSetTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenMemKeyspace(&env_, 4, &db_, &ks_).ok());
  }
  void BeginLocked(Tx* tx, std::string_view key) {
    tx->Begin(0);
    const Tx::DbKey keys[] = {{0, key}};
    tx->LockKeys(keys);
  }
  // The model in Redis's order: score, then member bytes.
  static Ranked Sorted(const Model& m) {
    Ranked r;
    for (const auto& [k, v] : m) r.push_back({v, k});
    std::sort(r.begin(), r.end());
    return r;
  }
  static Ranked Forward(ZSet* z) {
    Ranked r;
    auto it = z->NewScoreIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      double s;
      std::string_view m;
      EXPECT_TRUE(ParseScoreSub(it->sub(), &s, &m));
      r.push_back({s, std::string(m)});
    }
    EXPECT_TRUE(it->status().ok());
    return r;
  }
  static Ranked Backward(ZSet* z) {
    Ranked r;
    auto it = z->NewScoreIterator();
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      double s;
      std::string_view m;
      EXPECT_TRUE(ParseScoreSub(it->sub(), &s, &m));
      r.push_back({s, std::string(m)});
    }
    EXPECT_TRUE(it->status().ok());
    std::reverse(r.begin(), r.end());
    return r;
  }

  // The metadata's score bounds contain every member's score (exactly the
  // lowest and highest if tight); the walks from SeekFirst/SeekLast see
  // the ends.
  static void CheckBounds(ZSet* z, const Model& model, bool tight) {
    if (model.empty()) return;
    const Ranked want = Sorted(model);
    std::string lo, hi;
    AppendScoreSub(&lo, want.front().first, want.front().second);
    AppendScoreSub(&hi, want.back().first, want.back().second);
    ASSERT_FALSE(z->LowSub().empty());
    EXPECT_LE(z->LowSub(), lo);
    EXPECT_GT(z->HighSubAfter(), hi);
    if (tight) {
      EXPECT_EQ(z->LowSub(), lo.substr(0, 8 + kZSetBoundMemberMax));
      if (want.back().second.size() <= kZSetBoundMemberMax) {
        EXPECT_EQ(z->HighSubAfter(), hi + std::string(1, '\0'));
      } else {
        EXPECT_EQ(z->HighSubAfter(), PrefixSuccessor(hi.substr(0, 8)));
      }
    }
    auto it = z->NewScoreIterator();
    z->SeekFirst(it.get());
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->sub().substr(8), want.front().second);
    z->SeekLast(it.get());
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->sub().substr(8), want.back().second);
  }

  MemEnv env_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
};

TEST_F(ZSetTest, ScoreSubKeysSortNumerically) {
  const double scores[] = {-std::numeric_limits<double>::infinity(),
                           -1e300,
                           -2.5,
                           -1,
                           -0.0,
                           0,
                           1e-300,
                           1,
                           2.5,
                           std::numeric_limits<double>::infinity()};
  std::string prev;
  for (double s : scores) {
    std::string sub;
    AppendScoreSub(&sub, s, "m");
    if (!prev.empty()) {
      EXPECT_LE(prev, sub) << s;
    }
    prev = sub;
    double got;
    std::string_view m;
    ASSERT_TRUE(ParseScoreSub(sub, &got, &m));
    EXPECT_EQ(got, s);
    EXPECT_EQ(m, "m");
    EXPECT_LT(sub, ScoreSubAfter(s));
    EXPECT_GT(ScoreSubAfter(s), sub);
  }
  std::string v;
  EncodeScoreValue(&v, -0.0);
  double d;
  ASSERT_TRUE(DecodeScoreValue(v, &d));
  EXPECT_TRUE(std::signbit(d));  // the member entry keeps -0's sign
  EXPECT_FALSE(DecodeScoreValue("short", &d));
}

TEST_F(ZSetTest, BackwardWalkSeesPendingWritesOverCommittedOnes) {
  {
    Tx tx(ks_.get());
    BeginLocked(&tx, "z");
    Collection c(&tx, KeyType::kZSet);
    ASSERT_TRUE(c.Open("z").ok());
    ZSet z(&c);
    for (int i = 0; i < 6; i++) {
      z.Put("m" + std::to_string(i), i, false, 0);
    }
    ASSERT_TRUE(c.Finish().ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  Tx tx(ks_.get());
  BeginLocked(&tx, "z");
  Collection c(&tx, KeyType::kZSet);
  ASSERT_TRUE(c.Open("z").ok());
  ZSet z(&c);
  z.Remove("m5", 5);         // the last committed one
  z.Put("m2", 10, true, 2);  // moves to the end
  z.Put("a", -1, false, 0);  // a new first
  z.Remove("m0", 0);         // the first committed one
  Ranked want = {{-1, "a"}, {1, "m1"}, {3, "m3"}, {4, "m4"}, {10, "m2"}};
  EXPECT_EQ(Forward(&z), want);
  EXPECT_EQ(Backward(&z), want);
  EXPECT_EQ(c.count(), 5u);
  // SeekForPrev lands on the last entry at or before its target.
  auto it = z.NewScoreIterator();
  std::string target;
  AppendScoreSub(&target, 3, "m3");
  it->SeekForPrev(target);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->sub(), target);
  it->SeekForPrev(ScoreSubAfter(4));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->sub().substr(8), "m4");
  it->Prev();
  EXPECT_EQ(it->sub().substr(8), "m3");
  std::string before;
  AppendScoreSub(&before, -5, "");
  it->SeekForPrev(before);
  EXPECT_FALSE(it->Valid());
  double s;
  ASSERT_TRUE(z.Score("m2", &s).ok());
  EXPECT_EQ(s, 10);
  EXPECT_TRUE(z.Score("m5", &s).IsNotFound());
}

TEST_F(ZSetTest, RandomOpsMatchAModelBothWays) {
  const unsigned seed = std::random_device{}();
  std::printf("seed %u\n", seed);
  SCOPED_TRACE(seed);
  std::mt19937 rng(seed);
  Model model;
  for (int round = 0; round < 40; round++) {
    Tx tx(ks_.get());
    BeginLocked(&tx, "z");
    Collection c(&tx, KeyType::kZSet);
    ASSERT_TRUE(c.Open("z").ok());
    ZSet z(&c);
    const int ops = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < ops; i++) {
      // Some members are longer than the bounds keep (a prefix, or none).
      const unsigned n = rng() % 30;
      std::string m =
          (n % 4 == 0 ? std::string(kZSetBoundMemberMax, 'x') : "") + "m" +
          std::to_string(n);
      double score = static_cast<double>(static_cast<int>(rng() % 7) - 3);
      double old;
      Status st = z.Score(m, &old);
      ASSERT_TRUE(st.ok() || st.IsNotFound());
      if (rng() % 3 == 0) {
        if (st.ok()) {
          z.Remove(m, old);
          model.erase(m);
        }
      } else {
        z.Put(m, score, st.ok(), st.ok() ? old : 0);
        model[m] = score;
      }
    }
    EXPECT_EQ(c.count(), model.size());
    // The bounds hold every member; tightened, they are the ends.
    CheckBounds(&z, model, false);
    ASSERT_TRUE(z.Tighten().ok());
    CheckBounds(&z, model, rng() % 2 == 0);
    // Pending writes read back before the commit ...
    EXPECT_EQ(Forward(&z), Sorted(model));
    EXPECT_EQ(Backward(&z), Sorted(model));
    ASSERT_TRUE(c.Finish().ok());
    ASSERT_TRUE(tx.Commit().ok());
    tx.Release();
    // Now and then the entries move to tables (and get compacted), so the
    // walks cross the memtable and several levels.
    if (round % 7 == 3) {
      ASSERT_TRUE(db_->Flush().ok());
    }
    if (round % 10 == 9) {
      ASSERT_TRUE(db_->CompactRange(nullptr, nullptr).ok());
    }
    // ... and from the engine after it.
    Tx rd(ks_.get());
    rd.Begin(0);
    Collection c2(&rd, KeyType::kZSet);
    ASSERT_TRUE(c2.Open("z").ok());
    ZSet z2(&c2);
    EXPECT_EQ(Forward(&z2), Sorted(model));
    EXPECT_EQ(Backward(&z2), Sorted(model));
    EXPECT_EQ(c2.found() ? c2.count() : 0, model.size());
    // Both kinds hold one entry per member.
    size_t by_member = 0;
    if (c2.found()) {
      auto it = c2.NewIterator();
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        double s;
        ASSERT_TRUE(DecodeScoreValue(it->value(), &s));
        ASSERT_EQ(model.at(std::string(it->sub())), s);
        by_member++;
      }
    }
    EXPECT_EQ(by_member, model.size());
  }
}

}  // namespace
}  // namespace shale::server
