#include "server/keyspace/notifier.h"

#include <gtest/gtest.h>

#include <vector>

#include "server/keyspace/mem_keyspace_test_util.h"
#include "server/keyspace/tx.h"

namespace shale::server {
namespace {

class NotifierTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenMemKeyspace(&env_, 16, &db_, &ks_).ok());
    notifier_ = std::make_unique<KeyspaceNotifier>(ks_.get());
    ks_->AddHook(notifier_.get());
    notifier_->set_publisher(
        [this](std::string_view channel, std::string_view message) {
          got_.push_back(std::string(channel) + " " + std::string(message));
        });
  }
  // One write command: SET key (new if absent), then "set".
  void Set(int db, std::string_view key) {
    Tx tx(ks_.get());
    tx.Begin(db);
    const Tx::DbKey keys[] = {{db, key}};
    tx.LockKeys(keys);
    ASSERT_TRUE(tx.Put(key, "v", 0, 0).ok());
    tx.Notify(kNotifyString, "set", key);
    ASSERT_TRUE(tx.Commit().ok());
  }
  std::vector<std::string> Take() { return std::move(got_); }

  MemEnv env_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
  std::unique_ptr<KeyspaceNotifier> notifier_;
  std::vector<std::string> got_;
};

TEST_F(NotifierTest, ChannelsAndOrderAsRedis) {
  notifier_->set_classes(kNotifyKeyspace | kNotifyKeyevent | kNotifyAll |
                         kNotifyNew);
  Set(3, "k");
  Set(3, "k");
  EXPECT_EQ(Take(), (std::vector<std::string>{
                        "__keyspace@3__:k new", "__keyevent@3__:new k",
                        "__keyspace@3__:k set", "__keyevent@3__:set k",
                        "__keyspace@3__:k set", "__keyevent@3__:set k"}));
}

TEST_F(NotifierTest, ClassFilter) {
  // K only, string class only: no "new" (class n), keyspace channel only.
  notifier_->set_classes(kNotifyKeyspace | kNotifyString);
  Set(0, "a");
  EXPECT_EQ(Take(), std::vector<std::string>{"__keyspace@0__:a set"});
  // E only, generic only: a SET announces nothing.
  notifier_->set_classes(kNotifyKeyevent | kNotifyGeneric);
  Set(0, "a");
  EXPECT_TRUE(Take().empty());
  // Classes without K or E: nothing, and nothing is even recorded.
  notifier_->set_classes(kNotifyAll);
  EXPECT_FALSE(ks_->Wants(kNotifyString));
  Set(0, "a");
  EXPECT_TRUE(Take().empty());
  // Off.
  notifier_->set_classes(0);
  EXPECT_EQ(ks_->notify_classes(), 0u);
  Set(0, "b");
  EXPECT_TRUE(Take().empty());
}

TEST_F(NotifierTest, KeyMissWithoutWrites) {
  notifier_->set_classes(kNotifyKeyevent | kNotifyKeyMiss);
  Tx tx(ks_.get());
  tx.Begin(1);
  Entry e;
  EXPECT_TRUE(tx.Get("nokey", &e).IsNotFound());
  tx.Notify(kNotifyKeyMiss, "keymiss", "nokey");
  ASSERT_TRUE(tx.Commit().ok());
  EXPECT_EQ(Take(), std::vector<std::string>{"__keyevent@1__:keymiss nokey"});
}

TEST_F(NotifierTest, NoPublisherRecordsNothing) {
  KeyspaceNotifier quiet(ks_.get());
  quiet.set_classes(kNotifyKeyspace | kNotifyAll);
  quiet.set_publisher(nullptr);
  EXPECT_EQ(ks_->notify_classes(), 0u);
}

TEST_F(NotifierTest, BinaryKeysAndDatabases) {
  notifier_->set_classes(kNotifyKeyspace | kNotifyKeyevent | kNotifyString);
  const std::string key("a\0b\xff", 4);
  Set(15, key);
  auto got = Take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "__keyspace@15__:" + key + " set");
  EXPECT_EQ(got[1], "__keyevent@15__:set " + key);
}

}  // namespace
}  // namespace shale::server
