#include "server/redis/set_batch.h"

#include <gtest/gtest.h>

#include "util/mem_env.h"

namespace shale::server {
namespace {

// A FLUSHDB (or SWAPDB) between a pipelined SET's Add and the batch's
// Flush: the SETs land in the database's namespace of the Flush, not in
// the retired one.
TEST(SetBatchTest, FlushDbBetweenAddAndFlushKeepsTheSets) {
  MemEnv env;
  Options options;
  options.create_if_missing = true;
  options.env = &env;
  std::unique_ptr<DB> db;
  ASSERT_TRUE(DB::Open(options, "/db", &db).ok());
  std::unique_ptr<Keyspace> ks;
  ASSERT_TRUE(Keyspace::Open(db.get(), FsyncPolicy::kNo, 4, &ks).ok());
  KeyspaceDb d2(ks.get(), 2);
  ASSERT_TRUE(d2.Put("old", "x", 0, 0).ok());
  SetBatch batch;
  batch.Add(&d2, "a", "1");
  batch.Add(&d2, "b", "2");
  const int dbs[] = {2};
  ASSERT_TRUE(ks->FlushDbs(dbs).ok());
  std::string out;
  RespWriter w(&out);
  batch.Flush(ks.get(), &w);
  EXPECT_EQ(out, "+OK\r\n+OK\r\n");
  Entry e;
  ASSERT_TRUE(d2.Get("a", &e).ok());
  EXPECT_EQ(e.payload(), "1");
  ASSERT_TRUE(d2.Get("b", &e).ok());
  EXPECT_FALSE(d2.Get("old", &e).ok());
  uint64_t n;
  ASSERT_TRUE(ks->CountKeys(2, &n, nullptr).ok());
  EXPECT_EQ(n, 2u);
  // And without a flush in between, the plain path.
  batch.Add(&d2, "c", "3");
  batch.Flush(ks.get(), &w);
  ASSERT_TRUE(d2.Get("c", &e).ok());
}

}  // namespace
}  // namespace shale::server
