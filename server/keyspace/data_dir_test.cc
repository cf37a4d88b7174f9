#include "server/keyspace/data_dir.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "server/keyspace/keyspace.h"
#include "server/keyspace/legacy_value.h"

namespace shale::server {
namespace {

namespace fs = std::filesystem;

struct Want {
  std::string payload;
  uint32_t flags = 0;
  uint64_t expire_at_ms = 0;
  uint64_t cas = 0;
};

class DataDirTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() /
            ("shale-datadir-" + std::to_string(::getpid()) + "-" +
             testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes a legacy directory (engine files in dir_, legacy headers) with n
  // keys of every sort, into want_.
  void WriteLegacy(int n, uint32_t seed) {
    std::mt19937 rng(seed);
    Options o;
    o.create_if_missing = true;
    o.write_buffer_size = 64 << 10;  // several tables and a WAL
    std::unique_ptr<DB> db;
    ASSERT_TRUE(DB::Open(o, dir_, &db).ok());
    const uint64_t now = Keyspace::NowMs();
    for (int i = 0; i < n; i++) {
      std::string key = "k" + std::to_string(rng());
      if (i % 97 == 0) key.push_back('\0');
      if (i == 0) key.clear();  // the empty key
      Want w;
      w.payload = std::string(rng() % 64, static_cast<char>('a' + i % 26));
      if (i % 501 == 0) w.payload.assign(3000, 'L');  // a value-log value
      std::string stored;
      if (i % 13 == 0) {
        stored = w.payload;  // written by another tool: no header
        if (!stored.empty() && static_cast<uint8_t>(stored[0]) >= 0xF8) {
          stored = "x" + stored;
        }
        w.payload = stored;
      } else {
        LegacyMeta m;
        m.cas = 1000 + i;
        m.flags = i % 5 == 0 ? static_cast<uint32_t>(rng()) | 1 : 0;
        m.expire_at_ms = i % 7 == 0 ? now + 86400000 : 0;
        w.flags = m.flags;
        w.expire_at_ms = m.expire_at_ms;
        w.cas = m.cas;
        EncodeLegacyValue(m, w.payload, &stored);
      }
      WriteOptions wo;
      wo.expire_at_ms = w.expire_at_ms;
      ASSERT_TRUE(db->Put(wo, key, stored).ok());
      want_[key] = w;
    }
    // Expired by the engine's clock already: must not come back.
    std::string stored;
    LegacyMeta m{.cas = 5, .flags = 0, .expire_at_ms = now - 1};
    EncodeLegacyValue(m, "gone", &stored);
    WriteOptions wo;
    wo.expire_at_ms = now + 1;
    ASSERT_TRUE(db->Put(wo, "expired", stored).ok());
    ASSERT_TRUE(db->Delete(WriteOptions(), "deleted-later").ok());
  }

  // Opens the data directory and checks that database 0 holds want_ exactly.
  void OpenAndCheck(MigrationStats* stats = nullptr) {
    Options o;
    std::unique_ptr<DB> db;
    Status s = OpenDataDir(dir_, o, &db, stats);
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::unique_ptr<Keyspace> ks;
    ASSERT_TRUE(Keyspace::Open(db.get(), FsyncPolicy::kNo, 16, &ks).ok());
    uint64_t n = 0;
    auto it = ks->NewIterator(0);
    for (it->SeekToFirst(); it->Valid(); it->Next(), n++) {
      std::string key(it->key());
      auto w = want_.find(key);
      ASSERT_NE(w, want_.end()) << "unexpected key " << key;
      EXPECT_EQ(it->payload(), w->second.payload) << key;
      EXPECT_EQ(it->meta().flags, w->second.flags) << key;
      EXPECT_EQ(it->meta().expire_at_ms, w->second.expire_at_ms) << key;
      if (w->second.cas != 0) {
        EXPECT_EQ(it->meta().cas, w->second.cas);
      }
      EXPECT_NE(it->meta().cas, 0u);
    }
    ASSERT_TRUE(it->status().ok()) << it->status().ToString();
    EXPECT_EQ(n, want_.size());
    for (int d = 1; d < 16; d++) {
      uint64_t keys;
      ASSERT_TRUE(ks->CountKeys(d, &keys, nullptr).ok());
      EXPECT_EQ(keys, 0u);
    }
    EXPECT_FALSE(fs::exists(fs::path(dir_) / "CURRENT"));
    EXPECT_FALSE(fs::exists(fs::path(dir_) / "db.migrating"));
    for (const auto& e : fs::directory_iterator(dir_)) {
      std::string name = e.path().filename().string();
      EXPECT_TRUE(name == "db" || name == "server.log") << name;
    }
  }

  std::string dir_;
  std::map<std::string, Want> want_;
};

TEST_F(DataDirTest, FreshDirectoryGetsTheNewLayout) {
  MigrationStats stats;
  OpenAndCheck(&stats);
  EXPECT_FALSE(stats.migrated);
  EXPECT_TRUE(fs::exists(fs::path(dir_) / "db" / "CURRENT"));
}

TEST_F(DataDirTest, LegacyDirectoryMigratesIntoDatabaseZero) {
  WriteLegacy(3000, 1);
  std::ofstream(fs::path(dir_) / "server.log") << "not an engine file";
  MigrationStats stats;
  OpenAndCheck(&stats);
  EXPECT_TRUE(stats.migrated);
  EXPECT_FALSE(stats.resumed);
  EXPECT_EQ(stats.keys, want_.size());
  // A second start finds the new layout and migrates nothing.
  MigrationStats again;
  OpenAndCheck(&again);
  EXPECT_FALSE(again.migrated);
  EXPECT_TRUE(fs::exists(fs::path(dir_) / "server.log"));
}

// A kill -9 (a real one, in a forked child) at several points of the copy:
// before the first batch is written, at batch boundaries, inside a batch
// (each count is of keys copied by that run, which resumes after the last).
TEST_F(DataDirTest, KillDuringCopyResumes) {
  // "fast": fork without re-running the test (whose SetUp would start
  // over); no DB is open in this process, so no engine thread is lost.
  GTEST_FLAG_SET(death_test_style, "fast");
  WriteLegacy(3500, 2);
  for (uint64_t kill_after : {1u, 999u, 1000u, 1001u, 1200u}) {
    EXPECT_EXIT(
        {
          std::unique_ptr<DB> db;
          (void)OpenDataDir(dir_, Options(), &db, nullptr, kill_after);
          std::_Exit(0);  // not reached: the copy raises SIGKILL
        },
        testing::KilledBySignal(SIGKILL), "")
        << "kill after " << kill_after;
    ASSERT_TRUE(fs::exists(fs::path(dir_) / "db.migrating"));
    ASSERT_TRUE(fs::exists(fs::path(dir_) / "CURRENT"));
  }
  MigrationStats stats;
  OpenAndCheck(&stats);
  EXPECT_TRUE(stats.resumed);
  EXPECT_LT(stats.keys, want_.size());
}

// Killed after the rename, before the legacy files were all deleted.
TEST_F(DataDirTest, LegacyFilesLeftAfterTheRenameAreDeleted) {
  WriteLegacy(100, 3);
  OpenAndCheck();
  for (const char* f : {"CURRENT", "000001.log", "MANIFEST-000002",
                        "000003.sst", "000004.vlog", "LOCK"}) {
    std::ofstream(fs::path(dir_) / f) << "leftover";
  }
  std::ofstream(fs::path(dir_) / "server.log") << "kept";
  OpenAndCheck();
}

}  // namespace
}  // namespace shale::server
