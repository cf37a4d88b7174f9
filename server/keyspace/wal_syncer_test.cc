#include "server/keyspace/wal_syncer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "util/mem_env.h"

namespace shale::server {
namespace {

// On the in-memory Env, whose crash clones keep only what was synced.
class WalSyncerTest : public testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override {
    ks_.reset();
    db_.reset();
  }
  void Open() {
    Options options;
    options.create_if_missing = true;
    options.env = env_.get();
    ks_.reset();
    db_.reset();
    ASSERT_TRUE(DB::Open(options, "/db", &db_).ok());
    ASSERT_TRUE(
        Keyspace::Open(db_.get(), FsyncPolicy::kEverySec, 16, &ks_).ok());
  }
  void Put(const std::string& key) {
    Keyspace::KeyLock lock(ks_.get(), 0, key);
    ASSERT_TRUE(ks_->Put(0, key, "v", 0, 0).ok());
  }
  // Reopens on what a power loss left (a CloneAfterCrash of env_).
  void ReopenOn(std::unique_ptr<MemEnv> clone) {
    ks_.reset();
    db_.reset();
    env_ = std::move(clone);
    Open();
  }
  bool Has(const std::string& key) {
    Entry e;
    return ks_->Get(0, key, &e).ok();
  }

  std::unique_ptr<MemEnv> env_ = std::make_unique<MemEnv>();
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
};

TEST_F(WalSyncerTest, ASyncMakesEveryAcknowledgedWriteDurable) {
  auto syncer = std::make_unique<WalSyncer>(ks_.get(), std::chrono::hours(1));
  Put("a");
  Put("b");
  ASSERT_TRUE(syncer->SyncNow().ok());
  EXPECT_EQ(syncer->syncs(), 1u);
  Put("after");
  std::unique_ptr<MemEnv> clone = env_->CloneAfterCrash();
  syncer.reset();  // its last sync comes after the power loss
  ReopenOn(std::move(clone));
  EXPECT_TRUE(Has("a"));
  EXPECT_TRUE(Has("b"));
  EXPECT_FALSE(Has("after"));  // the control: unsynced writes are lost
}

TEST_F(WalSyncerTest, StoppingSyncsOnceMore) {
  {
    WalSyncer syncer(ks_.get(), std::chrono::hours(1));
    Put("k");
  }
  ReopenOn(env_->CloneAfterCrash());
  EXPECT_TRUE(Has("k"));
}

}  // namespace
}  // namespace shale::server
