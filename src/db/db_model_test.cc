// The randomized model test: tens of thousands of mixed operations mirrored
// into a std::map, with full iterator comparisons in both directions,
// snapshot reads, flushes and reopens in between.
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "testing/db_test_util.h"
#include "testing/test_util.h"

namespace shale {
namespace {

// The model: key -> (value, expire_at_ms).
struct Entry {
  std::string value;
  uint64_t expire_ms = 0;
};
using Model = std::map<std::string, Entry>;

std::map<std::string, std::string> Visible(const Model& m, uint64_t now) {
  std::map<std::string, std::string> out;
  for (const auto& [k, e] : m) {
    if (e.expire_ms == 0 || e.expire_ms > now) out[k] = e.value;
  }
  return out;
}

// 0: value separation off; 1: on with the default threshold (large values
// only); 2: on for every value.
class DBModelTest : public test::DBTestBase,
                    public testing::WithParamInterface<int> {
 protected:
  DBModelTest() {
    options_.enable_value_separation = GetParam() != 0;
    options_.min_blob_size = GetParam() == 2 ? 0 : 1024;
    Reopen();
  }

  std::string RandomKey(Random* rnd) {
    // A small key space so overwrites and deletes hit; varied lengths and
    // bytes, including prefixes of each other.
    uint64_t n = rnd->Uniform(600);
    std::string k = "k" + std::to_string(n);
    if (n % 7 == 0) k.push_back('\0');
    if (n % 11 == 0) k += "\xff";
    return k;
  }
  std::string RandomValue(Random* rnd) {
    size_t len = rnd->OneIn(50) ? 5000 + rnd->Uniform(20000) : rnd->Skewed(8);
    return test::RandomBytes(rnd, len);
  }

  // Compares the DB's whole view (at snapshot) with the model, forward,
  // backward, and at random seek targets.
  void Check(const std::map<std::string, std::string>& want,
             const Snapshot* snapshot, Random* rnd) {
    ReadOptions ro;
    ro.snapshot = snapshot;
    auto iter = db_->NewIterator(ro);
    auto it = want.begin();
    for (iter->SeekToFirst(); iter->Valid(); iter->Next(), ++it) {
      ASSERT_NE(it, want.end()) << "extra key " << iter->key();
      ASSERT_EQ(iter->key(), it->first);
      ASSERT_EQ(iter->value(), it->second) << it->first;
    }
    ASSERT_TRUE(iter->status().ok()) << iter->status().ToString();
    ASSERT_EQ(it, want.end()) << "missing key " << it->first;
    auto rit = want.rbegin();
    for (iter->SeekToLast(); iter->Valid(); iter->Prev(), ++rit) {
      ASSERT_NE(rit, want.rend());
      ASSERT_EQ(iter->key(), rit->first);
      ASSERT_EQ(iter->value(), rit->second);
    }
    ASSERT_EQ(rit, want.rend());
    for (int i = 0; i < 30; i++) {
      std::string target = RandomKey(rnd);
      // Seek, then a few steps in a random direction.
      iter->Seek(target);
      auto m = want.lower_bound(target);
      for (int step = 0; step < 4; step++) {
        if (m == want.end()) {
          ASSERT_FALSE(iter->Valid());
          break;
        }
        ASSERT_TRUE(iter->Valid());
        ASSERT_EQ(iter->key(), m->first);
        if (rnd->OneIn(2)) {
          iter->Next();
          ++m;
        } else {
          if (m == want.begin()) {
            iter->Prev();
            ASSERT_FALSE(iter->Valid());
            break;
          }
          iter->Prev();
          --m;
        }
      }
      iter->SeekForPrev(target);
      auto p = want.upper_bound(target);
      if (p == want.begin()) {
        ASSERT_FALSE(iter->Valid());
      } else {
        --p;
        ASSERT_TRUE(iter->Valid());
        ASSERT_EQ(iter->key(), p->first);
        ASSERT_EQ(iter->value(), p->second);
      }
    }
    for (int i = 0; i < 50; i++) {
      std::string k = RandomKey(rnd);
      std::string got = Get(k, snapshot);
      auto m = want.find(k);
      ASSERT_EQ(got, m == want.end() ? "NOT_FOUND" : m->second) << k;
    }
  }
};

TEST_P(DBModelTest, RandomizedAgainstStdMap) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed) +
               " (rerun with SHALE_TEST_SEED=" + std::to_string(seed) + ")");
  std::fprintf(stderr, "DBModelTest seed %llu\n",
               static_cast<unsigned long long>(seed));
  Random rnd(seed);
  uint64_t now = 5'000'000;
  env_->SetUnixMillis(now);
  Model model;
  struct Snap {
    const Snapshot* snapshot;
    Model model_at_creation;  // expiry is judged at read time
  };
  std::vector<Snap> snapshots;

  constexpr int kOps = 30000;
  for (int op = 0; op < kOps; op++) {
    uint64_t r = rnd.Uniform(1000);
    if (r < 450) {
      std::string k = RandomKey(&rnd), v = RandomValue(&rnd);
      WriteOptions wo;
      if (rnd.OneIn(10)) wo.expire_at_ms = now + rnd.Uniform(2000);
      ASSERT_TRUE(db_->Put(wo, k, v).ok());
      model[k] = Entry{v, wo.expire_at_ms};
    } else if (r < 600) {
      std::string k = RandomKey(&rnd);
      ASSERT_TRUE(Delete(k).ok());
      model.erase(k);
    } else if (r < 700) {
      WriteBatch batch;
      int n = 1 + static_cast<int>(rnd.Uniform(10));
      for (int i = 0; i < n; i++) {
        std::string k = RandomKey(&rnd);
        if (rnd.OneIn(3)) {
          batch.Delete(k);
          model.erase(k);
        } else {
          std::string v = RandomValue(&rnd);
          uint64_t exp = rnd.OneIn(8) ? now + rnd.Uniform(2000) : 0;
          batch.Put(k, v, exp);
          model[k] = Entry{v, exp};
        }
      }
      ASSERT_TRUE(db_->Write(WriteOptions(), &batch).ok());
    } else if (r < 800) {
      std::string k = RandomKey(&rnd);
      auto vis = Visible(model, now);
      auto m = vis.find(k);
      ASSERT_EQ(Get(k), m == vis.end() ? "NOT_FOUND" : m->second) << k;
    } else if (r < 850) {
      now += rnd.Uniform(300);  // time passes: some entries expire
      env_->SetUnixMillis(now);
    } else if (r < 870) {
      if (snapshots.size() < 5) {
        snapshots.push_back({db_->GetSnapshot(), model});
      } else {
        size_t i = rnd.Uniform(snapshots.size());
        db_->ReleaseSnapshot(snapshots[i].snapshot);
        snapshots.erase(snapshots.begin() + i);
      }
    } else if (r < 880) {
      ASSERT_TRUE(db_->Flush().ok());
    } else if (r < 884) {
      for (auto& s : snapshots) db_->ReleaseSnapshot(s.snapshot);
      snapshots.clear();
      Reopen();
    } else if (r < 890) {
      ASSERT_NO_FATAL_FAILURE(Check(Visible(model, now), nullptr, &rnd));
      for (const auto& s : snapshots) {
        ASSERT_NO_FATAL_FAILURE(
            Check(Visible(s.model_at_creation, now), s.snapshot, &rnd));
      }
    }
  }
  for (auto& s : snapshots) db_->ReleaseSnapshot(s.snapshot);
  ASSERT_NO_FATAL_FAILURE(Check(Visible(model, now), nullptr, &rnd));
  Reopen();
  ASSERT_NO_FATAL_FAILURE(Check(Visible(model, now), nullptr, &rnd));
}

std::string SeparationName(const testing::TestParamInfo<int>& info) {
  static const char* const kNames[] = {"Off", "LargeValues", "EveryValue"};
  return kNames[info.param];
}

INSTANTIATE_TEST_SUITE_P(ValueSeparation, DBModelTest, testing::Values(0, 1, 2),
                         SeparationName);

}  // namespace
}  // namespace shale
