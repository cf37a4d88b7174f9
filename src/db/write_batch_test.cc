#include "shale/write_batch.h"

#include <gtest/gtest.h>

#include <string>

#include "db/dbformat.h"
#include "db/stored_value.h"
#include "db/write_batch_internal.h"
#include "testing/test_util.h"
#include "util/coding.h"
#include "util/random.h"

namespace shale {
namespace {

// Renders every update, e.g. "Put(k, v)", "Put(k, v, @42)", "Delete(k)".
class Printer final : public WriteBatch::Handler {
 public:
  void Put(std::string_view key, std::string_view value,
           uint64_t expire_at_ms) override {
    out += "Put(" + std::string(key) + ", " + std::string(value);
    if (expire_at_ms != 0) out += ", @" + std::to_string(expire_at_ms);
    out += ")";
  }
  void Delete(std::string_view key) override {
    out += "Delete(" + std::string(key) + ")";
  }
  std::string out;
};

std::string PrintBatch(const WriteBatch& batch) {
  Printer printer;
  Status s = batch.Iterate(&printer);
  if (!s.ok()) return s.ToString();
  return printer.out;
}

TEST(WriteBatchTest, Empty) {
  WriteBatch batch;
  EXPECT_EQ(0u, batch.Count());
  EXPECT_EQ(WriteBatchInternal::kHeaderSize,
            WriteBatchInternal::ByteSize(&batch));
  EXPECT_EQ("", PrintBatch(batch));
}

TEST(WriteBatchTest, PutDeleteAndExpiry) {
  WriteBatch batch;
  batch.Put("foo", "bar");
  batch.Delete("box");
  batch.Put("baz", "boo", 0);  // expiry 0 means never: a plain value
  batch.Put("ttl", "v", 1234567890123ull);
  batch.Put("", "");
  WriteBatchInternal::SetSequence(&batch, 100);
  EXPECT_EQ(5u, batch.Count());
  EXPECT_EQ(100u, WriteBatchInternal::Sequence(&batch));
  EXPECT_EQ(
      "Put(foo, bar)Delete(box)Put(baz, boo)Put(ttl, v, @1234567890123)"
      "Put(, )",
      PrintBatch(batch));
}

TEST(WriteBatchTest, EncodingIsTheDocumentedOne) {
  WriteBatch batch;
  batch.Put("k", "v");
  batch.Delete("d");
  batch.Put("e", "x", 7);
  WriteBatchInternal::SetSequence(&batch, 0x0102030405060708ull);
  std::string want;
  PutFixed64(&want, 0x0102030405060708ull);
  PutFixed32(&want, 3);
  want += std::string("\x01\x01k\x01v", 5);
  want += std::string(
      "\x00\x01"
      "d",
      3);
  want += std::string(
      "\x02\x01"
      "e\x09",
      4);  // stored value: 8 + 1 bytes
  PutFixed64(&want, 7);
  want += "x";
  EXPECT_EQ(want, WriteBatchInternal::Contents(&batch));
}

TEST(WriteBatchTest, StoredValuesMatchTheMemtableLayout) {
  WriteBatch batch;
  batch.Put("a", "plain");
  batch.Put("b", "expiring", 99);
  batch.Delete("c");
  struct Collector final : WriteBatchInternal::RecordHandler {
    void Record(ValueType type, std::string_view key,
                std::string_view stored) override {
      out += std::to_string(type) + ":" + std::string(key) + "=" +
             std::to_string(stored.size()) + ";";
      if (type == kTypeValueWithExpiry) {
        StoredValue parsed;
        EXPECT_TRUE(parsed.Parse(type, stored));
        EXPECT_EQ(99u, parsed.expire_at_ms);
        EXPECT_EQ("expiring", parsed.payload);
      }
    }
    std::string out;
  } collector;
  ASSERT_TRUE(WriteBatchInternal::IterateRecords(&batch, &collector).ok());
  EXPECT_EQ("1:a=5;2:b=16;0:c=0;", collector.out);
}

TEST(WriteBatchTest, Append) {
  WriteBatch a, b;
  WriteBatchInternal::SetSequence(&a, 200);
  WriteBatchInternal::SetSequence(&b, 300);
  WriteBatchInternal::Append(&a, &b);
  EXPECT_EQ("", PrintBatch(a));
  b.Put("a", "va");
  WriteBatchInternal::Append(&a, &b);
  EXPECT_EQ("Put(a, va)", PrintBatch(a));
  b.Clear();
  b.Put("b", "vb", 5);
  b.Delete("c");
  WriteBatchInternal::Append(&a, &b);
  EXPECT_EQ("Put(a, va)Put(b, vb, @5)Delete(c)", PrintBatch(a));
  EXPECT_EQ(3u, a.Count());
  EXPECT_EQ(200u, WriteBatchInternal::Sequence(&a));
}

TEST(WriteBatchTest, SetContentsRoundTrip) {
  WriteBatch batch;
  batch.Put("k1", "v1");
  batch.Delete("k2");
  batch.Put("k3", "v3", 42);
  WriteBatchInternal::SetSequence(&batch, 7);
  const std::string encoded(WriteBatchInternal::Contents(&batch));

  WriteBatch copy;
  ASSERT_TRUE(WriteBatchInternal::SetContents(&copy, encoded).ok());
  EXPECT_EQ(7u, WriteBatchInternal::Sequence(&copy));
  EXPECT_EQ(3u, copy.Count());
  EXPECT_EQ(PrintBatch(batch), PrintBatch(copy));

  EXPECT_TRUE(WriteBatchInternal::SetContents(&copy, encoded.substr(0, 11))
                  .IsCorruption());
}

// Counts the records a handler saw, to check a damaged batch shows none.
class Counter final : public WriteBatch::Handler {
 public:
  void Put(std::string_view, std::string_view, uint64_t) override { n++; }
  void Delete(std::string_view) override { n++; }
  int n = 0;
};

Status IterateContents(std::string_view contents, int* seen) {
  WriteBatch batch;
  Status s = WriteBatchInternal::SetContents(&batch, contents);
  if (!s.ok()) return s;
  Counter counter;
  s = batch.Iterate(&counter);
  *seen = counter.n;
  return s;
}

TEST(WriteBatchTest, EveryTruncationIsCorruption) {
  WriteBatch batch;
  batch.Put("key1", "value1");
  batch.Delete("key2");
  batch.Put("key3", "value3", 1000);
  const std::string encoded(WriteBatchInternal::Contents(&batch));
  for (size_t len = 0; len < encoded.size(); len++) {
    SCOPED_TRACE(len);
    int seen = -1;
    Status s = IterateContents(encoded.substr(0, len), &seen);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_TRUE(seen <= 0);  // nothing applied from a damaged batch
  }
}

TEST(WriteBatchTest, CountMismatchIsCorruption) {
  WriteBatch batch;
  batch.Put("a", "b");
  batch.Delete("c");
  for (uint32_t count : {0u, 1u, 3u, 0xffffffffu}) {
    WriteBatchInternal::SetCount(&batch, count);
    int seen = -1;
    Status s = IterateContents(WriteBatchInternal::Contents(&batch), &seen);
    EXPECT_TRUE(s.IsCorruption()) << count;
    EXPECT_EQ(0, seen);
  }
}

TEST(WriteBatchTest, UnknownTypeIsCorruption) {
  WriteBatch batch;
  batch.Put("a", "b");
  std::string encoded(WriteBatchInternal::Contents(&batch));
  encoded[WriteBatchInternal::kHeaderSize] = 7;
  int seen = -1;
  EXPECT_TRUE(IterateContents(encoded, &seen).IsCorruption());
}

TEST(WriteBatchTest, ShortExpiringValueIsCorruption) {
  std::string encoded;
  PutFixed64(&encoded, 1);
  PutFixed32(&encoded, 1);
  encoded.push_back(static_cast<char>(kTypeValueWithExpiry));
  PutLengthPrefixed(&encoded, "k");
  PutLengthPrefixed(&encoded, "1234567");  // 7 bytes: no room for the expiry
  int seen = -1;
  EXPECT_TRUE(IterateContents(encoded, &seen).IsCorruption());
}

TEST(WriteBatchTest, RandomBatchesRoundTrip) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Random rnd(seed);
  for (int iter = 0; iter < 200; iter++) {
    WriteBatch batch;
    std::string want;
    const int n = static_cast<int>(rnd.Uniform(50));
    for (int i = 0; i < n; i++) {
      std::string key = test::RandomPrintable(&rnd, rnd.Skewed(8));
      switch (rnd.Uniform(3)) {
        case 0:
          batch.Delete(key);
          want += "Delete(" + key + ")";
          break;
        case 1: {
          std::string value = test::RandomPrintable(&rnd, rnd.Skewed(10));
          batch.Put(key, value);
          want += "Put(" + key + ", " + value + ")";
          break;
        }
        default: {
          std::string value = test::RandomPrintable(&rnd, rnd.Skewed(10));
          const uint64_t expire = 1 + rnd.Next64() % (uint64_t{1} << 50);
          batch.Put(key, value, expire);
          want += "Put(" + key + ", " + value + ", @" + std::to_string(expire) +
                  ")";
          break;
        }
      }
    }
    ASSERT_EQ(static_cast<uint32_t>(n), batch.Count());
    ASSERT_EQ(want, PrintBatch(batch));
  }
}

}  // namespace
}  // namespace shale
