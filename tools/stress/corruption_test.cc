// Corruption sweep: a DB holding every file kind (tables on several levels,
// vlogs, the MANIFEST, CURRENT, a WAL with unflushed writes) is damaged one
// file and one spot at a time: a byte flipped, or the file cut short, at
// many offsets. Each damaged copy is opened and every key read:
//   * Open either succeeds or fails with a clean error (Corruption,
//     IOError, NotSupported, InvalidArgument), never crashes or hangs;
//   * every read returns the right value, or a clean error; never a wrong
//     value, and never "absent" for a key that is there, except that damage
//     in the WAL may drop writes from its end (a torn tail: what recovery
//     keeps is the state after some prefix of the WAL's writes);
//   * `shale check` never crashes, and reports damage (exit 1 or 2)
//     whenever the sweep saw it.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "db/filename.h"
#include "db/log_reader.h"
#include "shale/db.h"
#include "testing/db_test_util.h"
#include "testing/test_util.h"
#include "tools/commands.h"
#include "util/mem_env.h"
#include "util/random.h"

namespace shale {
namespace {

using History = std::map<std::string, std::vector<std::optional<std::string>>>;

const char* KindName(FileType t) {
  switch (t) {
    case FileType::kLogFile:
      return "wal";
    case FileType::kTableFile:
      return "table";
    case FileType::kVlogFile:
      return "vlog";
    case FileType::kDescriptorFile:
      return "manifest";
    case FileType::kCurrentFile:
      return "current";
    default:
      return "other";
  }
}

bool CleanError(const Status& s) {
  return s.IsCorruption() || s.IsIOError() || s.IsNotSupported() ||
         s.IsInvalidArgument();
}

class CorruptionSweepTest : public testing::Test {
 protected:
  void SetUp() override {
    seed_ = test::TestSeed();
    std::fprintf(stderr, "CorruptionSweepTest seed %llu\n",
                 static_cast<unsigned long long>(seed_));
    options_.create_if_missing = true;
    options_.write_buffer_size = 64 << 10;
    options_.target_file_size = 24 << 10;
    options_.max_bytes_for_level_base = 96 << 10;
    options_.block_size = 1024;
    options_.enable_value_separation = true;
    options_.min_blob_size = 150;
    options_.compression_per_level = {
        CompressionType::kNone, CompressionType::kLZ4, CompressionType::kZstd};
    Build();
  }

  void Put(DB* db, const std::string& k, std::optional<std::string> v,
           bool in_wal) {
    Status s =
        v ? db->Put(WriteOptions(), k, *v) : db->Delete(WriteOptions(), k);
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (in_wal) {
      wal_history_[k].push_back(v);
    } else {
      before_wal_[k] = v;
    }
    ever_[k].push_back(v);
  }

  // The DB: tables on several levels and vlogs from a first load and a
  // full compaction, one more level-0 table, then writes left in the WAL.
  void Build() {
    Random rnd(seed_);
    options_.env = base_.get();
    std::unique_ptr<DB> db;
    ASSERT_TRUE(DB::Open(options_, "/db", &db).ok());
    for (int i = 0; i < 3000; i++) {
      std::string k = "key" + std::to_string(rnd.Uniform(800));
      std::optional<std::string> v;
      if (!rnd.OneIn(6)) {
        v = k + "@" + std::to_string(i) + std::string(rnd.Uniform(400), 'x');
      }
      ASSERT_NO_FATAL_FAILURE(Put(db.get(), k, v, false));
      if (i == 2000) {
        ASSERT_TRUE(db->CompactRange(nullptr, nullptr).ok());
      }
    }
    ASSERT_TRUE(db->Flush().ok());
    for (int i = 0; i < 150; i++) {
      std::string k = "key" + std::to_string(rnd.Uniform(900));
      std::optional<std::string> v = "wal" + std::to_string(i) + "-" + k;
      ASSERT_NO_FATAL_FAILURE(Put(db.get(), k, v, true));
    }
    db.reset();  // a clean close: everything synced, the WAL kept
    std::vector<std::string> names;
    ASSERT_TRUE(base_->GetChildren("/db", &names).ok());
    for (const std::string& n : names) {
      uint64_t number;
      FileType type;
      if (ParseFileName(n, &number, &type)) files_.push_back({n, type});
    }
  }

  // Every value key k may have: its state before the WAL, then each of its
  // states while the WAL was written (a torn WAL keeps a prefix).
  // What a damaged copy may show: exactly the final state; with a damaged
  // WAL, a prefix of its writes; with a MANIFEST cut inside a later record
  // (indistinguishable from a crash during that record's write, so the DB
  // rolls back to the state before it), any state the key ever had.
  enum class Expect { kExact, kWalPrefix, kAnyPast };
  std::vector<std::optional<std::string>> Allowed(const std::string& k,
                                                  Expect e) const {
    if (e == Expect::kAnyPast) {
      std::vector<std::optional<std::string>> all{std::nullopt};
      if (auto it = ever_.find(k); it != ever_.end()) {
        all.insert(all.end(), it->second.begin(), it->second.end());
      }
      return all;
    }
    return Allowed(k, e == Expect::kWalPrefix);
  }
  std::vector<std::optional<std::string>> Allowed(const std::string& k,
                                                  bool wal_damaged) const {
    std::optional<std::string> before;
    if (auto it = before_wal_.find(k); it != before_wal_.end()) {
      before = it->second;
    }
    auto h = wal_history_.find(k);
    if (h == wal_history_.end()) return {before};
    if (!wal_damaged) return {h->second.back()};
    std::vector<std::optional<std::string>> all{before};
    all.insert(all.end(), h->second.begin(), h->second.end());
    return all;
  }

  // Opens a damaged copy and reads everything. Returns whether any damage
  // showed (a failed open or a read error); fails the test on a wrong
  // answer. *rolled_back tells whether some key showed an older state.
  bool Trial(MemEnv* env, const std::string& what, Expect expect,
             bool* rolled_back) {
    *rolled_back = false;
    Options o = options_;
    o.env = env;
    o.create_if_missing = false;
    std::unique_ptr<DB> db;
    Status s = DB::Open(o, "/db", &db);
    if (!s.ok()) {
      EXPECT_TRUE(CleanError(s)) << what << ": open: " << s.ToString();
      return true;
    }
    bool damage = false;
    std::set<std::string> keys;
    for (const auto& [k, v] : before_wal_) keys.insert(k);
    for (const auto& [k, v] : wal_history_) keys.insert(k);
    std::string got;
    for (const std::string& k : keys) {
      s = db->Get(ReadOptions(), k, &got);
      if (!s.ok() && !s.IsNotFound()) {
        EXPECT_TRUE(CleanError(s))
            << what << ": Get " << k << ": " << s.ToString();
        damage = true;
        continue;
      }
      std::optional<std::string> read;
      if (s.ok()) read = got;
      auto allowed = Allowed(k, expect);
      bool ok = false;
      for (const auto& a : allowed) ok |= a == read;
      auto exact = Allowed(k, false);
      if (ok && read != exact.back()) *rolled_back = true;
      EXPECT_TRUE(ok) << what << ": " << k << " reads "
                      << (read ? "'" + read->substr(0, 24) + "'" : "absent");
      if (!ok) return true;
    }
    auto it = db->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto allowed = Allowed(std::string(it->key()), expect);
      bool ok = false;
      for (const auto& a : allowed) ok |= a == std::string(it->value());
      EXPECT_TRUE(ok) << what << ": scan shows a wrong value for " << it->key();
      if (!ok) break;
    }
    if (!it->status().ok()) {
      EXPECT_TRUE(CleanError(it->status()))
          << what << ": scan: " << it->status().ToString();
      damage = true;
    }
    return damage;
  }

  // Complete records in the MANIFEST at path (as recovery reads it).
  int ManifestRecords(MemEnv* env, const std::string& path) {
    std::unique_ptr<SequentialFile> file;
    if (!env->NewSequentialFile(path, &file).ok()) return 0;
    log::Reader reader(file.get(), nullptr, path,
                       WalRecoveryMode::kAbsoluteConsistency);
    std::string_view record;
    std::string scratch;
    int n = 0;
    while (reader.ReadRecord(&record, &scratch)) n++;
    return n;
  }

  // `shale check` on a copy of env's files in a real directory.
  int Check(MemEnv* env) {
    std::string dir = test::NewTempDir("corruption-check");
    std::vector<std::string> names;
    EXPECT_TRUE(env->GetChildren("/db", &names).ok());
    for (const std::string& n : names) {
      std::string bytes;
      if (!env->ReadFileToString("/db/" + n, &bytes).ok()) continue;
      std::ofstream(dir + "/" + n, std::ios::binary) << bytes;
    }
    std::fflush(stdout);
    int rc = tools::CmdCheck(dir);
    std::fflush(stdout);
    std::filesystem::remove_all(dir);
    return rc;
  }

  uint64_t seed_ = 0;
  Options options_;
  std::unique_ptr<MemEnv> base_ = std::make_unique<MemEnv>();
  std::map<std::string, std::optional<std::string>> before_wal_;
  History wal_history_;
  History ever_;  // every state of every key, in order (absent first)
  std::vector<std::pair<std::string, FileType>> files_;
};

TEST_F(CorruptionSweepTest, EveryFileKindFlippedAndTruncated) {
  SCOPED_TRACE("seed=" + std::to_string(seed_));
  Random rnd(seed_ + 1);
  std::map<std::string, std::map<std::string, int>> outcomes;
  std::set<std::string> kinds;
  int checks = 0;
  for (const auto& [name, kind] : files_) {
    kinds.insert(KindName(kind));
    const std::string path = "/db/" + name;
    uint64_t size = 0;
    ASSERT_TRUE(base_->GetFileSize(path, &size).ok());
    if (size == 0) continue;
    std::set<uint64_t> offsets{0, size / 2, size - 1};
    for (int i = 0; i < 24; i++) offsets.insert(size * i / 24);
    for (int i = 0; i < 6; i++) offsets.insert(rnd.Uniform(size));
    for (uint64_t off : offsets) {
      for (bool truncate : {false, true}) {
        auto env = base_->CloneAfterCrash();
        Status s = truncate ? env->TruncateFile(path, off)
                            : env->CorruptByte(
                                  path, off,
                                  static_cast<uint8_t>(1 + rnd.Uniform(255)));
        ASSERT_TRUE(s.ok()) << s.ToString();
        std::string what = name + (truncate ? " cut at " : " flipped at ") +
                           std::to_string(off) + "/" + std::to_string(size);
        Expect expect =
            kind == FileType::kLogFile ? Expect::kWalPrefix : Expect::kExact;
        if (kind == FileType::kDescriptorFile && truncate) {
          // With no complete record left it must not open (or hold all
          // the data); with some, it may roll back (see Allowed).
          if (ManifestRecords(env.get(), path) > 0) {
            expect = Expect::kAnyPast;
          }
        }
        bool rolled_back = false;
        bool damage = Trial(env.get(), what, expect, &rolled_back);
        if (HasFailure()) return;
        outcomes[KindName(kind)][damage        ? "damage seen"
                                 : rolled_back ? "opened an older state"
                                               : "read correctly"]++;
        // `shale check` on some of them (each runs a real DB directory).
        if (checks < 24 && (off == size / 2 || off == 0) && !truncate) {
          checks++;
          int rc = Check(env.get());
          EXPECT_TRUE(rc == 0 || rc == 1 || rc == 2) << what;
          if (damage) {
            EXPECT_NE(rc, 0) << what << ": shale check saw no damage";
          }
        }
      }
    }
  }
  for (const char* k : {"wal", "table", "vlog", "manifest", "current"}) {
    EXPECT_TRUE(kinds.count(k)) << "the DB has no " << k << " file";
  }
  for (const auto& [kind, counts] : outcomes) {
    std::fprintf(stderr, "corruption sweep: %s:", kind.c_str());
    for (const auto& [outcome, n] : counts) {
      std::fprintf(stderr, " %s %d", outcome.c_str(), n);
    }
    std::fprintf(stderr, "\n");
  }
}

// A MANIFEST cut anywhere inside its first record (the snapshot written
// before CURRENT named it, so never torn by a crash) is a clean error, never
// an empty DB (which would then delete every table as obsolete).
class ManifestCutTest : public test::DBTestBase {};

TEST_F(ManifestCutTest, CutInsideTheFirstRecordNeverOpensEmpty) {
  ASSERT_TRUE(Put("a", "1").ok());
  ASSERT_TRUE(db_->Flush().ok());
  Close();
  std::vector<std::string> names;
  ASSERT_TRUE(env_->GetChildren(dbname_, &names).ok());
  std::string manifest;
  for (const std::string& n : names) {
    if (n.rfind("MANIFEST-", 0) == 0) manifest = dbname_ + "/" + n;
  }
  ASSERT_FALSE(manifest.empty());
  auto intact = env_->CloneAfterCrash();
  uint64_t size = 0;
  ASSERT_TRUE(intact->GetFileSize(manifest, &size).ok());
  // Every cut inside the first record (the snapshot, at least the
  // comparator name and the table): a clean error, or all the data.
  for (uint64_t cut = 0; cut < std::min<uint64_t>(size, 40); cut++) {
    env_ = intact->CloneAfterCrash();
    options_.env = env_.get();
    ASSERT_TRUE(env_->TruncateFile(manifest, cut).ok());
    Status s = TryOpen(CurrentOptions());
    if (!s.ok()) continue;
    EXPECT_EQ(Get("a"), "1") << "cut at " << cut << ": the DB opened empty";
  }
}

}  // namespace
}  // namespace shale
