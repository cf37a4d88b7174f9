// Fault injection on the in-memory Env: EIO and ENOSPC on opens, reads,
// appends, flushes, syncs, renames, removals and directory syncs of every
// file kind, at several points of a workload of writes, flushes and
// compactions. Whatever fails:
//   * the error is an I/O error (IOError or NoSpace), never Corruption;
//   * after a failed background job or WAL write the DB refuses writes
//     (read-only) until Resume, and reads keep answering correctly;
//   * Resume succeeds once the fault is gone, and writes go on;
//   * every acknowledged write is there, before and after a reopen; a
//     write that failed may or may not be.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>

#include "shale/db.h"
#include "testing/test_util.h"
#include "util/mem_env.h"
#include "util/random.h"

namespace shale {
namespace {

struct FaultCase {
  FaultOp op;
  const char* path;  // substring of the paths it hits
  Status::Code code;
};

std::string CaseName(const FaultCase& c) {
  std::string path = c.path[0] == '\0' ? "any" : c.path;
  for (char& ch : path) {
    if (ch == '.') ch = '_';
  }
  return std::string(FaultOpName(c.op)) + "_" + path +
         (c.code == Status::Code::kNoSpace ? "_ENOSPC" : "_EIO");
}

bool IsIOFailure(const Status& s) { return s.IsIOError() || s.IsNoSpace(); }

// The expected contents: key -> value (nullopt: absent). A key whose write
// failed may hold either its old state or the failed write's.
class Model {
 public:
  void Acknowledge(const std::string& k, std::optional<std::string> v) {
    state_[k] = std::move(v);
    either_.erase(k);
  }
  void Failed(const std::string& k, std::optional<std::string> v) {
    either_[k] = std::move(v);
  }
  bool Uncertain(const std::string& k) const { return either_.count(k) > 0; }
  // Empty if ok, else what is wrong.
  std::string Check(const std::string& k, const Status& s,
                    const std::string& got) const {
    std::optional<std::string> read;
    if (s.ok()) {
      read = got;
    } else if (!s.IsNotFound()) {
      return k + ": read failed: " + s.ToString();
    }
    auto it = state_.find(k);
    std::optional<std::string> want = it == state_.end() ? std::nullopt : it->second;
    if (read == want) return "";
    auto e = either_.find(k);
    if (e != either_.end() && read == e->second) return "";
    return k + ": read " + (read ? "'" + read->substr(0, 20) + "'" : "absent") +
           ", want " + (want ? "'" + want->substr(0, 20) + "'" : "absent");
  }
  const std::map<std::string, std::optional<std::string>>& state() const {
    return state_;
  }

 private:
  std::map<std::string, std::optional<std::string>> state_;
  std::map<std::string, std::optional<std::string>> either_;
};

class FaultInjectionTest : public testing::TestWithParam<FaultCase> {
 protected:
  void SetUp() override {
    seed_ = test::TestSeed();
    options_.create_if_missing = true;
    options_.write_buffer_size = 64 << 10;
    options_.target_file_size = 32 << 10;
    options_.max_bytes_for_level_base = 128 << 10;
    options_.level0_file_num_compaction_trigger = 2;
    options_.enable_value_separation = true;
    options_.min_blob_size = 200;
  }

  void Open() {
    options_.env = env_.get();
    Status s = DB::Open(options_, "/db", &db_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Every key of the model, by Get and by one scan.
  void CheckAll(const Model& m, const std::string& when) {
    for (const auto& [k, v] : m.state()) {
      std::string got;
      Status s = db_->Get(ReadOptions(), k, &got);
      std::string err = m.Check(k, s, got);
      ASSERT_TRUE(err.empty()) << when << ": " << err;
    }
    // The scan shows nothing else (absent keys are checked by the Gets).
    auto it = db_->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string err = m.Check(std::string(it->key()), Status::OK(),
                                std::string(it->value()));
      ASSERT_TRUE(err.empty()) << when << " (scan): " << err;
    }
    ASSERT_TRUE(it->status().ok()) << when << ": " << it->status().ToString();
  }

  uint64_t seed_ = 0;
  Options options_;
  std::unique_ptr<MemEnv> env_ = std::make_unique<MemEnv>();
  std::unique_ptr<DB> db_;
};

TEST_P(FaultInjectionTest, ErrorsAreReportedAndNothingAcknowledgedIsLost) {
  const FaultCase& fc = GetParam();
  SCOPED_TRACE("seed=" + std::to_string(seed_));
  Random rnd(seed_);
  uint64_t triggered = 0;
  for (int skip : {0, 2, 9, 40}) {
    SCOPED_TRACE("skip=" + std::to_string(skip));
    env_ = std::make_unique<MemEnv>();
    ASSERT_NO_FATAL_FAILURE(Open());
    Model m;
    // Some data on disk first.
    for (int i = 0; i < 300; i++) {
      std::string k = "k" + std::to_string(i);
      std::string v(i % 3 == 0 ? 400 : 20, static_cast<char>('a' + i % 26));
      ASSERT_TRUE(db_->Put(WriteOptions(), k, v).ok());
      m.Acknowledge(k, v);
    }
    ASSERT_TRUE(db_->Flush().ok());

    FaultSpec spec;
    spec.op = fc.op;
    spec.path_substring = fc.path;
    spec.code = fc.code;
    spec.skip = skip;
    spec.times = 1 + static_cast<int>(rnd.Uniform(3));
    env_->InjectFault(spec);

    std::set<std::string> failed_keys;  // not written again until the end
    for (int i = 0; i < 1200; i++) {
      std::string k = "k" + std::to_string(rnd.Uniform(600));
      if (failed_keys.count(k)) continue;
      Status s;
      std::optional<std::string> v;
      WriteOptions wo;
      wo.sync = rnd.OneIn(10);
      if (rnd.OneIn(5)) {
        s = db_->Delete(wo, k);
      } else {
        v = std::to_string(i) + std::string(rnd.OneIn(3) ? 500 : 30, 'v');
        s = db_->Put(wo, k, *v);
      }
      if (i % 300 == 150) s = s.ok() ? db_->Flush() : s;
      if (i % 500 == 499) s = s.ok() ? db_->CompactRange(nullptr, nullptr) : s;
      if (s.ok()) {
        m.Acknowledge(k, v);
        continue;
      }
      ASSERT_TRUE(IsIOFailure(s)) << CaseName(fc) << ": " << s.ToString();
      m.Failed(k, v);
      failed_keys.insert(k);
      // Read-only until Resume, if the DB holds a background error.
      std::map<std::string, double> stats;
      db_->GetStatsMap(&stats);
      if (stats["background_error"] != 0) {
        Status w = db_->Put(WriteOptions(), "probe", "x");
        EXPECT_FALSE(w.ok()) << "a write was accepted after " << s.ToString();
      }
      // Reads go on: every key as it should be.
      for (int j = 0; j < 20; j++) {
        std::string rk = "k" + std::to_string(rnd.Uniform(600));
        std::string got;
        Status r = db_->Get(ReadOptions(), rk, &got);
        if (IsIOFailure(r)) continue;  // a read fault
        std::string err = m.Check(rk, r, got);
        ASSERT_TRUE(err.empty()) << err;
      }
      env_->ClearFaults();
      Status r = db_->Resume();
      ASSERT_TRUE(r.ok()) << "Resume after " << s.ToString() << ": "
                          << r.ToString();
    }
    triggered += env_->InjectedFaultCount();
    env_->ClearFaults();
    ASSERT_NO_FATAL_FAILURE(CheckAll(m, "before reopen"));
    db_.reset();
    ASSERT_NO_FATAL_FAILURE(Open());
    ASSERT_NO_FATAL_FAILURE(CheckAll(m, "after reopen"));
    // The DB takes writes again.
    ASSERT_TRUE(db_->Put(WriteOptions(), "after", "x").ok());
    db_.reset();
  }
  EXPECT_GT(triggered, 0u) << CaseName(fc) << " never hit: not a useful case";
}

const Status::Code kEIO = Status::Code::kIOError;
const Status::Code kFull = Status::Code::kNoSpace;

INSTANTIATE_TEST_SUITE_P(
    Sweep, FaultInjectionTest,
    testing::Values(
        FaultCase{FaultOp::kAppend, ".log", kEIO},
        FaultCase{FaultOp::kAppend, ".log", kFull},
        FaultCase{FaultOp::kSync, ".log", kEIO},
        FaultCase{FaultOp::kFlush, ".log", kFull},
        FaultCase{FaultOp::kAppend, ".sst", kFull},
        FaultCase{FaultOp::kSync, ".sst", kEIO},
        FaultCase{FaultOp::kFlush, ".sst", kEIO},
        FaultCase{FaultOp::kOpen, ".sst", kEIO},
        FaultCase{FaultOp::kRead, ".sst", kEIO},
        FaultCase{FaultOp::kAppend, ".vlog", kFull},
        FaultCase{FaultOp::kSync, ".vlog", kEIO},
        FaultCase{FaultOp::kRead, ".vlog", kEIO},
        FaultCase{FaultOp::kAppend, "MANIFEST", kFull},
        FaultCase{FaultOp::kSync, "MANIFEST", kEIO},
        FaultCase{FaultOp::kSyncDir, "", kEIO},
        FaultCase{FaultOp::kOpen, ".log", kFull},
        FaultCase{FaultOp::kRemove, "", kEIO}),
    [](const testing::TestParamInfo<FaultCase>& info) {
      return CaseName(info.param);
    });

// Faults while a DB opens (recovery replays the WAL, writes a table, starts
// a new MANIFEST and switches CURRENT): Open fails with the I/O error or
// succeeds, and once the fault is gone the DB opens with all its data.
TEST(FaultInjectionBasicTest, FaultsDuringOpen) {
  const FaultCase cases[] = {
      {FaultOp::kRead, "MANIFEST", Status::Code::kIOError},
      {FaultOp::kRead, ".log", Status::Code::kIOError},
      {FaultOp::kRead, "CURRENT", Status::Code::kIOError},
      {FaultOp::kOpen, "MANIFEST", Status::Code::kIOError},
      {FaultOp::kAppend, "MANIFEST", Status::Code::kNoSpace},
      {FaultOp::kSync, "MANIFEST", Status::Code::kIOError},
      {FaultOp::kOpen, ".dbtmp", Status::Code::kIOError},  // CURRENT's temp
      {FaultOp::kRename, "CURRENT", Status::Code::kIOError},
      {FaultOp::kAppend, ".sst", Status::Code::kNoSpace},
      {FaultOp::kOpen, ".log", Status::Code::kIOError},
      {FaultOp::kSyncDir, "", Status::Code::kIOError},
      {FaultOp::kRemove, "", Status::Code::kIOError},
      {FaultOp::kLock, "", Status::Code::kIOError},
  };
  for (const FaultCase& fc : cases) {
    // Each of the first few matching calls; an open syncs the directory for
    // its recovered table, its new WAL, then the CURRENT switch.
    for (int skip : {0, 1, 2, 3}) {
      SCOPED_TRACE(CaseName(fc) + " skip=" + std::to_string(skip));
      MemEnv env;
      Options options;
      options.create_if_missing = true;
      options.env = &env;
      options.write_buffer_size = 64 << 10;
      std::unique_ptr<DB> db;
      ASSERT_TRUE(DB::Open(options, "/db", &db).ok());
      for (int i = 0; i < 2000; i++) {
        ASSERT_TRUE(db->Put(WriteOptions(), "k" + std::to_string(i),
                            std::string(100, 'a' + i % 26))
                        .ok());
      }
      db.reset();  // tables, and a WAL with the newest writes
      env.InjectFault({fc.op, fc.path, fc.code, skip, 1});
      Status s = DB::Open(options, "/db", &db);
      if (!s.ok()) {
        EXPECT_TRUE(IsIOFailure(s)) << s.ToString();
        env.ClearFaults();
        s = DB::Open(options, "/db", &db);
      }
      ASSERT_TRUE(s.ok()) << s.ToString();
      for (int i = 0; i < 2000; i += 7) {
        std::string v;
        ASSERT_TRUE(db->Get(ReadOptions(), "k" + std::to_string(i), &v).ok())
            << "k" << i;
        EXPECT_EQ(v, std::string(100, 'a' + i % 26));
      }
    }
  }
}

// A WAL sync failure makes the DB read-only until Resume, and reads keep
// working meanwhile.
TEST(FaultInjectionBasicTest, FailedWalSyncMakesTheDBReadOnlyUntilResume) {
  MemEnv env;
  Options options;
  options.create_if_missing = true;
  options.env = &env;
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options, "/db", &db).ok());
  ASSERT_TRUE(db->Put(WriteOptions(), "a", "1").ok());
  env.InjectFault({FaultOp::kSync, ".log", Status::Code::kIOError, 0, 1});
  WriteOptions sync;
  sync.sync = true;
  EXPECT_TRUE(db->Put(sync, "b", "2").IsIOError());
  Status s = db->Put(WriteOptions(), "c", "3");  // no fault left, still refused
  EXPECT_FALSE(s.ok());
  std::string v;
  ASSERT_TRUE(db->Get(ReadOptions(), "a", &v).ok());
  EXPECT_EQ(v, "1");
  ASSERT_TRUE(db->Resume().ok());
  ASSERT_TRUE(db->Put(WriteOptions(), "c", "3").ok());
  ASSERT_TRUE(db->Get(ReadOptions(), "c", &v).ok());
  EXPECT_EQ(v, "3");
}

// A full disk: the flush fails with NoSpace; Resume answers NoSpace while
// the disk stays full, and succeeds (and the data is flushed) once space is
// back.
TEST(FaultInjectionBasicTest, NoSpaceUntilSpaceIsFreed) {
  MemEnv env;
  Options options;
  options.create_if_missing = true;
  options.env = &env;
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options, "/db", &db).ok());
  ASSERT_TRUE(db->Put(WriteOptions(), "a", "1").ok());
  FaultSpec full{FaultOp::kAppend, ".sst", Status::Code::kNoSpace, 0, -1};
  env.InjectFault(full);
  Status s = db->Flush();
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  EXPECT_TRUE(db->Put(WriteOptions(), "b", "2").IsNoSpace());
  s = db->Resume();
  EXPECT_TRUE(s.IsNoSpace()) << s.ToString();
  env.ClearFaults();
  ASSERT_TRUE(db->Resume().ok());
  ASSERT_TRUE(db->Put(WriteOptions(), "b", "2").ok());
  std::string n;
  ASSERT_TRUE(db->GetProperty("shale.num-files-at-level0", &n));
  db.reset();
  ASSERT_TRUE(DB::Open(options, "/db", &db).ok());
  std::string v;
  ASSERT_TRUE(db->Get(ReadOptions(), "a", &v).ok());
  EXPECT_EQ(v, "1");
}

}  // namespace
}  // namespace shale
