#include "db/memtable.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "db/stored_value.h"
#include "testing/test_util.h"
#include "util/random.h"

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
  StoredValue parsed;
  ASSERT_TRUE(parsed.Parse(type, stored));
  EXPECT_EQ(parsed.expire_at_ms, 123456789u);
  EXPECT_EQ(parsed.payload, "v");
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

// Values from kOutOfLineValueBytes up live in the value arena; the entry
// points at them. Sizes on both sides of the line, with and without the
// expiry prefix (which counts toward it), read back through Get (index and
// skiplist) and the iterator, and the memory they take is counted.
TEST_F(MemTableTest, LargeValuesLiveOutOfLine) {
  const size_t line = MemTable::kOutOfLineValueBytes;
  const std::vector<size_t> sizes = {
      0,    1,        line - 9, line - 8, line - 1,
      line, line + 1, 4096,     70000,    (1 << 20) + 3};
  std::vector<std::string> values;
  SequenceNumber seq = 0;
  for (size_t i = 0; i < sizes.size(); i++) {
    std::string v(sizes[i], static_cast<char>('a' + i));
    if (!v.empty()) v.back() = 'Z';  // catches a value read one byte short
    values.push_back(v);
    std::string key = "k" + std::to_string(i);
    mem_.Add(++seq, kTypeValue, key, v);
    mem_.Add(++seq, kTypeValueWithExpiry, "x" + key, v, 1000 + i);
  }
  size_t total = 0;
  for (size_t s : sizes) total += 2 * s;
  EXPECT_GE(mem_.ApproximateMemoryUsage(), total);

  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) mem_.TEST_DisableKeyIndex();
    for (size_t i = 0; i < sizes.size(); i++) {
      std::string key = "k" + std::to_string(i);
      SCOPED_TRACE(testing::Message()
                   << "size " << sizes[i] << " pass " << pass);
      EXPECT_EQ(Get(key, seq), values[i]);
      std::string stored = Get("x" + key, seq);
      StoredValue parsed;
      ASSERT_TRUE(parsed.Parse(kTypeValueWithExpiry, stored));
      EXPECT_EQ(parsed.expire_at_ms, 1000 + i);
      EXPECT_EQ(parsed.payload, values[i]);
    }
  }
  auto iter = mem_.NewIterator();
  size_t seen = 0;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next(), seen++) {
    std::string key(ExtractUserKey(iter->key()));
    if (key[0] != 'k') continue;
    EXPECT_EQ(iter->value(), values[std::stoul(key.substr(1))]) << key;
  }
  EXPECT_EQ(seen, 2 * sizes.size());
}

// Enough keys to fill several of the key index's segments: every key is
// found at every sequence it may be read at, absent keys are not.
TEST_F(MemTableTest, ManyKeysAcrossIndexSegments) {
  constexpr int kKeys = 60000;  // segments of 6144 keys, 12288, 24576, ...
  for (int i = 0; i < kKeys; i++) {
    mem_.Add(i + 1, kTypeValue, "key" + std::to_string(i),
             "v" + std::to_string(i));
  }
  for (int i = 0; i < kKeys; i++) {
    std::string k = "key" + std::to_string(i);
    ASSERT_EQ(Get(k, kKeys), "v" + std::to_string(i)) << k;
    ASSERT_EQ(Get(k, i), "NOT_PRESENT") << k;  // written after sequence i
    ASSERT_EQ(Get("nokey" + std::to_string(i), kKeys), "NOT_PRESENT");
  }
}

// Versions of one key spread over several segments (rewritten after the
// segment holding the older one filled) and within one (rewritten soon):
// a read at each sequence sees the version current then, whether the index
// answers or the skiplist does.
class MemTableVersionsTest : public MemTableTest,
                             public testing::WithParamInterface<bool> {};

TEST_P(MemTableVersionsTest, ReadsAtEverySequenceSeeTheVersionThen) {
  if (GetParam()) mem_.TEST_DisableKeyIndex();
  constexpr int kKeys = 20000;
  constexpr int kRounds = 3;
  SequenceNumber seq = 0;
  for (int r = 0; r < kRounds; r++) {
    for (int i = 0; i < kKeys; i++) {
      std::string k = "key" + std::to_string(i);
      // Odd keys are deleted in the middle round.
      if (r == 1 && i % 2 == 1) {
        mem_.Add(++seq, kTypeDeletion, k, "");
      } else {
        mem_.Add(++seq, kTypeValue, k, "v" + std::to_string(r));
      }
      if (i % 1000 == 0) {  // a second version at once: same segment
        mem_.Add(++seq, kTypeValue, k, "w" + std::to_string(r));
      }
    }
  }
  for (int i = 0; i < kKeys; i += 7) {
    std::string k = "key" + std::to_string(i);
    // Sequences of the first and last write of key i in round r.
    auto first = [&](int r) {
      return SequenceNumber(r) * (kKeys + kKeys / 1000) + i + (i + 999) / 1000 +
             1;
    };
    EXPECT_EQ(Get(k, 0), "NOT_PRESENT") << k;
    for (int r = 0; r < kRounds; r++) {
      const std::string v =
          r == 1 && i % 2 == 1 ? "DELETED" : "v" + std::to_string(r);
      ASSERT_EQ(Get(k, first(r)), v) << k << " round " << r;
      const std::string last = i % 1000 == 0 ? "w" + std::to_string(r) : v;
      ASSERT_EQ(Get(k, first(r) + (i % 1000 == 0 ? 1 : 0)), last) << k;
      if (r + 1 < kRounds) {
        ASSERT_EQ(Get(k, first(r + 1) - 1), last) << k;
      }
    }
    EXPECT_EQ(Get(k, seq), i % 1000 == 0 ? "w2" : "v2") << k;
    EXPECT_EQ(Get("no" + k, seq), "NOT_PRESENT");
  }
}

INSTANTIATE_TEST_SUITE_P(IndexOrSkiplist, MemTableVersionsTest,
                         testing::Bool());

// Readers run Gets while the single writer adds: a key added (and
// published, as the DB publishes its sequence) before a Get began is
// always found, through the key index (and the skiplist for versions
// newer than the reader's sequence).
TEST_F(MemTableTest, ConcurrentGetsFindEveryPublishedKey) {
  constexpr uint64_t kKeys = 30000;
  std::atomic<uint64_t> published{0};
  std::atomic<bool> failed{false};
  auto reader = [&](uint64_t seed) {
    uint64_t x = seed;
    while (published.load(std::memory_order_acquire) < kKeys && !failed) {
      uint64_t n = published.load(std::memory_order_acquire);
      if (n == 0) continue;
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      uint64_t i = (x >> 33) % n;
      // Newest first: the last keys are the ones a race would miss.
      if ((x & 1) != 0) i = n - 1;
      LookupKey lkey("k" + std::to_string(i), n);
      ValueType type;
      std::string_view value;
      if (!mem_.Get(lkey, &type, &value) || value != "v" + std::to_string(i)) {
        failed = true;
      }
    }
  };
  std::thread r1(reader, 1), r2(reader, 2);
  for (uint64_t i = 0; i < kKeys; i++) {
    mem_.Add(i + 1, kTypeValue, "k" + std::to_string(i),
             "v" + std::to_string(i));
    published.store(i + 1, std::memory_order_release);
  }
  r1.join();
  r2.join();
  EXPECT_FALSE(failed.load());
}

// Entries added in staged groups (Stage, AddStaged), with several versions
// of a key in one group, deletions and expiring values, end up as Add puts
// them one by one: the same entries in the same order, and the same answer
// to a Get at every sequence.
TEST(MemTableStagedTest, StagedGroupsMatchOneByOne) {
  uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  InternalKeyComparator icmp(BytewiseComparator());
  MemTable one(icmp), staged(icmp);
  SequenceNumber seq = 0;
  while (seq < 20000) {
    const int n = 1 + static_cast<int>(rnd.Uniform(40));
    for (int i = 0; i < n; i++) {
      ++seq;
      const std::string key = "k" + std::to_string(rnd.Uniform(3000));
      const std::string value = "v" + std::to_string(seq);
      const int kind = static_cast<int>(rnd.Uniform(10));
      const ValueType type = kind == 0   ? kTypeDeletion
                             : kind == 1 ? kTypeValueWithExpiry
                                         : kTypeValue;
      one.Add(seq, type, key, type == kTypeDeletion ? "" : value, seq);
      staged.Stage(seq, type, key, type == kTypeDeletion ? "" : value, seq);
    }
    staged.AddStaged();
  }
  EXPECT_EQ(staged.num_entries(), one.num_entries());
  EXPECT_EQ(staged.num_deletes(), one.num_deletes());
  auto a = one.NewIterator();
  auto b = staged.NewIterator();
  for (a->SeekToFirst(), b->SeekToFirst(); a->Valid(); a->Next(), b->Next()) {
    ASSERT_TRUE(b->Valid());
    ASSERT_EQ(a->key(), b->key());
    ASSERT_EQ(a->value(), b->value());
  }
  EXPECT_FALSE(b->Valid());
  auto get = [](const MemTable& m, const std::string& k, SequenceNumber s) {
    LookupKey lkey(k, s);
    ValueType type;
    std::string_view value;
    if (!m.Get(lkey, &type, &value)) return std::string("NOT_PRESENT");
    return std::to_string(type) + ":" + std::string(value);
  };
  for (int i = 0; i < 20000; i++) {
    const std::string k = "k" + std::to_string(rnd.Uniform(3100));
    const SequenceNumber s = i % 2 == 0 ? seq : rnd.Uniform(seq + 1);
    ASSERT_EQ(get(staged, k, s), get(one, k, s)) << k << " at " << s;
  }
}

}  // namespace shale
