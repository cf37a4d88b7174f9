#include "server/keyspace/collection.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>

#include "server/keyspace/mem_keyspace_test_util.h"

namespace shale::server {
namespace {

class CollectionTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenMemKeyspace(&env_, 4, &db_, &ks_).ok());
  }
  // Begins tx on db 0 with key locked (a write command's Tx).
  void BeginLocked(Tx* tx, std::string_view key) {
    tx->Begin(0);
    const Tx::DbKey keys[] = {{0, key}};
    tx->LockKeys(keys);
  }
  // The elements of c, by iterator.
  static std::map<std::string, std::string> Elements(Collection* c) {
    std::map<std::string, std::string> got;
    auto it = c->NewIterator();
    std::string last;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string sub(it->sub());
      EXPECT_TRUE(got.empty() || sub > last) << "out of order: " << sub;
      last = sub;
      got[sub] = std::string(it->value());
    }
    EXPECT_TRUE(it->status().ok());
    return got;
  }
  // Sets fields of hash key in one committed Tx.
  void HSet(std::string_view key,
            const std::map<std::string, std::string>& fields) {
    Tx tx(ks_.get());
    BeginLocked(&tx, key);
    Collection c(&tx, KeyType::kHash);
    ASSERT_TRUE(c.Open(key).ok());
    for (const auto& [f, v] : fields) {
      bool added;
      ASSERT_TRUE(c.Set(f, v, &added).ok());
    }
    ASSERT_TRUE(c.Finish().ok());
    ASSERT_TRUE(tx.Commit().ok());
    tx.Release();
  }

  MemEnv env_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
};

TEST_F(CollectionTest, ReadsItsOwnElementWritesAndKeepsTheCount) {
  Tx tx(ks_.get());
  BeginLocked(&tx, "h");
  Collection c(&tx, KeyType::kHash);
  ASSERT_TRUE(c.Open("h").ok());
  EXPECT_EQ(c.state(), Collection::State::kAbsent);
  bool added;
  ASSERT_TRUE(c.Set("f1", "v1", &added).ok());
  EXPECT_TRUE(added);
  ASSERT_TRUE(c.Set("f2", "v2", &added).ok());
  EXPECT_TRUE(added);
  ASSERT_TRUE(c.Set("f1", "v1b", &added).ok());  // an overwrite
  EXPECT_FALSE(added);
  EXPECT_EQ(c.count(), 2u);
  std::string v;
  ASSERT_TRUE(c.Get("f1", &v).ok());
  EXPECT_EQ(v, "v1b");
  EXPECT_TRUE(c.Get("f3", &v).IsNotFound());
  EXPECT_EQ(Elements(&c),
            (std::map<std::string, std::string>{{"f1", "v1b"}, {"f2", "v2"}}));
  ASSERT_TRUE(c.Finish().ok());
  // A second handle in the same Tx (the next command of an EXEC) sees the
  // pending metadata and elements.
  Collection c2(&tx, KeyType::kHash);
  ASSERT_TRUE(c2.Open("h").ok());
  ASSERT_TRUE(c2.found());
  EXPECT_EQ(c2.count(), 2u);
  EXPECT_EQ(c2.meta().version, c.meta().version);
  EXPECT_EQ(Elements(&c2).size(), 2u);
  // Nothing is visible outside the Tx before Commit.
  EXPECT_FALSE(ks_->Exists(0, "h"));
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();

  Tx reader(ks_.get());
  reader.Begin(0);
  Collection r(&reader, KeyType::kHash);
  ASSERT_TRUE(r.Open("h").ok());
  ASSERT_TRUE(r.found());
  EXPECT_EQ(r.count(), 2u);
  EXPECT_EQ(Elements(&r),
            (std::map<std::string, std::string>{{"f1", "v1b"}, {"f2", "v2"}}));
  Entry e;
  ASSERT_TRUE(ks_->Get(0, "h", &e).ok());
  EXPECT_EQ(e.meta().type, KeyType::kHash);
}

TEST_F(CollectionTest, IteratorMergesPendingWritesOverTheEngine) {
  HSet("h", {{"a", "1"}, {"c", "3"}, {"e", "5"}, {"g", "7"}});
  Tx tx(ks_.get());
  BeginLocked(&tx, "h");
  Collection c(&tx, KeyType::kHash);
  ASSERT_TRUE(c.Open("h").ok());
  bool b;
  ASSERT_TRUE(c.Set("b", "2", &b).ok());
  ASSERT_TRUE(c.Set("c", "33", &b).ok());
  ASSERT_TRUE(c.Remove("e", &b).ok());
  EXPECT_TRUE(b);
  ASSERT_TRUE(c.Remove("zz", &b).ok());
  EXPECT_FALSE(b);
  ASSERT_TRUE(c.Set("h", "8", &b).ok());
  ASSERT_TRUE(c.Remove("a", &b).ok());
  EXPECT_EQ(c.count(), 4u);
  const std::map<std::string, std::string> want{
      {"b", "2"}, {"c", "33"}, {"g", "7"}, {"h", "8"}};
  EXPECT_EQ(Elements(&c), want);
  auto it = c.NewIterator();
  it->Seek("c");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->sub(), "c");
  it->Seek("d");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->sub(), "g");
  ASSERT_TRUE(c.Finish().ok());
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  Tx r(ks_.get());
  r.Begin(0);
  Collection rc(&r, KeyType::kHash);
  ASSERT_TRUE(rc.Open("h").ok());
  EXPECT_EQ(rc.count(), 4u);
  EXPECT_EQ(Elements(&rc), want);
}

TEST_F(CollectionTest, LastRemovalDeletesTheKey) {
  HSet("h", {{"a", "1"}, {"b", "2"}});
  Tx tx(ks_.get());
  BeginLocked(&tx, "h");
  Collection c(&tx, KeyType::kHash);
  ASSERT_TRUE(c.Open("h").ok());
  bool removed, deleted;
  ASSERT_TRUE(c.Remove("a", &removed).ok());
  ASSERT_TRUE(c.Remove("b", &removed).ok());
  ASSERT_TRUE(c.Finish(&deleted).ok());
  EXPECT_TRUE(deleted);
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  EXPECT_FALSE(ks_->Exists(0, "h"));
}

TEST_F(CollectionTest, DeleteIsMetadataOnlyAndANewIncarnationStartsEmpty) {
  HSet("h", {{"a", "1"}, {"b", "2"}});
  uint64_t old_version;
  {
    Tx tx(ks_.get());
    BeginLocked(&tx, "h");
    Collection c(&tx, KeyType::kHash);
    ASSERT_TRUE(c.Open("h").ok());
    old_version = c.meta().version;
    ASSERT_TRUE(tx.Delete("h").ok());
    // Recreated in the same Tx: a fresh version, none of the old elements.
    Collection c2(&tx, KeyType::kHash);
    ASSERT_TRUE(c2.Open("h").ok());
    EXPECT_FALSE(c2.found());
    bool added;
    ASSERT_TRUE(c2.Set("z", "26", &added).ok());
    EXPECT_TRUE(added);
    EXPECT_NE(c2.meta().version, old_version);
    EXPECT_EQ(Elements(&c2), (std::map<std::string, std::string>{{"z", "26"}}));
    ASSERT_TRUE(c2.Finish().ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  // The old incarnation's elements are still in the engine (garbage for
  // the CompactionFilter), the new one sees only its own.
  std::string ekey, v;
  AppendCollectionPrefix(&ekey, KeyKind::kElement, ks_->table().Ns(0), "h",
                         old_version);
  ekey += "a";
  EXPECT_TRUE(db_->Get(ReadOptions(), ekey, &v).ok());
  Tx r(ks_.get());
  r.Begin(0);
  Collection rc(&r, KeyType::kHash);
  ASSERT_TRUE(rc.Open("h").ok());
  EXPECT_EQ(rc.count(), 1u);
  EXPECT_EQ(Elements(&rc), (std::map<std::string, std::string>{{"z", "26"}}));
}

TEST_F(CollectionTest, WrongTypeIsReported) {
  ASSERT_TRUE(ks_->Put(0, "s", "string", 0, 0).ok());
  HSet("h", {{"a", "1"}});
  Tx tx(ks_.get());
  tx.Begin(0);
  Collection c(&tx, KeyType::kHash);
  ASSERT_TRUE(c.Open("s").ok());
  EXPECT_TRUE(c.wrong_type());
  Collection c2(&tx, KeyType::kSet);
  ASSERT_TRUE(c2.Open("h").ok());
  EXPECT_TRUE(c2.wrong_type());
}

TEST_F(CollectionTest, UnlockedReaderSeesOneSnapshot) {
  HSet("h", {{"a", "1"}, {"b", "2"}});
  Tx reader(ks_.get());
  reader.Begin(0);  // no locks: a read-only command
  Collection r(&reader, KeyType::kHash);
  ASSERT_TRUE(r.Open("h").ok());
  ASSERT_EQ(r.count(), 2u);
  // A writer deletes the hash and creates another incarnation, and adds
  // to it, after the reader read the metadata.
  {
    Tx tx(ks_.get());
    BeginLocked(&tx, "h");
    ASSERT_TRUE(tx.Delete("h").ok());
    Collection c(&tx, KeyType::kHash);
    ASSERT_TRUE(c.Open("h").ok());
    bool added;
    ASSERT_TRUE(c.Set("a", "new", &added).ok());
    ASSERT_TRUE(c.Set("x", "new", &added).ok());
    ASSERT_TRUE(c.Set("y", "new", &added).ok());
    ASSERT_TRUE(c.Finish().ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  // The reader still sees the incarnation its metadata named, whole.
  std::string v;
  ASSERT_TRUE(r.Get("a", &v).ok());
  EXPECT_EQ(v, "1");
  EXPECT_EQ(Elements(&r),
            (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}}));
  // A handle opened later in the same command reads the same snapshot.
  Collection r2(&reader, KeyType::kHash);
  ASSERT_TRUE(r2.Open("h").ok());
  EXPECT_EQ(r2.count(), 2u);
  reader.Release();
  Tx fresh(ks_.get());
  fresh.Begin(0);
  Collection r3(&fresh, KeyType::kHash);
  ASSERT_TRUE(r3.Open("h").ok());
  EXPECT_EQ(r3.count(), 3u);
}

TEST_F(CollectionTest, RandomOpsMatchAModel) {
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::printf("seed %llu\n", static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  std::map<std::string, std::string> model;
  for (int round = 0; round < 30; round++) {
    Tx tx(ks_.get());
    BeginLocked(&tx, "h");
    std::map<std::string, std::string> pending = model;
    const int ops = static_cast<int>(rng() % 20);
    for (int i = 0; i < ops; i++) {
      Collection c(&tx, KeyType::kHash);
      ASSERT_TRUE(c.Open("h").ok());
      ASSERT_EQ(c.count(), pending.size());
      std::string f = "f" + std::to_string(rng() % 12);
      bool changed;
      if (rng() % 3 == 0) {
        ASSERT_TRUE(c.Remove(f, &changed).ok());
        EXPECT_EQ(changed, pending.erase(f) == 1);
      } else {
        std::string v = std::to_string(rng());
        ASSERT_TRUE(c.Set(f, v, &changed).ok());
        EXPECT_EQ(changed, !pending.contains(f));
        pending[f] = v;
      }
      ASSERT_TRUE(c.Finish().ok());
      Collection check(&tx, KeyType::kHash);
      ASSERT_TRUE(check.Open("h").ok());
      using Map = std::map<std::string, std::string>;
      const Map got = check.found() ? Elements(&check) : Map();
      EXPECT_EQ(got, pending);
    }
    if (rng() % 4 == 0) {
      tx.Release();  // aborted: nothing changes
    } else {
      ASSERT_TRUE(tx.Commit().ok());
      tx.Release();
      model = pending;
    }
    Tx r(ks_.get());
    r.Begin(0);
    Collection rc(&r, KeyType::kHash);
    ASSERT_TRUE(rc.Open("h").ok());
    EXPECT_EQ(rc.found(), !model.empty());
    if (rc.found()) {
      EXPECT_EQ(rc.count(), model.size());
      EXPECT_EQ(Elements(&rc), model);
    }
  }
}

TEST_F(CollectionTest, ReplaceStartsAFreshIncarnationOfAnyType) {
  HSet("h", {{"a", "1"}, {"b", "2"}});
  Entry old;
  ASSERT_TRUE(ks_->Get(0, "h", &old).ok());
  Tx tx(ks_.get());
  BeginLocked(&tx, "h");
  // The old hash is still read through its own handle (a *STORE whose
  // source is its destination) while the new set is written.
  Collection src(&tx, KeyType::kHash);
  ASSERT_TRUE(src.Open("h").ok());
  Collection dst(&tx, KeyType::kSet);
  ASSERT_TRUE(dst.Open("h").ok());
  EXPECT_TRUE(dst.wrong_type());
  dst.Replace();
  EXPECT_FALSE(dst.found());
  dst.Put("x", {});
  dst.AddCount(1);
  std::string v;
  ASSERT_TRUE(src.Get("a", &v).ok());
  EXPECT_EQ(v, "1");
  EXPECT_EQ(Elements(&src).size(), 2u);
  bool deleted;
  ASSERT_TRUE(dst.Finish(&deleted).ok());
  EXPECT_FALSE(deleted);
  EXPECT_NE(dst.meta().version, old.meta().version);
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  Tx r(ks_.get());
  r.Begin(0);
  Collection rc(&r, KeyType::kSet);
  ASSERT_TRUE(rc.Open("h").ok());
  ASSERT_TRUE(rc.found());
  EXPECT_EQ(rc.count(), 1u);
  EXPECT_EQ(Elements(&rc), (std::map<std::string, std::string>{{"x", ""}}));
}

TEST_F(CollectionTest, ReplaceWithNothingWrittenDeletesAnExistingKey) {
  HSet("h", {{"a", "1"}});
  Tx tx(ks_.get());
  BeginLocked(&tx, "h");
  Collection c(&tx, KeyType::kSet);
  ASSERT_TRUE(c.Open("h").ok());
  c.Replace();
  bool deleted;
  ASSERT_TRUE(c.Finish(&deleted).ok());
  EXPECT_TRUE(deleted);
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  EXPECT_FALSE(ks_->Exists(0, "h"));
  // An absent key stays absent, and nothing is written for it.
  Tx tx2(ks_.get());
  BeginLocked(&tx2, "none");
  Collection n(&tx2, KeyType::kSet);
  ASSERT_TRUE(n.Open("none").ok());
  n.Replace();
  ASSERT_TRUE(n.Finish(&deleted).ok());
  EXPECT_FALSE(deleted);
  EXPECT_TRUE(tx2.empty());
  tx2.Release();
}

}  // namespace
}  // namespace shale::server
