#include "server/keyspace/list.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <random>
#include <string>

#include "server/keyspace/mem_keyspace_test_util.h"
#include "server/util/coding.h"

namespace shale::server {
namespace {

class ListTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenMemKeyspace(&env_, 4, &db_, &ks_).ok());
  }

  // Checks the committed list "l" against model: the count, the
  // elements, and that the entries are exactly indices head .. head +
  // count - 1 (nothing left behind by a move or a trim).
  void Check(const std::deque<std::string>& model, const char* when) {
    Tx tx(ks_.get());
    tx.Begin(0);
    Collection c(&tx, KeyType::kList);
    ASSERT_TRUE(c.Open("l").ok());
    if (model.empty()) {
      EXPECT_FALSE(c.found()) << when;
      return;
    }
    ASSERT_TRUE(c.found()) << when;
    ASSERT_EQ(c.count(), model.size()) << when;
    auto it = c.NewIterator();
    uint64_t want = c.meta().list_head;
    size_t i = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), i++, want++) {
      ASSERT_LT(i, model.size()) << when << ": stray entry";
      ASSERT_EQ(it->sub().size(), 8u) << when;
      ASSERT_EQ(DecodeBE64(it->sub().data()), want) << when;
      EXPECT_EQ(it->value(), model[i]) << when << " at " << i;
    }
    ASSERT_TRUE(it->status().ok());
    EXPECT_EQ(i, model.size()) << when;
    List l(&c);
    std::string v;
    for (size_t k = 0; k < model.size(); k += 3) {
      ASSERT_TRUE(l.Get(k, &v).ok());
      EXPECT_EQ(v, model[k]) << when;
    }
  }

  // Begins tx on db 0 with "l" locked (a write command's Tx).
  static void BeginLocked(Tx* tx) {
    tx->Begin(0);
    const Tx::DbKey keys[] = {{0, "l"}};
    tx->LockKeys(keys);
  }

  MemEnv env_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
};

// Random pushes, pops, sets, inserts, removals and trims, several to a
// Tx (so later ones read the earlier ones' pending writes), against a
// deque.
TEST_F(ListTest, RandomOpsMatchADeque) {
  const unsigned seed = std::random_device()();
  std::printf("seed %u\n", seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::deque<std::string> model;
  const char* vals[] = {"a", "b", "c"};
  for (int round = 0; round < 300; round++) {
    Tx tx(ks_.get());
    BeginLocked(&tx);
    Collection c(&tx, KeyType::kList);
    ASSERT_TRUE(c.Open("l").ok());
    List l(&c);
    const int ops = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < ops; k++) {
      const std::string v = vals[rng() % 3];
      const size_t n = model.size();
      std::string got;
      switch (rng() % 8) {
        case 0:
          l.PushFront(v);
          model.push_front(v);
          break;
        case 1:
          l.PushBack(v);
          model.push_back(v);
          break;
        case 2:
          if (n == 0) break;
          ASSERT_TRUE(l.PopFront(&got).ok());
          EXPECT_EQ(got, model.front());
          model.pop_front();
          break;
        case 3:
          if (n == 0) break;
          ASSERT_TRUE(l.PopBack(&got).ok());
          EXPECT_EQ(got, model.back());
          model.pop_back();
          break;
        case 4: {
          const size_t at = rng() % (n + 1);
          ASSERT_TRUE(l.Insert(at, v).ok());
          model.insert(model.begin() + static_cast<std::ptrdiff_t>(at), v);
          break;
        }
        case 5: {
          const uint64_t limit = rng() % 3;
          const bool front = rng() % 2 == 0;
          uint64_t removed;
          ASSERT_TRUE(l.RemoveMatching(v, limit, front, &removed).ok());
          uint64_t want = 0;
          if (front) {
            for (auto it = model.begin(); it != model.end();) {
              if (*it == v && (limit == 0 || want < limit)) {
                it = model.erase(it);
                want++;
              } else {
                ++it;
              }
            }
          } else {
            for (size_t j = model.size(); j > 0; j--) {
              if (model[j - 1] == v && (limit == 0 || want < limit)) {
                model.erase(model.begin() + static_cast<std::ptrdiff_t>(j - 1));
                want++;
              }
            }
          }
          EXPECT_EQ(removed, want);
          break;
        }
        case 6: {
          if (n == 0) break;
          const size_t a = rng() % n, b = a + rng() % (n - a);
          l.Trim(a, b);
          model.erase(model.begin() + static_cast<std::ptrdiff_t>(b) + 1,
                      model.end());
          model.erase(model.begin(),
                      model.begin() + static_cast<std::ptrdiff_t>(a));
          break;
        }
        default:
          if (n == 0) break;
          const size_t at = rng() % n;
          l.Set(at, v);
          model[at] = v;
      }
      ASSERT_EQ(l.size(), model.size());
    }
    ASSERT_TRUE(c.Finish().ok());
    ASSERT_TRUE(tx.Commit().ok());
    tx.Release();
    Check(model, ("round " + std::to_string(round)).c_str());
    if (HasFatalFailure()) return;
  }
}

// Pushes from both ends meet nothing: the head starts in the middle of
// the index space, so 2^63 pushes fit either way.
TEST_F(ListTest, PushesGrowBothWaysFromTheMiddle) {
  Tx tx(ks_.get());
  BeginLocked(&tx);
  Collection c(&tx, KeyType::kList);
  ASSERT_TRUE(c.Open("l").ok());
  List l(&c);
  l.PushBack("b");
  l.PushFront("a");
  EXPECT_EQ(c.meta().list_head, (uint64_t{1} << 63) - 1);
  ASSERT_TRUE(c.Finish().ok());
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  Check({"a", "b"}, "pushed");
}

}  // namespace
}  // namespace shale::server
