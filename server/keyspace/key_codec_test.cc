#include "server/keyspace/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "server/keyspace/kind_partitioner.h"
#include "server/keyspace/meta_codec.h"

namespace shale::server {
namespace {

using namespace std::string_literals;

TEST(KeyCodecTest, MetaKeysSortAsClientKeysWithinANamespace) {
  std::vector<std::string> keys = {"",  "a",    "a\0"s,    "ab",
                                   "b", "\xff", "\xff\xff"};
  std::vector<std::string> enc;
  for (const auto& k : keys) {
    std::string e;
    AppendMetaKey(&e, 7, k);
    enc.push_back(e);
    uint32_t ns;
    std::string_view got;
    ASSERT_TRUE(ParseMetaKey(e, &ns, &got));
    EXPECT_EQ(ns, 7u);
    EXPECT_EQ(got, k);
  }
  EXPECT_TRUE(std::is_sorted(enc.begin(), enc.end()));
  // Every key of ns sorts below the bound and above the prefix.
  EXPECT_LT(enc.back(), MetaUpperBound(7));
  EXPECT_LE(MetaPrefix(7), enc.front());
  EXPECT_LT(MetaUpperBound(6), enc.front() + "x");
  EXPECT_EQ(MetaUpperBound(6), MetaPrefix(7));
  EXPECT_EQ(MetaUpperBound(UINT32_MAX), std::string(1, '\x03'));
}

TEST(KeyCodecTest, ParsersRejectOtherKindsAndShortKeys) {
  uint32_t ns;
  std::string_view key;
  uint64_t when;
  EXPECT_FALSE(ParseMetaKey("", &ns, &key));
  EXPECT_FALSE(ParseMetaKey("\x02\x00\x00"s, &ns, &key));
  EXPECT_FALSE(ParseMetaKey("\x03\x00\x00\x00\x00"s, &ns, &key));
  EXPECT_FALSE(ParseExpiryKey("\x10\x00"s, &when, &ns, &key));
  CollectionKey ck;
  EXPECT_FALSE(ParseCollectionKey("\x02\x00\x00\x00\x00"s, &ck));
  // keylen larger than what follows.
  std::string bad = "\x03\x00\x00\x00\x01\x00\x00\x00\x09k"s;
  EXPECT_FALSE(ParseCollectionKey(bad, &ck));
  EXPECT_FALSE(ParseCollectionKey(std::string(1, '\x11') + bad, &ck));
}

TEST(KeyCodecTest, CollectionKeysRoundTripAndGroupByVersion) {
  std::string a, b;
  AppendCollectionPrefix(&a, KeyKind::kElement, 3, "key", 5);
  a += "field";
  AppendCollectionPrefix(&b, KeyKind::kZSetScore, 3, "ke", 9);
  b += "y";
  CollectionKey ck;
  ASSERT_TRUE(ParseCollectionKey(a, &ck));
  EXPECT_EQ(ck.kind, KeyKind::kElement);
  EXPECT_EQ(ck.ns, 3u);
  EXPECT_EQ(ck.key, "key");
  EXPECT_EQ(ck.version, 5u);
  EXPECT_EQ(ck.sub, "field");
  ASSERT_TRUE(ParseCollectionKey(b, &ck));
  EXPECT_EQ(ck.key, "ke");  // the length prefix keeps "ke"+"y" apart
  EXPECT_EQ(ck.sub, "y");
  EXPECT_EQ(ck.version, 9u);
}

TEST(KeyCodecTest, ExpiryKeysSortByTime) {
  std::string a, b;
  AppendExpiryKey(&a, 1000, 9, "zzz");
  AppendExpiryKey(&b, 1001, 0, "a");
  EXPECT_LT(a, b);
  uint64_t when;
  uint32_t ns;
  std::string_view key;
  ASSERT_TRUE(ParseExpiryKey(a, &when, &ns, &key));
  EXPECT_EQ(when, 1000u);
  EXPECT_EQ(ns, 9u);
  EXPECT_EQ(key, "zzz");
}

TEST(KeyCodecTest, OrderedScoresSortNumerically) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> scores = {-inf,   -1e300, -2.5, -1,    -1e-300, 0,
                                1e-300, 1,      2.5,  1e300, inf};
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> d(-1e6, 1e6);
  for (int i = 0; i < 1000; i++) scores.push_back(d(rng));
  std::sort(scores.begin(), scores.end());
  std::vector<std::string> enc;
  for (double s : scores) {
    std::string e;
    AppendOrderedScore(&e, s);
    ASSERT_EQ(e.size(), 8u);
    EXPECT_EQ(DecodeOrderedScore(e.data()), s);
    enc.push_back(e);
  }
  EXPECT_TRUE(std::is_sorted(enc.begin(), enc.end()));
  std::string neg_zero, zero;
  AppendOrderedScore(&neg_zero, -0.0);
  AppendOrderedScore(&zero, 0.0);
  EXPECT_EQ(neg_zero, zero);
}

TEST(MetaCodecTest, StringsRoundTrip) {
  for (ValueMeta m :
       {ValueMeta{.cas = 1},
        ValueMeta{.cas = ~0ull, .flags = 0xFFFFFFFFu, .expire_at_ms = 1},
        ValueMeta{
            .cas = 1234567, .flags = 42, .expire_at_ms = 1795286315897}}) {
    for (std::string payload : {""s, "v"s, "\x20\x10\0x"s}) {
      std::string stored;
      EncodeStringMeta(m, payload, &stored);
      ValueMeta got;
      std::string_view p;
      ASSERT_TRUE(DecodeMeta(stored, &got, &p));
      EXPECT_EQ(got.type, KeyType::kString);
      EXPECT_EQ(got.cas, m.cas);
      EXPECT_EQ(got.flags, m.flags);
      EXPECT_EQ(got.expire_at_ms, m.expire_at_ms);
      EXPECT_EQ(p, payload);
    }
  }
  // A plain SET: tag + 8-byte CAS varint + payload.
  std::string stored;
  EncodeStringMeta(ValueMeta{.cas = 1795286315897001ull}, "abc", &stored);
  EXPECT_EQ(stored.size(), 1 + 8 + 3u);
}

TEST(MetaCodecTest, CollectionsRoundTrip) {
  for (KeyType t :
       {KeyType::kHash, KeyType::kSet, KeyType::kZSet, KeyType::kList}) {
    ValueMeta m{.type = t,
                .expire_at_ms = 99,
                .version = 77,
                .count = 5,
                .list_head = t == KeyType::kList ? (1ull << 63) - 3 : 0};
    std::string stored;
    EncodeCollectionMeta(m, &stored);
    ValueMeta got;
    std::string_view p;
    ASSERT_TRUE(DecodeMeta(stored, &got, &p)) << TypeName(t);
    EXPECT_EQ(got.type, t);
    EXPECT_EQ(got.expire_at_ms, 99u);
    EXPECT_EQ(got.version, 77u);
    EXPECT_EQ(got.count, 5u);
    EXPECT_EQ(got.list_head, m.list_head);
    EXPECT_FALSE(got.big);
    EXPECT_TRUE(p.empty());
    // The big-encoding bit (0x40 of the tag) round-trips and costs nothing.
    m.big = true;
    std::string big;
    EncodeCollectionMeta(m, &big);
    ASSERT_EQ(big.size(), stored.size());
    EXPECT_EQ(static_cast<uint8_t>(big[0]),
              static_cast<uint8_t>(stored[0]) | 0x40);
    ASSERT_TRUE(DecodeMeta(big, &got, &p)) << TypeName(t);
    EXPECT_TRUE(got.big);
    EXPECT_EQ(got.count, 5u);
  }
}

// A sorted set's score bounds: present when known, absent (0, 0) when not;
// a low bound of 0 or above the high one is corrupt.
TEST(MetaCodecTest, ZSetBoundsRoundTrip) {
  ValueMeta m{.type = KeyType::kZSet, .version = 7, .count = 2};
  std::string plain;
  EncodeCollectionMeta(m, &plain);
  m.zset_low = 0x3FF0000000000000ull;
  m.zset_high = 0xC000000000000000ull;
  std::string stored;
  EncodeCollectionMeta(m, &stored);
  EXPECT_EQ(stored.size(), plain.size() + 16);
  ValueMeta got;
  std::string_view p;
  ASSERT_TRUE(DecodeMeta(stored, &got, &p));
  EXPECT_EQ(got.zset_low, m.zset_low);
  EXPECT_EQ(got.zset_high, m.zset_high);
  EXPECT_EQ(got.count, 2u);
  ASSERT_TRUE(DecodeMeta(plain, &got, &p));
  EXPECT_EQ(got.zset_low, 0u);
  EXPECT_EQ(got.zset_high, 0u);
  EXPECT_FALSE(DecodeMeta(plain + std::string(8, 'x'), &got, &p));
  EXPECT_FALSE(DecodeMeta(plain + std::string(16, '\0'), &got, &p));
  std::string inverted = plain;
  inverted.append("\xC0\0\0\0\0\0\0\0\x3F\xF0\0\0\0\0\0\0", 16);
  EXPECT_FALSE(DecodeMeta(inverted, &got, &p));
}

// The members that go with the bounds: written after them when known (a
// high member as its length + 1, 0 for none); lengths past the cap or the
// value, or a low entry above the high one at one score, are corrupt.
TEST(MetaCodecTest, ZSetBoundMembersRoundTrip) {
  ValueMeta m{.type = KeyType::kZSet, .version = 7, .count = 2};
  m.zset_low = m.zset_high = 0x3FF0000000000000ull;
  std::string bounds;
  EncodeCollectionMeta(m, &bounds);
  m.zset_low_member = "a";
  m.zset_high_has_member = true;
  m.zset_high_member = "";  // "" is a member too
  std::string stored;
  EncodeCollectionMeta(m, &stored);
  EXPECT_EQ(stored, bounds + "\x01"s + "a" + "\x01"s);
  ValueMeta got;
  std::string_view p;
  ASSERT_TRUE(DecodeMeta(bounds, &got, &p));
  EXPECT_EQ(got.zset_low_member, "");
  EXPECT_FALSE(got.zset_high_has_member);
  // "a" above "" at one score.
  EXPECT_FALSE(DecodeMeta(stored, &got, &p));
  m.zset_high = 0x4000000000000000ull;
  stored.clear();
  EncodeCollectionMeta(m, &stored);
  ASSERT_TRUE(DecodeMeta(stored, &got, &p));
  EXPECT_EQ(got.zset_low_member, "a");
  EXPECT_TRUE(got.zset_high_has_member);
  EXPECT_EQ(got.zset_high_member, "");
  m.zset_high_has_member = false;
  m.zset_low_member = std::string(kZSetBoundMemberMax, 'z');
  stored.clear();
  EncodeCollectionMeta(m, &stored);
  ASSERT_TRUE(DecodeMeta(stored, &got, &p));
  EXPECT_EQ(got.zset_low_member, m.zset_low_member);
  EXPECT_FALSE(got.zset_high_has_member);
  // Truncated, too long, or past the cap.
  EXPECT_FALSE(DecodeMeta(stored.substr(0, stored.size() - 1), &got, &p));
  EXPECT_FALSE(DecodeMeta(stored + "x", &got, &p));
  std::string over = bounds;
  over.push_back(static_cast<char>(kZSetBoundMemberMax + 1));
  over.append(kZSetBoundMemberMax + 1, 'z');
  over.push_back('\0');
  EXPECT_FALSE(DecodeMeta(over, &got, &p));
}

TEST(MetaCodecTest, CorruptValuesAreRejected) {
  ValueMeta m;
  std::string_view p;
  for (std::string bad :
       {""s, "\x06"s, "\x40\x01"s, "\x00"s, "\x00\x00"s, "\x00\x80"s,
        "\x21\x01\x01\x01\x01"s, "\x01\x05"s, "\x01\x05\x01\x00"s,
        "\x04\x01\x01\x00"s, "\x81\x01\x01"s, "\x60\x01"s}) {
    EXPECT_FALSE(DecodeMeta(bad, &m, &p)) << testing::PrintToString(bad);
  }
}

TEST(MetaCodecTest, EngineExpiryIsLaterAndSaturates) {
  EXPECT_EQ(EngineExpiry(0), 0u);
  EXPECT_EQ(EngineExpiry(1000), 1000 + kEngineExpiryGraceMs);
  EXPECT_EQ(EngineExpiry(UINT64_MAX - 5), UINT64_MAX);
}

// Table files end where the kind changes, and only there: a collection's
// metadata and its elements never share a file, two collections' elements
// may.
TEST(KindPartitionerTest, CutsBetweenKindsOnly) {
  KindPartitioner p;
  std::string meta_a, meta_b, elem_a, elem_b, score_a, expiry;
  AppendMetaKey(&meta_a, 1, "a");
  AppendMetaKey(&meta_b, 1, "b");
  AppendCollectionPrefix(&elem_a, KeyKind::kElement, 1, "a", 7);
  elem_a += "field";
  AppendCollectionPrefix(&elem_b, KeyKind::kElement, 2, "b", 9);
  AppendCollectionPrefix(&score_a, KeyKind::kZSetScore, 1, "a", 7);
  AppendExpiryKey(&expiry, 1000, 1, "a");
  const std::string server_meta = ServerMetaKey(kFormatName);
  EXPECT_TRUE(p.ShouldPartition(server_meta, meta_a));
  EXPECT_FALSE(p.ShouldPartition(meta_a, meta_b));
  EXPECT_TRUE(p.ShouldPartition(meta_b, elem_a));
  EXPECT_FALSE(p.ShouldPartition(elem_a, elem_b));
  EXPECT_TRUE(p.ShouldPartition(elem_b, score_a));
  EXPECT_TRUE(p.ShouldPartition(score_a, expiry));
}

}  // namespace
}  // namespace shale::server
