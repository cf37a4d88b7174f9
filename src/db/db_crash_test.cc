// Crash tests on the in-memory Env: the DB runs (with background flushes)
// while the test takes a crash-consistent clone of the file system at a
// random point, keeping only synced data (or a random torn prefix of the
// unsynced tails). The DB reopened on the clone must hold exactly the state
// after some prefix of the acknowledged writes, and that prefix must include
// every write acknowledged as durable (sync=true, or before a SyncWAL or
// Flush). So: nothing durable lost, no batch half-applied, nothing that was
// never written appears, and open never fails on a torn tail.
#include <gtest/gtest.h>

#include <map>
#include <variant>

#include "db/db_impl.h"
#include "testing/db_test_util.h"
#include "testing/test_util.h"

namespace shale {
namespace {

using State = std::map<std::string, std::string>;

// One acknowledged write: a batch of (key, value-or-nullopt) updates.
using Update = std::pair<std::string, std::optional<std::string>>;
using Op = std::vector<Update>;

void Apply(const Op& op, State* state) {
  for (const auto& [k, v] : op) {
    if (v) {
      (*state)[k] = *v;
    } else {
      state->erase(k);
    }
  }
}

// (torn tails, value separation: 0 off, 1 every value in a vlog)
class DBCrashTest : public test::DBTestBase,
                    public testing::WithParamInterface<std::tuple<bool, int>> {
 protected:
  DBCrashTest() {
    options_.write_buffer_size = 64 << 10;
    options_.max_write_buffer_number = 6;
    options_.enable_value_separation = std::get<1>(GetParam()) != 0;
    options_.min_blob_size = 0;
    Reopen();
  }

  State ReadAll() {
    State s;
    auto iter = db_->NewIterator(ReadOptions());
    for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
      s[std::string(iter->key())] = std::string(iter->value());
    }
    EXPECT_TRUE(iter->status().ok()) << iter->status().ToString();
    return s;
  }

  // Replaces the running DB by one opened on a crash clone of its files.
  void CrashAndReopen(uint64_t torn_seed) {
    std::unique_ptr<MemEnv> clone =
        std::get<0>(GetParam()) ? env_->CloneAfterCrashWithTornTails(torn_seed)
                                : env_->CloneAfterCrash();
    Status s = TryReopenOn(std::move(clone));
    ASSERT_TRUE(s.ok()) << "open after crash: " << s.ToString();
  }
};

TEST_P(DBCrashTest, RecoversAPrefixIncludingEveryDurableWrite) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  std::fprintf(stderr, "DBCrashTest seed %llu\n",
               static_cast<unsigned long long>(seed));
  Random rnd(seed);

  State durable;            // state after the last durable acknowledgement
  std::vector<Op> pending;  // acknowledged since, in order

  // Switches reuse flushed WALs (Options::recycle_log_file_num): the crashes
  // also find WALs written over older ones.
  double wals_reused = 0;
  constexpr int kCycles = 12;
  for (int cycle = 0; cycle < kCycles; cycle++) {
    // Half the cycles hold flushes back, so the crash finds several live
    // WALs, and the older ones may lose more than the newer ones.
    bool paused = rnd.OneIn(2);
    impl()->TEST_PauseFlushes(paused);
    int ops = 200 + static_cast<int>(rnd.Uniform(1500));
    for (int i = 0; i < ops; i++) {
      if (paused && impl()->TEST_NumImmutableMemTables() >= 4) {
        paused = false;  // before writers would wait for a flush
        impl()->TEST_PauseFlushes(false);
      }
      Op op;
      int n = rnd.OneIn(4) ? 1 + static_cast<int>(rnd.Uniform(8)) : 1;
      WriteBatch batch;
      for (int j = 0; j < n; j++) {
        std::string k = "key" + std::to_string(rnd.Uniform(300));
        if (rnd.OneIn(5)) {
          batch.Delete(k);
          op.emplace_back(k, std::nullopt);
        } else {
          std::string v = std::to_string(cycle) + ":" + std::to_string(i) +
                          ":" + std::string(rnd.Uniform(300), 'v');
          batch.Put(k, v);
          op.emplace_back(k, v);
        }
      }
      WriteOptions wo;
      wo.sync = rnd.OneIn(20);
      ASSERT_TRUE(db_->Write(wo, &batch).ok());
      pending.push_back(std::move(op));
      bool durable_now = wo.sync;
      if (rnd.OneIn(100)) {
        ASSERT_TRUE(db_->SyncWAL().ok());
        durable_now = true;
      }
      if (!paused && rnd.OneIn(150)) {
        ASSERT_TRUE(db_->Flush().ok());
        durable_now = true;
      }
      if (durable_now) {
        for (const Op& p : pending) Apply(p, &durable);
        pending.clear();
      }
    }

    // The file system's journal may have made new WALs' names durable.
    if (rnd.OneIn(2)) {
      ASSERT_TRUE(env_->SyncDir(dbname_).ok());
    }
    std::map<std::string, double> stats;
    db_->GetStatsMap(&stats);
    wals_reused += stats.at("wals_reused");
    ASSERT_NO_FATAL_FAILURE(CrashAndReopen(rnd.Next64()));
    State recovered = ReadAll();
    // Find the prefix of pending ops that the recovered state matches.
    State candidate = durable;
    bool matched = candidate == recovered;
    size_t k = 0;
    while (!matched && k < pending.size()) {
      Apply(pending[k++], &candidate);
      matched = candidate == recovered;
    }
    ASSERT_TRUE(matched) << "cycle " << cycle
                         << ": recovered state is not durable + a prefix of "
                         << pending.size() << " later writes ("
                         << recovered.size() << " keys recovered, "
                         << durable.size() << " durable)";
    durable = std::move(recovered);
    pending.clear();
  }
  EXPECT_GT(wals_reused, 0) << "no WAL was reused";
}

std::string CrashName(
    const testing::TestParamInfo<std::tuple<bool, int>>& info) {
  return std::string(std::get<0>(info.param) ? "TornTails" : "DropUnsynced") +
         (std::get<1>(info.param) ? "Vlog" : "NoVlog");
}

INSTANTIATE_TEST_SUITE_P(Crash, DBCrashTest,
                         testing::Combine(testing::Bool(),
                                          testing::Values(0, 1)),
                         CrashName);

// A crash while nothing was ever synced leaves an openable, empty DB.
class DBCrashBasicTest : public test::DBTestBase {};

TEST_F(DBCrashBasicTest, CrashBeforeAnySyncOpensEmptyOrPrefix) {
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(Put("b", "2").ok());
  ASSERT_TRUE(TryReopenOn(env_->CloneAfterCrash()).ok());
  EXPECT_EQ(Contents(), "");
  ASSERT_TRUE(Put("c", "3", /*sync=*/true).ok());
  ASSERT_TRUE(TryReopenOn(env_->CloneAfterCrash()).ok());
  EXPECT_EQ(Contents(), "c=3");
}

}  // namespace
}  // namespace shale
