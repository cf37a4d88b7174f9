#include "server/keyspace/tx.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "server/keyspace/mem_keyspace_test_util.h"

namespace shale::server {
namespace {

class TxTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenMemKeyspace(&env_, 4, &db_, &ks_).ok());
  }
  // The live keys of db through it, with their payloads.
  static std::map<std::string, std::string> Scan(KeyIterator* it) {
    std::map<std::string, std::string> got;
    std::string last;
    bool first = true;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string k(it->key());
      EXPECT_TRUE(first || k > last) << "out of order: " << k;
      first = false;
      last = k;
      got[k] = std::string(it->payload());
    }
    EXPECT_TRUE(it->status().ok());
    return got;
  }

  MemEnv env_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
};

TEST_F(TxTest, ReadsItsOwnWritesAndCommitsOnce) {
  ASSERT_TRUE(ks_->Put(0, "b", "old-b", 0, 0).ok());
  ASSERT_TRUE(ks_->Put(0, "c", "old-c", 0, 0).ok());
  Tx tx(ks_.get());
  tx.Begin(0);
  const Tx::DbKey keys[] = {{0, "a"}, {0, "b"}, {0, "c"}};
  tx.LockKeys(keys);
  ASSERT_TRUE(tx.Put("a", "new-a", 7, 0).ok());
  ASSERT_TRUE(tx.Delete("b").ok());
  ASSERT_TRUE(tx.Put("c", "new-c", 0, 0).ok());
  ASSERT_TRUE(tx.Put("c", "newer-c", 0, 0).ok());
  Entry e;
  ASSERT_TRUE(tx.Get("a", &e).ok());
  EXPECT_EQ(e.payload(), "new-a");
  EXPECT_EQ(e.meta().flags, 7u);
  EXPECT_FALSE(tx.Exists("b"));
  ASSERT_TRUE(tx.Get("c", &e).ok());
  EXPECT_EQ(e.payload(), "newer-c");
  // Not yet visible to others.
  EXPECT_FALSE(ks_->Exists(0, "a"));
  EXPECT_TRUE(ks_->Exists(0, "b"));
  std::string_view mk[] = {"a", "b", "c", "d"};
  Entry es[4];
  Status st[4];
  tx.MultiGet(mk, es, st);
  EXPECT_TRUE(st[0].ok() && es[0].payload() == "new-a");
  EXPECT_TRUE(st[1].IsNotFound());
  EXPECT_TRUE(st[2].ok() && es[2].payload() == "newer-c");
  EXPECT_TRUE(st[3].IsNotFound());
  auto it = tx.NewIterator();
  EXPECT_EQ(Scan(it.get()), (std::map<std::string, std::string>{
                                {"a", "new-a"}, {"c", "newer-c"}}));
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  auto after = ks_->NewIterator(0);
  EXPECT_EQ(Scan(after.get()), (std::map<std::string, std::string>{
                                   {"a", "new-a"}, {"c", "newer-c"}}));
  // The Tx wrote to database 0 only.
  uint64_t n;
  ASSERT_TRUE(ks_->CountKeys(1, &n, nullptr).ok());
  EXPECT_EQ(n, 0u);
}

TEST_F(TxTest, CommitWritesEachKeyOnce) {
  // A run of pipelined commands writes a collection's metadata and the
  // same element again and again: only the last write of each goes to the
  // engine (total_writes counts engine records).
  Tx tx(ks_.get());
  tx.Begin(0);
  const Tx::DbKey keys[] = {{0, "h"}};
  tx.LockKeys(keys);
  ValueMeta meta;
  meta.type = KeyType::kHash;
  meta.version = 7;
  for (uint64_t i = 1; i <= 5; i++) {
    meta.count = i;
    tx.PutCollectionMeta("h", meta);
    tx.PutElement("elem", "v" + std::to_string(i));
  }
  tx.DeleteElement("gone");
  tx.PutElement("gone", "back");
  const uint64_t before = ks_->writes.load();
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  EXPECT_EQ(ks_->writes.load() - before, 3u);
  std::string v;
  ASSERT_TRUE(db_->Get(ReadOptions(), "elem", &v).ok());
  EXPECT_EQ(v, "v5");
  ASSERT_TRUE(db_->Get(ReadOptions(), "gone", &v).ok());
  EXPECT_EQ(v, "back");
  Entry e;
  ASSERT_TRUE(ks_->Get(0, "h", &e).ok());
  EXPECT_EQ(e.meta().count, 5u);
}

TEST_F(TxTest, ExpiryIsHonouredInPendingWrites) {
  Tx tx(ks_.get());
  tx.Begin(1);
  ASSERT_TRUE(tx.Put("gone", "v", 0, 1).ok());  // long past: a delete
  ASSERT_TRUE(tx.Put("stays", "v", 0, Keyspace::NowMs() + 100000).ok());
  EXPECT_FALSE(tx.Exists("gone"));
  Entry e;
  ASSERT_TRUE(tx.Get("stays", &e).ok());
  EXPECT_GT(e.meta().expire_at_ms, Keyspace::NowMs());
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  EXPECT_TRUE(ks_->Exists(1, "stays"));
}

// A FrozenClock keeps the time its command (or EXEC) started: a key that
// expires 1 ms later lives for the whole command however long it runs, and
// dies for the next one.
TEST_F(TxTest, FrozenClockHoldsExpiryForTheCommand) {
  uint64_t frozen;
  {
    const Keyspace::FrozenClock clock;
    frozen = Keyspace::NowMs();
    Tx tx(ks_.get());
    tx.Begin(0);
    ASSERT_TRUE(tx.Put("k", "v", 0, frozen + 1).ok());
    ASSERT_TRUE(tx.Commit().ok());
    tx.Release();
    while (Keyspace::WallNowMs() < frozen + 3) {
    }
    {
      const Keyspace::FrozenClock nested;  // keeps the outer time
      EXPECT_EQ(Keyspace::NowMs(), frozen);
    }
    EXPECT_EQ(Keyspace::NowMs(), frozen);
    EXPECT_TRUE(ks_->Exists(0, "k"));
  }
  EXPECT_GE(Keyspace::NowMs(), frozen + 3);
  EXPECT_FALSE(ks_->Exists(0, "k"));
}

// The iterator's overlay against a model, over random engine contents and
// random pending writes (many, so that the hash index is used too).
TEST_F(TxTest, IteratorOverlayMatchesAModel) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::map<std::string, std::string> model;
  for (int i = 0; i < 200; i++) {
    std::string k = "k" + std::to_string(rng() % 300);
    ASSERT_TRUE(ks_->Put(2, k, "e" + std::to_string(i), 0, 0).ok());
    model[k] = "e" + std::to_string(i);
  }
  Tx tx(ks_.get());
  tx.Begin(2);
  for (int i = 0; i < 150; i++) {
    std::string k = "k" + std::to_string(rng() % 300);
    if (rng() % 3 == 0) {
      ASSERT_TRUE(tx.Delete(k).ok());
      model.erase(k);
    } else {
      ASSERT_TRUE(tx.Put(k, "p" + std::to_string(i), 0, 0).ok());
      model[k] = "p" + std::to_string(i);
    }
    Entry e;
    Status s = tx.Get(k, &e);
    ASSERT_EQ(s.ok(), model.count(k) == 1);
  }
  auto it = tx.NewIterator();
  EXPECT_EQ(Scan(it.get()), model);
  // Seek into the middle.
  it->Seek("k150");
  auto m = model.lower_bound("k150");
  for (int i = 0; i < 20 && m != model.end(); i++, ++m, it->Next()) {
    ASSERT_TRUE(it->Valid());
    EXPECT_EQ(it->key(), m->first);
  }
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  auto after = ks_->NewIterator(2);
  EXPECT_EQ(Scan(after.get()), model);
}

}  // namespace
}  // namespace shale::server
