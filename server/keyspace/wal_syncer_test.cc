#include "server/keyspace/wal_syncer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

namespace shale::server {
namespace {

class WalSyncerTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() /
            ("wal_syncer_test." + std::to_string(::getpid())))
               .string();
    std::filesystem::remove_all(dir_);
    Options options;
    options.create_if_missing = true;
    ASSERT_TRUE(DB::Open(options, dir_, &db_).ok());
    ks_ = std::make_unique<Keyspace>(db_.get(), FsyncPolicy::kEverySec);
  }
  void TearDown() override {
    ks_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
};

// The WAL is synced through a descriptor of the syncer's own, outside the
// engine's write queue.
TEST_F(WalSyncerTest, SyncsTheNewestWalDirectly) {
  WalSyncer syncer(ks_.get(), dir_, std::chrono::hours(1));
  {
    Keyspace::KeyLock lock(ks_.get(), "k");
    ASSERT_TRUE(ks_->Put("k", "v", 0, 0).ok());
  }
  ASSERT_TRUE(syncer.SyncNow().ok());
  EXPECT_EQ(syncer.direct_syncs(), 1u);
  EXPECT_EQ(syncer.engine_syncs(), 0u);
  // After a memtable switch (a new WAL) too.
  ASSERT_TRUE(db_->Flush().ok());
  {
    Keyspace::KeyLock lock(ks_.get(), "k2");
    ASSERT_TRUE(ks_->Put("k2", "v", 0, 0).ok());
  }
  ASSERT_TRUE(syncer.SyncNow().ok());
  EXPECT_EQ(syncer.direct_syncs(), 2u);
}

// No WAL to be found (here: the syncer looks at another directory): it
// syncs through the engine instead.
TEST_F(WalSyncerTest, FallsBackToTheEngine) {
  std::string empty = dir_ + ".empty";
  std::filesystem::create_directories(empty);
  {
    WalSyncer syncer(ks_.get(), empty, std::chrono::hours(1));
    ASSERT_TRUE(syncer.SyncNow().ok());
    EXPECT_EQ(syncer.direct_syncs(), 0u);
    EXPECT_EQ(syncer.engine_syncs(), 1u);
  }
  std::filesystem::remove_all(empty);
}

}  // namespace
}  // namespace shale::server
