// StreamGroups (keyspace/stream_group.h): the group, consumer and pending
// records round trip; deleting a consumer or a group removes every entry
// under it (both pending indexes) and nothing of another group; Redis's
// entries_read estimate.
#include "server/keyspace/stream_group.h"

#include <gtest/gtest.h>

#include "server/keyspace/mem_keyspace_test_util.h"

namespace shale::server {
namespace {

class StreamGroupTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenMemKeyspace(&env_, 4, &db_, &ks_).ok());
  }
  // The number of kind 0x05 entries under prefix.
  static size_t Count(StreamGroups* g, const std::string& prefix) {
    size_t n = 0;
    auto it = g->NewIterator();
    for (it->Seek(prefix); it->Valid() && it->sub().starts_with(prefix);
         it->Next()) {
      n++;
    }
    return n;
  }

  MemEnv env_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
};

TEST_F(StreamGroupTest, RecordsRoundTripAndDeletesCascade) {
  Tx tx(ks_.get());
  tx.Begin(0);
  const Tx::DbKey keys[] = {{0, "s"}};
  tx.LockKeys(keys);
  Collection c(&tx, KeyType::kStream);
  ASSERT_TRUE(c.Open("s").ok());
  Stream s(&c);
  s.CreateIfAbsent();
  StreamGroups groups(&c);
  StreamGroup a{7, StreamId{5, 1}, kInvalidEntriesRead, 2, 2};
  StreamGroup b{8, StreamId{1, 0}, 3, 1, 1};
  groups.PutGroup("a", a);
  groups.PutGroup("b", b);
  groups.PutConsumer(7, "c1", StreamConsumer{100, 1});
  groups.PutConsumer(7, "c2", StreamConsumer{200, 1});
  groups.PutConsumer(8, "c1", StreamConsumer{300, 1});
  groups.PutPending(7, StreamId{1, 0}, PendingEntry{10, 1, "c1"});
  groups.PutPending(7, StreamId{2, 0}, PendingEntry{20, 3, "c2"});
  groups.PutPending(8, StreamId{1, 0}, PendingEntry{30, 1, "c1"});
  StreamGroup got;
  bool found;
  ASSERT_TRUE(groups.GetGroup("a", &got, &found).ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(got.gid, 7u);
  EXPECT_EQ(got.last, (StreamId{5, 1}));
  EXPECT_EQ(got.entries_read, kInvalidEntriesRead);
  ASSERT_TRUE(groups.GetGroup("b", &got, &found).ok());
  EXPECT_EQ(got.entries_read, 3);
  ASSERT_TRUE(groups.GetGroup("zz", &got, &found).ok());
  EXPECT_FALSE(found);
  PendingEntry p;
  ASSERT_TRUE(groups.GetPending(7, StreamId{2, 0}, &p, &found).ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(p.consumer, "c2");
  EXPECT_EQ(p.deliveries, 3u);
  EXPECT_EQ(Count(&groups, StreamGroups::ConsumerPendingPrefix(7, "c1")), 1u);

  ASSERT_TRUE(groups.DeleteConsumer(7, "c1").ok());
  ASSERT_TRUE(groups.GetPending(7, StreamId{1, 0}, &p, &found).ok());
  EXPECT_FALSE(found);
  EXPECT_EQ(Count(&groups, StreamGroups::ConsumerPendingPrefix(7, "c1")), 0u);
  EXPECT_EQ(Count(&groups, StreamGroups::PendingPrefix(7)), 1u);
  // Group b's consumer of the same name keeps its entry.
  ASSERT_TRUE(groups.GetPending(8, StreamId{1, 0}, &p, &found).ok());
  EXPECT_TRUE(found);

  ASSERT_TRUE(groups.DeleteGroup("a", a).ok());
  ASSERT_TRUE(groups.GetGroup("a", &got, &found).ok());
  EXPECT_FALSE(found);
  EXPECT_EQ(Count(&groups, StreamGroups::ConsumersPrefix(7)), 0u);
  EXPECT_EQ(Count(&groups, StreamGroups::PendingPrefix(7)), 0u);
  EXPECT_EQ(Count(&groups, std::string(1, '\x04')), 1u);  // b's index entry
  EXPECT_EQ(Count(&groups, StreamGroups::GroupsPrefix()), 1u);

  // Corrupt values are refused.
  EXPECT_FALSE(StreamGroups::DecodeGroup("short", &got));
  StreamConsumer con;
  EXPECT_FALSE(StreamGroups::DecodeConsumer("", &con));
  EXPECT_FALSE(StreamGroups::DecodePending("x", &p));
}

TEST(StreamEntriesReadTest, EstimatesAsRedis) {
  StreamState st;
  EXPECT_EQ(EstimateEntriesRead(st, 0, StreamId{1, 0}), 0);  // never used
  st.entries_added = 5;
  st.last = StreamId{9, 0};
  st.first = StreamId{5, 0};
  EXPECT_EQ(EstimateEntriesRead(st, 3, StreamId{9, 0}), 5);  // the last
  EXPECT_EQ(EstimateEntriesRead(st, 3, StreamId{10, 0}),     // the future
            kInvalidEntriesRead);
  EXPECT_EQ(EstimateEntriesRead(st, 3, StreamId{5, 0}), 3);  // the first
  EXPECT_EQ(EstimateEntriesRead(st, 3, StreamId{1, 0}), 2);  // before it
  EXPECT_EQ(EstimateEntriesRead(st, 3, StreamId{6, 0}),      // inside
            kInvalidEntriesRead);
  EXPECT_EQ(EstimateEntriesRead(st, 0, StreamId{3, 0}), 5);  // empty
  st.max_deleted = StreamId{6, 0};                           // a tombstone
  EXPECT_EQ(EstimateEntriesRead(st, 3, StreamId{1, 0}), kInvalidEntriesRead);
  EXPECT_TRUE(TombstonesFrom(st, 3, StreamId{6, 0}));
  EXPECT_FALSE(TombstonesFrom(st, 3, StreamId{6, 1}));
  st.max_deleted = StreamId{4, 0};  // before the first entry: none ahead
  EXPECT_FALSE(TombstonesFrom(st, 3, StreamId{1, 0}));
  EXPECT_FALSE(TombstonesFrom(st, 0, StreamId{1, 0}));
}

}  // namespace
}  // namespace shale::server
