#include "db/memtable.h"

#include <gtest/gtest.h>

namespace shale {

class MemTableTest : public testing::Test {
 protected:
  InternalKeyComparator icmp_{BytewiseComparator()};
  MemTable mem_{icmp_};

  // Returns "NOT_PRESENT", "DELETED", or the stored value.
  std::string Get(std::string_view key, SequenceNumber seq) {
    LookupKey lkey(key, seq);
    ValueType type;
    std::string_view value;
    if (!mem_.Get(lkey, &type, &value)) return "NOT_PRESENT";
    if (type == kTypeDeletion) return "DELETED";
    return std::string(value);
  }
};

TEST_F(MemTableTest, GetSeesNewestVersionAtSequence) {
  mem_.Add(1, kTypeValue, "a", "a1");
  mem_.Add(2, kTypeValue, "b", "b2");
  mem_.Add(3, kTypeValue, "a", "a3");
  mem_.Add(4, kTypeDeletion, "a", "");
  EXPECT_EQ(Get("a", 0), "NOT_PRESENT");
  EXPECT_EQ(Get("a", 1), "a1");
  EXPECT_EQ(Get("a", 2), "a1");
  EXPECT_EQ(Get("a", 3), "a3");
  EXPECT_EQ(Get("a", 4), "DELETED");
  EXPECT_EQ(Get("a", 100), "DELETED");
  EXPECT_EQ(Get("b", 1), "NOT_PRESENT");
  EXPECT_EQ(Get("b", 2), "b2");
  EXPECT_EQ(Get("c", 100), "NOT_PRESENT");
  // A key that is a prefix of another is distinct.
  EXPECT_EQ(Get("", 100), "NOT_PRESENT");
  EXPECT_EQ(mem_.num_entries(), 4u);
  EXPECT_EQ(mem_.num_deletes(), 1u);
}

TEST_F(MemTableTest, ExpiringValueStoresExpiryPrefix) {
  mem_.Add(7, kTypeValueWithExpiry, "k", "v", 123456789);
  LookupKey lkey("k", 10);
  ValueType type;
  std::string_view stored;
  ASSERT_TRUE(mem_.Get(lkey, &type, &stored));
  EXPECT_EQ(type, kTypeValueWithExpiry);
  uint64_t expire;
  std::string_view user_value;
  ASSERT_TRUE(SplitExpiringValue(stored, &expire, &user_value));
  EXPECT_EQ(expire, 123456789u);
  EXPECT_EQ(user_value, "v");
}

TEST_F(MemTableTest, IteratorOrdersByUserKeyThenNewestFirst) {
  mem_.Add(1, kTypeValue, "b", "b1");
  mem_.Add(2, kTypeValue, "a", "a2");
  mem_.Add(3, kTypeValue, "b", "b3");
  auto iter = mem_.NewIterator();
  std::vector<std::pair<std::string, SequenceNumber>> seen;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    seen.emplace_back(std::string(ExtractUserKey(iter->key())),
                      ExtractTag(iter->key()) >> 8);
  }
  std::vector<std::pair<std::string, SequenceNumber>> want = {
      {"a", 2}, {"b", 3}, {"b", 1}};
  EXPECT_EQ(seen, want);
  std::string target;
  AppendInternalKey(&target, "b", 2, kValueTypeForSeek);
  iter->Seek(target);
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->value(), "b1");
  iter->Prev();
  ASSERT_TRUE(iter->Valid());
  EXPECT_EQ(iter->value(), "b3");
  EXPECT_GT(mem_.ApproximateMemoryUsage(), 0u);
}

}  // namespace shale
