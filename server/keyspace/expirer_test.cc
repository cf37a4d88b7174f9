#include "server/keyspace/expirer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "server/keyspace/key_codec.h"
#include "server/keyspace/mem_keyspace_test_util.h"
#include "server/keyspace/tx.h"

namespace shale::server {
namespace {

// Records every event the commits announce, as "db:event:key".
class RecordingHook : public CommitHook {
 public:
  void OnKeysWritten(std::span<const TouchedKey>) override {}
  void OnDatabasesReplaced(std::span<const int>) override {}
  void OnEvents(std::span<const KeyEvent> events) override {
    std::lock_guard<std::mutex> l(mu);
    for (const KeyEvent& e : events) {
      got.push_back(std::to_string(e.db) + ":" + std::string(e.event) + ":" +
                    std::string(e.key));
    }
  }
  std::vector<std::string> Take() {
    std::lock_guard<std::mutex> l(mu);
    return std::move(got);
  }
  std::mutex mu;
  std::vector<std::string> got;
};

class ExpirerTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenMemKeyspace(&env_, 4, &db_, &ks_).ok());
    ks_->AddHook(&hook_);
    ks_->set_notify_classes(kNotifyKeyevent | kNotifyAll);
    base_ = Keyspace::NowMs();
    clock_.store(base_);
    expirer_ = std::make_unique<ActiveExpirer>(
        ks_.get(), [this] { return clock_.load(); });
  }
  void Put(int db, std::string_view key, uint64_t expire_at) {
    Keyspace::KeyLock lock(ks_.get(), db, key);
    ASSERT_TRUE(ks_->Put(db, key, "v", 0, expire_at).ok());
  }
  // Is the key's metadata in the engine at all (expired or not)?
  bool MetaStored(int db, std::string_view key) {
    std::string k, v;
    AppendMetaKey(&k, ks_->table().Ns(db), key);
    return db_->Get(ReadOptions(), k, &v).ok();
  }
  // The expiry index entries, as "when-base:key".
  std::vector<std::string> Index() {
    std::vector<std::string> out;
    std::unique_ptr<Iterator> it(db_->NewIterator(ReadOptions()));
    for (it->Seek("\x10"); it->Valid() && KindOf(it->key()) == 0x10;
         it->Next()) {
      uint64_t when;
      uint32_t ns;
      std::string_view key;
      EXPECT_TRUE(ParseExpiryKey(it->key(), &when, &ns, &key));
      out.push_back(std::to_string(when - base_) + ":" + std::string(key));
    }
    return out;
  }

  MemEnv env_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
  RecordingHook hook_;
  uint64_t base_ = 0;
  std::atomic<uint64_t> clock_{0};
  std::unique_ptr<ActiveExpirer> expirer_;
};

TEST_F(ExpirerTest, DeletesDueKeysInTimeOrderAndKeepsTheRest) {
  Put(0, "late", base_ + 300'000);
  Put(0, "early", base_ + 100'000);
  Put(1, "other-db", base_ + 200'000);
  Put(0, "forever", 0);
  Put(0, "future", base_ + 900'000);
  hook_.Take();
  EXPECT_EQ(Index().size(), 4u);
  clock_.store(base_ + 400'000);
  auto r = expirer_->RunCycle(0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.examined, 3u);
  EXPECT_EQ(r.expired, 3u);
  EXPECT_EQ(r.stale, 0u);
  EXPECT_EQ(hook_.Take(),
            (std::vector<std::string>{"0:expired:early", "1:expired:other-db",
                                      "0:expired:late"}));
  // Their deletion is written: the engine holds none of them any more.
  EXPECT_FALSE(MetaStored(0, "early"));
  EXPECT_FALSE(MetaStored(1, "other-db"));
  EXPECT_FALSE(MetaStored(0, "late"));
  EXPECT_TRUE(MetaStored(0, "forever"));
  EXPECT_TRUE(MetaStored(0, "future"));
  EXPECT_EQ(Index(), (std::vector<std::string>{"900000:future"}));
  EXPECT_EQ(ks_->expired_keys.load(), 3u);
  // Nothing due: a cycle examines nothing.
  r = expirer_->RunCycle(0);
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.examined, 0u);
}

TEST_F(ExpirerTest, StaleEntriesAreDroppedAndTheirKeysKept) {
  // A later expiry, no expiry, a deleted key, a flushed database, and an
  // index entry without metadata (as a crash could leave).
  Put(0, "moved", base_ + 100'000);
  Put(0, "moved", base_ + 500'000);
  Put(0, "persisted", base_ + 100'000);
  Put(0, "persisted", 0);
  Put(0, "deleted", base_ + 100'000);
  {
    Keyspace::KeyLock lock(ks_.get(), 0, "deleted");
    ASSERT_TRUE(ks_->Delete(0, "deleted").ok());
  }
  Put(2, "flushed", base_ + 100'000);
  const int two[] = {2};
  // (Single-threaded: without KeyLock::All, whose 1024 mutexes exceed
  // TSan's deadlock detector.)
  ASSERT_TRUE(ks_->FlushDbs(two).ok());
  std::string orphan;
  AppendExpiryKey(&orphan, base_ + 100'000, ks_->table().Ns(3), "orphan");
  ASSERT_TRUE(db_->Put(WriteOptions(), orphan, "").ok());
  hook_.Take();
  clock_.store(base_ + 200'000);
  auto r = expirer_->RunCycle(0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.expired, 0u);
  EXPECT_EQ(r.stale, 5u);
  EXPECT_TRUE(hook_.Take().empty());
  EXPECT_TRUE(ks_->Exists(0, "moved"));
  EXPECT_TRUE(ks_->Exists(0, "persisted"));
  EXPECT_EQ(Index(), (std::vector<std::string>{"500000:moved"}));
  clock_.store(base_ + 600'000);
  r = expirer_->RunCycle(0);
  EXPECT_EQ(r.expired, 1u);
  EXPECT_TRUE(Index().empty());
  EXPECT_FALSE(MetaStored(0, "moved"));
}

TEST_F(ExpirerTest, BudgetSpreadsWorkOverCyclesAndResumes) {
  constexpr int kKeys = 3000;
  for (int i = 0; i < kKeys; i++) {
    Put(i % 4, "k" + std::to_string(i), base_ + 1000 + i);
  }
  hook_.Take();
  clock_.store(base_ + 100'000);
  uint64_t expired = 0;
  int cycles = 0;
  while (true) {
    auto r = expirer_->RunCycle(1);  // 1 us: stops at its first check
    ASSERT_TRUE(r.status.ok()) << r.status.ToString();
    expired += r.expired;
    cycles++;
    if (r.done) break;
    EXPECT_LE(r.examined, 16u);
    ASSERT_LT(cycles, kKeys) << "no progress";
  }
  EXPECT_EQ(expired, static_cast<uint64_t>(kKeys));
  EXPECT_GT(cycles, kKeys / 16 - 1);
  auto events = hook_.Take();
  ASSERT_EQ(events.size(), static_cast<size_t>(kKeys));
  // In expiry order, which is the order they were written in.
  for (int i = 0; i < kKeys; i++) {
    EXPECT_EQ(events[i],
              std::to_string(i % 4) + ":expired:k" + std::to_string(i));
  }
  EXPECT_TRUE(Index().empty());
}

TEST_F(ExpirerTest, CycleBudgetFollowsHzAndEffort) {
  EXPECT_EQ(expirer_->CycleBudgetUs(), 25'000u);  // hz 10, effort 1
  expirer_->set_hz(100);
  expirer_->set_effort(10);
  EXPECT_EQ(expirer_->CycleBudgetUs(), 4'300u);  // 43% of 10 ms
  expirer_->set_hz(100000);
  expirer_->set_effort(0);
  EXPECT_EQ(expirer_->hz(), 500);
  EXPECT_EQ(expirer_->effort(), 1);
}

TEST_F(ExpirerTest, FollowsSwapDb) {
  Put(1, "k", base_ + 100'000);
  ASSERT_TRUE(ks_->SwapDb(0, 1).ok());  // single-threaded: no KeyLock::All
  hook_.Take();
  clock_.store(base_ + 200'000);
  auto r = expirer_->RunCycle(0);
  EXPECT_EQ(r.expired, 1u);
  EXPECT_EQ(hook_.Take(), std::vector<std::string>{"0:expired:k"});
}

TEST_F(ExpirerTest, EventsOnlyWhenNotificationsWantThem) {
  ks_->set_notify_classes(kNotifyKeyevent | kNotifyGeneric);
  Put(0, "k", base_ + 100'000);
  clock_.store(base_ + 200'000);
  EXPECT_EQ(expirer_->RunCycle(0).expired, 1u);
  EXPECT_TRUE(hook_.Take().empty());
}

TEST_F(ExpirerTest, BackgroundThreadExpires) {
  Put(0, "k", base_ + 100'000);
  expirer_->set_hz(100);
  expirer_->Start();
  clock_.store(base_ + 200'000);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (MetaStored(0, "k") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  expirer_->Stop();
  EXPECT_FALSE(MetaStored(0, "k"));
  EXPECT_GE(expirer_->cycles.load(), 1u);
}

TEST_F(ExpirerTest, WriteCommandDeletesExpiredKeyLazily) {
  // A real expiry (the Tx judges by the wall clock): 30 ms from now.
  const uint64_t at = Keyspace::NowMs() + 30;
  Put(0, "k", at);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ks_->Exists(0, "k") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_FALSE(ks_->Exists(0, "k"));
  ASSERT_TRUE(MetaStored(0, "k"));
  hook_.Take();
  // A read without the key's lock leaves it alone.
  Tx reader(ks_.get());
  reader.Begin(0);
  Entry e;
  EXPECT_TRUE(reader.Get("k", &e).IsNotFound());
  EXPECT_TRUE(reader.empty());
  reader.Release();
  // A write command's read deletes it first, then writes.
  Tx tx(ks_.get());
  tx.Begin(0);
  const Tx::DbKey keys[] = {{0, "k"}};
  tx.LockKeys(keys);
  EXPECT_TRUE(tx.Get("k", &e).IsNotFound());
  tx.Notify(kNotifyString, "set", "k");
  ASSERT_TRUE(tx.Put("k", "new", 0, 0).ok());
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  EXPECT_EQ(hook_.Take(), (std::vector<std::string>{"0:expired:k", "0:set:k"}));
  EXPECT_TRUE(Index().empty());
  EXPECT_EQ(ks_->expired_keys.load(), 1u);
}

}  // namespace
}  // namespace shale::server
