// Stream (keyspace/stream.h): the ID grammar as Redis 7.0 reads it, the
// field codec and its bounds, the typefields' round trip, and a randomized
// model test of appends, deletes and trims (every operation mirrored into a
// std::map; the entries, first and count compared after each commit).
#include "server/keyspace/stream.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "server/keyspace/mem_keyspace_test_util.h"

namespace shale::server {
namespace {

StreamId Id(uint64_t ms, uint64_t seq) { return StreamId{ms, seq}; }

TEST(StreamIdTest, ParsesAsRedis) {
  StreamId id;
  bool given;
  ASSERT_TRUE(ParseStreamId("5-3", 0, true, &id));
  EXPECT_EQ(id, Id(5, 3));
  ASSERT_TRUE(ParseStreamId("5", 7, true, &id));
  EXPECT_EQ(id, Id(5, 7));
  ASSERT_TRUE(ParseStreamId("-", 0, false, &id));
  EXPECT_EQ(id, Id(0, 0));
  ASSERT_TRUE(ParseStreamId("+", 0, false, &id));
  EXPECT_EQ(id, kMaxStreamId);
  EXPECT_FALSE(ParseStreamId("-", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("+", 0, true, &id));
  ASSERT_TRUE(
      ParseStreamId("18446744073709551615-18446744073709551615", 0, true, &id));
  EXPECT_EQ(id, kMaxStreamId);
  EXPECT_FALSE(ParseStreamId("18446744073709551616", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("-1", 0, true, &id));  // "" then "1"
  EXPECT_FALSE(ParseStreamId("1-", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("1-2-3", 0, true, &id));
  EXPECT_FALSE(ParseStreamId("a", 0, true, &id));
  // strtoull's leniency, as Redis's string2ull falls back to it.
  ASSERT_TRUE(ParseStreamId("+5- 07", 0, true, &id));
  EXPECT_EQ(id, Id(5, 7));
  // The argument ends at its first NUL, as a C string.
  ASSERT_TRUE(ParseStreamId(std::string("9\0junk", 6), 0, true, &id));
  EXPECT_EQ(id, Id(9, 0));
  EXPECT_FALSE(ParseStreamId(std::string(128, '1'), 0, true, &id));
  // The bound is on the whole argument, NUL and what follows included.
  EXPECT_FALSE(ParseStreamId(std::string("9\0", 2) + std::string(126, 'x'), 0,
                             true, &id));
  ASSERT_TRUE(ParseStreamId(std::string("9\0", 2) + std::string(125, 'x'), 0,
                            true, &id));
  // "ms-*" only where the caller accepts it.
  EXPECT_FALSE(ParseStreamId("5-*", 0, true, &id));
  ASSERT_TRUE(ParseStreamId("5-*", 0, true, &id, &given));
  EXPECT_EQ(id, Id(5, 0));
  EXPECT_FALSE(given);
  ASSERT_TRUE(ParseStreamId("5-1", 0, true, &id, &given));
  EXPECT_TRUE(given);
}

TEST(StreamIdTest, IncrementsAndFormats) {
  StreamId id = Id(1, UINT64_MAX);
  ASSERT_TRUE(IncrStreamId(&id));
  EXPECT_EQ(id, Id(2, 0));
  ASSERT_TRUE(DecrStreamId(&id));
  EXPECT_EQ(id, Id(1, UINT64_MAX));
  id = kMaxStreamId;
  EXPECT_FALSE(IncrStreamId(&id));
  id = Id(0, 0);
  EXPECT_FALSE(DecrStreamId(&id));
  EXPECT_EQ(FormatStreamId(kMaxStreamId),
            "18446744073709551615-18446744073709551615");
  // Sub-keys sort as IDs.
  EXPECT_LT(IdSub(Id(1, UINT64_MAX)), IdSub(Id(2, 0)));
  EXPECT_LT(IdSub(Id(255, 0)), IdSub(Id(256, 0)));
  StreamId back;
  ASSERT_TRUE(ParseIdSub(IdSub(Id(7, 9)), &back));
  EXPECT_EQ(back, Id(7, 9));
  EXPECT_FALSE(ParseIdSub("short", &back));
}

TEST(StreamFieldsTest, RoundTripsAndRefusesCorruptValues) {
  const std::vector<std::string> pairs = {"f", "v", "", std::string(300, 'x')};
  std::string enc;
  EncodeStreamFields(pairs, &enc);
  std::vector<std::string_view> out;
  ASSERT_TRUE(DecodeStreamFields(enc, &out));
  ASSERT_EQ(out.size(), 4u);
  for (size_t i = 0; i < 4; i++) EXPECT_EQ(out[i], pairs[i]);
  EXPECT_FALSE(DecodeStreamFields(enc + "x", &out));             // trailing
  EXPECT_FALSE(DecodeStreamFields(enc.substr(0, 5), &out));      // cut short
  EXPECT_FALSE(DecodeStreamFields("", &out));                    // no count
  EXPECT_FALSE(DecodeStreamFields(std::string("\0", 1), &out));  // n = 0
  // A count far past the value's bytes is refused before any reserve.
  EXPECT_FALSE(DecodeStreamFields("\xff\xff\xff\xff\x0f", &out));
  // A length past the end.
  EXPECT_FALSE(DecodeStreamFields("\x01\x7f", &out));
}

TEST(StreamMetaTest, TypefieldsRoundTrip) {
  ValueMeta m;
  m.type = KeyType::kStream;
  m.version = 42;
  m.count = 3;
  m.expire_at_ms = 99;
  m.stream.last = Id(10, 2);
  m.stream.first = Id(1, 0);
  m.stream.max_deleted = Id(5, 5);
  m.stream.entries_added = 7;
  m.stream.groups = 2;
  std::string enc;
  EncodeCollectionMeta(m, &enc);
  ValueMeta back;
  std::string_view payload;
  ASSERT_TRUE(DecodeMeta(enc, &back, &payload));
  EXPECT_EQ(back.type, KeyType::kStream);
  EXPECT_EQ(back.count, 3u);
  EXPECT_EQ(back.expire_at_ms, 99u);
  EXPECT_EQ(back.stream.last, Id(10, 2));
  EXPECT_EQ(back.stream.first, Id(1, 0));
  EXPECT_EQ(back.stream.max_deleted, Id(5, 5));
  EXPECT_EQ(back.stream.entries_added, 7u);
  EXPECT_EQ(back.stream.groups, 2u);
  EXPECT_FALSE(DecodeMeta(enc.substr(0, enc.size() - 1), &back, &payload));
  EXPECT_FALSE(DecodeMeta(enc + "x", &back, &payload));
}

class StreamTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(OpenMemKeyspace(&env_, 4, &db_, &ks_).ok());
  }
  void BeginLocked(Tx* tx) {
    tx->Begin(0);
    const Tx::DbKey keys[] = {{0, "s"}};
    tx->LockKeys(keys);
  }
  // The entries of the committed stream, forward and backward; both must
  // equal the model.
  void Check(const std::map<StreamId, std::string>& model, uint32_t seed) {
    Tx tx(ks_.get());
    tx.Begin(0);
    Collection c(&tx, KeyType::kStream);
    ASSERT_TRUE(c.Open("s").ok()) << "seed " << seed;
    Stream st(&c);
    ASSERT_EQ(st.length(), model.size()) << "seed " << seed;
    if (model.empty()) {
      EXPECT_TRUE(st.state().first.zero()) << "seed " << seed;
    } else {
      EXPECT_EQ(st.state().first, model.begin()->first) << "seed " << seed;
    }
    std::vector<StreamId> fwd, back;
    auto it = st.NewIterator();
    std::vector<std::string_view> fields;
    for (st.SeekFrom(it.get(), StreamId{}); it->Valid(); it->Next()) {
      StreamId id;
      ASSERT_TRUE(ParseIdSub(it->sub(), &id));
      ASSERT_TRUE(DecodeStreamFields(it->value(), &fields));
      EXPECT_EQ(fields[1], model.at(id)) << "seed " << seed;
      fwd.push_back(id);
    }
    auto rit = st.NewIterator();
    // Backward walks stop at first: trimmed entries stay below it.
    for (st.SeekBackFrom(rit.get(), kMaxStreamId); rit->Valid(); rit->Prev()) {
      StreamId id;
      ASSERT_TRUE(ParseIdSub(rit->sub(), &id));
      if (id < st.state().first) break;
      back.insert(back.begin(), id);
    }
    std::vector<StreamId> want;
    for (const auto& [id, v] : model) want.push_back(id);
    EXPECT_EQ(fwd, want) << "seed " << seed;
    EXPECT_EQ(back, want) << "seed " << seed;
    StreamId last;
    bool found;
    ASSERT_TRUE(st.LastEntryId(&last, &found).ok());
    EXPECT_EQ(found, !model.empty());
    if (found) EXPECT_EQ(last, model.rbegin()->first) << "seed " << seed;
  }

  MemEnv env_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
};

TEST_F(StreamTest, EmptyStreamIsKept) {
  Tx tx(ks_.get());
  BeginLocked(&tx);
  Collection c(&tx, KeyType::kStream);
  ASSERT_TRUE(c.Open("s").ok());
  Stream st(&c);
  st.Append(Id(1, 1), std::vector<std::string>{"f", "v"});
  bool deleted;
  ASSERT_TRUE(st.Delete(Id(1, 1), &deleted).ok());
  EXPECT_TRUE(deleted);
  bool gone;
  ASSERT_TRUE(c.Finish(&gone).ok());
  EXPECT_FALSE(gone);
  ASSERT_TRUE(tx.Commit().ok());
  tx.Release();
  tx.Begin(0);
  Collection again(&tx, KeyType::kStream);
  ASSERT_TRUE(again.Open("s").ok());
  ASSERT_TRUE(again.found());
  EXPECT_EQ(again.count(), 0u);
  EXPECT_EQ(again.meta().stream.last, Id(1, 1));
  EXPECT_EQ(again.meta().stream.max_deleted, Id(1, 1));
  EXPECT_EQ(again.meta().stream.entries_added, 1u);
}

TEST_F(StreamTest, RandomizedAgainstModel) {
  const uint32_t seed = std::random_device{}();
  std::fprintf(stderr, "StreamTest.RandomizedAgainstModel seed %u\n", seed);
  std::mt19937 rng(seed);
  std::map<StreamId, std::string> model;
  std::set<StreamId> trimmed;  // still stored, below first: never seen again
  StreamId last;
  for (int round = 0; round < 60; round++) {
    Tx tx(ks_.get());
    BeginLocked(&tx);
    Collection c(&tx, KeyType::kStream);
    ASSERT_TRUE(c.Open("s").ok());
    Stream st(&c);
    const int ops = 1 + static_cast<int>(rng() % 8);
    for (int op = 0; op < ops; op++) {
      const uint32_t r = rng() % 10;
      if (r < 5) {
        last.ms += rng() % 3;
        last.seq = last.seq + 1 + rng() % 2;
        const std::string v = std::to_string(rng());
        st.Append(last, std::vector<std::string>{"f", v});
        model[last] = v;
        trimmed.erase(last);
      } else if (r < 7 && !model.empty()) {
        auto pick = model.begin();
        std::advance(pick, static_cast<long>(rng() % model.size()));
        const StreamId id = pick->first;
        bool deleted;
        ASSERT_TRUE(st.Delete(id, &deleted).ok());
        EXPECT_TRUE(deleted) << "seed " << seed;
        model.erase(id);
        ASSERT_TRUE(st.Delete(id, &deleted).ok());
        EXPECT_FALSE(deleted) << "seed " << seed;
      } else if (r < 8) {
        const uint64_t maxlen = rng() % 6;
        const uint64_t limit = rng() % 3;
        uint64_t removed, want = 0;
        ASSERT_TRUE(st.TrimMaxLen(maxlen, limit, &removed).ok());
        while (model.size() > maxlen && (limit == 0 || want < limit)) {
          trimmed.insert(model.begin()->first);
          model.erase(model.begin());
          want++;
        }
        EXPECT_EQ(removed, want) << "seed " << seed;
      } else if (r == 9 && model.empty() && last.ms > 0) {
        // XSETID lowers the last ID of an emptied stream: what was trimmed
        // above it must not come back between the entries appended next.
        StreamState lowered = st.state();
        lowered.last = StreamId{rng() % last.ms, rng() % 3};
        ASSERT_TRUE(st.SetState(lowered).ok());
        last = lowered.last;
      } else {
        const StreamId min{last.ms > 2 ? last.ms - 2 : 0, rng() % 4};
        uint64_t removed, want = 0;
        ASSERT_TRUE(st.TrimMinId(min, 0, &removed).ok());
        while (!model.empty() && model.begin()->first < min) {
          trimmed.insert(model.begin()->first);
          model.erase(model.begin());
          want++;
        }
        EXPECT_EQ(removed, want) << "seed " << seed;
      }
      ASSERT_EQ(st.length(), model.size()) << "seed " << seed;
      for (StreamId id : trimmed) {
        std::string value;
        EXPECT_TRUE(st.GetEntry(id, &value).IsNotFound()) << "seed " << seed;
        bool deleted;
        ASSERT_TRUE(st.Delete(id, &deleted).ok());
        EXPECT_FALSE(deleted) << "seed " << seed;
      }
    }
    ASSERT_TRUE(c.Finish().ok());
    ASSERT_TRUE(tx.Commit().ok());
    tx.Release();
    Check(model, seed);
  }
}

}  // namespace
}  // namespace shale::server
