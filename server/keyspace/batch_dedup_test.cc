#include "server/keyspace/batch_dedup.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace shale::server {
namespace {

// A batch's records as "put key value expiry" / "del key" lines.
class Lister final : public WriteBatch::Handler {
 public:
  void Put(std::string_view key, std::string_view value,
           uint64_t expire_at_ms) override {
    lines.push_back("put " + std::string(key) + " " + std::string(value) + " " +
                    std::to_string(expire_at_ms));
  }
  void Delete(std::string_view key) override {
    lines.push_back("del " + std::string(key));
  }
  std::vector<std::string> lines;
};

std::vector<std::string> List(const WriteBatch& b) {
  Lister l;
  EXPECT_TRUE(b.Iterate(&l).ok());
  return l.lines;
}

TEST(BatchDedupTest, KeepsOnlyTheLastWriteOfEachKeyInOrder) {
  WriteBatch in;
  in.Put("a", "1");
  in.Put("b", "2", 1234);
  in.Delete("a");
  in.Put("c", "3");
  in.Put("a", "4", 99);
  in.Delete("d");
  in.Put("c", "");
  BatchDedup d;
  WriteBatch out;
  ASSERT_TRUE(d.Compact(in, &out));
  EXPECT_EQ(List(out), (std::vector<std::string>{"put b 2 1234", "put a 4 99",
                                                 "del d", "put c  0"}));
  EXPECT_EQ(out.Count(), 4u);
}

TEST(BatchDedupTest, LeavesABatchWithoutRepeatsAlone) {
  WriteBatch in;
  in.Put("a", "1");
  in.Put("ab", "2");
  in.Delete("b");
  WriteBatch out;
  out.Put("untouched", "x");
  BatchDedup d;
  EXPECT_FALSE(d.Compact(in, &out));
  EXPECT_EQ(List(out), (std::vector<std::string>{"put untouched x 0"}));
  WriteBatch one;
  one.Put("a", "1");
  EXPECT_FALSE(d.Compact(one, &out));
  EXPECT_FALSE(d.Compact(WriteBatch(), &out));
}

// Random batches over a few keys, compacted by one BatchDedup in turn (its
// buffers reused): what a reader of the whole batch sees is unchanged, and
// no key is written twice.
TEST(BatchDedupTest, RandomBatchesKeepTheirLastWrites) {
  const uint32_t seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  BatchDedup d;
  WriteBatch out;
  for (int round = 0; round < 200; round++) {
    const int keys = 1 + static_cast<int>(rng() % 300);
    const int n = static_cast<int>(rng() % 600);
    WriteBatch in;
    std::map<std::string, std::string> last;  // key -> its last line
    for (int i = 0; i < n; i++) {
      const std::string k = "key" + std::to_string(rng() % keys);
      if (rng() % 4 == 0) {
        in.Delete(k);
        last[k] = "del " + k;
      } else {
        const std::string v = std::to_string(i);
        const uint64_t exp = rng() % 3 == 0 ? 1000 + i : 0;
        in.Put(k, v, exp);
        last[k] = "put " + k + " " + v + " " + std::to_string(exp);
      }
    }
    const bool repeats = last.size() < static_cast<size_t>(n);
    ASSERT_EQ(d.Compact(in, &out), repeats) << "round " << round;
    const std::vector<std::string> got = repeats ? List(out) : List(in);
    std::map<std::string, std::string> seen;
    for (const std::string& line : got) {
      const size_t sp = line.find(' ', 4);
      const std::string k = line.substr(4, sp - 4);
      ASSERT_TRUE(seen.emplace(k, line).second) << k << " twice";
    }
    ASSERT_EQ(seen, last) << "round " << round;
  }
}

}  // namespace
}  // namespace shale::server
