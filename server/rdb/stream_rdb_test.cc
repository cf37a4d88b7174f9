// Tests of the stream RDB codec (stream_decoder.h, stream_encoder.h):
// payloads of Debian's redis-server 7.0.15 decoded; crafted ones
// (tests/compat/dump_codec.py's stream_payload) accepted or refused as
// Redis 7.0 with sanitize-dump-payload yes does, and as shale's own rules
// say (docs/protocols.md, RESTORE); the encoder's nodes (Redis's limits,
// SAMEFIELDS, integers) and round trips; every truncation and every
// flipped bit of each payload refused or decoded, never a crash.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "server/rdb/rdb_format.h"
#include "server/rdb/rdb_reader.h"
#include "server/rdb/stream_encoder.h"
#include "server/rdb/value_decoder.h"
#include "server/rdb/value_encoder.h"

namespace shale::server::rdb {
namespace {

using Id = StreamValue::Id;

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(
        std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// redis-server 7.0.15's DUMP of:
// XADD s 1-1 a 1 b 2, 1-2 a 3 b 4, 5-0 c x, 7-0 a -70000 b hello;
// XDEL s 1-2; XGROUP CREATE s g 0, h $; XREADGROUP GROUP g alice COUNT 2,
// bob COUNT 1; XACK s g 1-1.
const char kGroups[] =
    "130110000000000000000100000000000000014053530000001f000301010102018161"
    "02816202000102010001000101010201050103010001010103010401050100010401df"
    "ff020101816302817802060102010601dfff02f290eefe048568656c6c6f060501ff03"
    "0700010101020402016707000402000000000000000500000000000000000b19254fa2"
    "01000001000000000000000700000000000000000d19254fa2010000010205616c6963"
    "650b19254fa2010000010000000000000005000000000000000003626f620d19254fa2"
    "01000001000000000000000700000000000000000168070081ffffffffffffffff0000"
    "0a00b7b40ef67ce43579";
// XADD f 1-0 a 1 b 2, 2-0 b 3 a 4: the second entry has its own fields,
// each followed by its value (and the listpack is LZF-compressed).
const char kOwnFields[] =
    "13011000000000000000010000000000000000c32f3511350000001500020100010201"
    "816102816202400900002001000120110005600740112018000340200404010801ff02"
    "02000100000002000a00e75ac3652bec40c3";
// XADD e 3-3 a 1; XDEL e 3-3: an empty stream.
const char kEmpty[] = "13000003030000030301000a008959d73b5506015a";

struct Crafted {
  bool accepted;
  const char* what;
  const char* hex;
};
// Crafted with tests/compat/dump_codec.py; "Redis too": redis-server
// 7.0.15 (sanitize-dump-payload yes) refuses it as well; "shale:" Redis
// loads it (a broken stream), shale refuses it (docs/protocols.md).
const Crafted kCrafted[] = {
    // two entries, one node
    {true, "two entries, one node",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff0202000100000002000a"
     "00f3305b05fd2ff30a"},
    // nodes in any order (Redis orders them by key)
    {true, "nodes in any order (Redis orders them by key)",
     "130210000000000000000300000000000000001c1c0000000a000101000101018161"
     "02000102010001000101010401ff10000000000000000100000000000000001c1c00"
     "00000a00010100010101816102000102010001000101010401ff0203000100000002"
     "000a000b5613a8ed79b4d2"},
    // an entry below its node key, IDs still in order
    {true, "an entry below its node key, IDs still in order",
     "1301100000000000000005000000000000000027270000000f000201000101018161"
     "0200010201dffc0200010101040102010101000101010401ff020600010000000200"
     "0a001aa4240fc85df5cf"},
    // a node of deleted entries only
    {true, "a node of deleted entries only",
     "130110000000000000000100000000000000001c1c0000000a000001010101018161"
     "02000103010001000101010401ff0002000000010002000a00c164873d8c45b075"},
    // a node with no entries
    {true, "a node with no entries",
     "13011000000000000000010000000000000000121200000005000001000101018161"
     "020001ff0002000000000000000a005bec70edd4eb7620"},
    // a group, its PEL and consumer
    {true, "a group, its PEL and consumer",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff02020001000000020101"
     "67020002010000000000000001000000000000000005000000000000000101016306"
     "0000000000000001000000000000000100000000000000000a006a6b526f0a837d3d"},
    // a pending entry of a deleted ID
    {true, "a pending entry of a deleted ID",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff02020001000000020101"
     "67020002010000000000000001000000000000000505000000000000000101016306"
     "0000000000000001000000000000000100000000000000050a00a2ac73c9188d6ed8"},
    // type 15 with groups
    {true, "type 15 with groups",
     "0f01100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff02020001016701000000"
     "0a0010e3b242ea995a63"},
    // the recorded first ID below the first entry
    {true, "the recorded first ID below the first entry",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff0202000007000002000a"
     "000268af3d0b98e934"},
    // no nodes but length 5 (Redis too)
    {false, "no nodes but length 5 (Redis too)",
     "13000502000000000005000a002c71108651f21f45"},
    // a duplicate node key (Redis too)
    {false, "a duplicate node key (Redis too)",
     "130210000000000000000100000000000000001c1c0000000a000101000101018161"
     "02000102010001000101010401ff10000000000000000100000000000000001c1c00"
     "00000a00010100010101816102000102010101000101010401ff0202000100000002"
     "000a0074be52b15fe5c397"},
    // a PEL entry without consumer (Redis too)
    {false, "a PEL entry without consumer (Redis too)",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff02020001000000020101"
     "670200020100000000000000010000000000000000050000000000000001000a0021"
     "6082f9e19ae37f"},
    // a consumer's ID not in the group PEL (Redis too)
    {false, "a consumer's ID not in the group PEL (Redis too)",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff02020001000000020101"
     "6702000200010163060000000000000001000000000000000100000000000000000a"
     "00da0554422fb4ec8d"},
    // two consumers own one ID (Redis too)
    {false, "two consumers own one ID (Redis too)",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff02020001000000020101"
     "67020002010000000000000001000000000000000005000000000000000102016306"
     "00000000000000010000000000000001000000000000000001640600000000000000"
     "01000000000000000100000000000000000a00705ddcd89fe1aec2"},
    // a duplicate consumer (Redis too)
    {false, "a duplicate consumer (Redis too)",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff02020001000000020101"
     "670200020002016306000000000000000001630600000000000000000a00134c56b8"
     "bb550d56"},
    // a duplicate group (Redis too)
    {false, "a duplicate group (Redis too)",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff02020001000000020201"
     "670200020000016702000200000a00554b2bc5183dd003"},
    // a duplicate PEL ID (Redis too)
    {false, "a duplicate PEL ID (Redis too)",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff02020001000000020101"
     "67020002020000000000000001000000000000000005000000000000000100000000"
     "00000001000000000000000005000000000000000101016306000000000000000100"
     "0000000000000100000000000000000a00ae4d050bd63f32a5"},
    // a 15-byte node key (Redis too)
    {false, "a 15-byte node key (Redis too)",
     "13010f0000000000000000000000000000001c1c0000000a00010100010101816102"
     "000102010001000101010401ff0101000100000001000a000c8ffbfbeb1c773d"},
    // a wrong lp-count (Redis too)
    {false, "a wrong lp-count (Redis too)",
     "130110000000000000000100000000000000001c1c0000000a000101000101018161"
     "02000102010001000101010501ff0101000100000001000a0008428efd11481bb3"},
    // live + deleted counts above the entries (Redis too)
    {false, "live + deleted counts above the entries (Redis too)",
     "130110000000000000000100000000000000001c1c0000000a000201000101018161"
     "02000102010001000101010401ff0101000100000001000a00a1728b31ae4b8ee7"},
    // shale: the length is not the live entries'
    {false, "shale: the length is not the live entries'",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff0302000100000002000a"
     "00951dc02c5cf59a2b"},
    // shale: IDs out of order inside a node
    {false, "shale: IDs out of order inside a node",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201010100010101040102010001000101010401ff0202000100000002000a"
     "009952e691bbbcf2de"},
    // shale: a duplicate ID
    {false, "shale: a duplicate ID",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010001000101010401ff0202000100000002000a"
     "00d5cb67c25c9d866a"},
    // shale: nodes overlap
    {false, "shale: nodes overlap",
     "1302100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010401000101010401ff10000000000000000300"
     "000000000000001c1c0000000a000101000101018161020001020100010001010104"
     "01ff0305000100000003000a0021e7b8a86d24e735"},
    // shale: the last ID below the greatest entry
    {false, "shale: the last ID below the greatest entry",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff0201050100000002000a"
     "00f84e32494bb697b3"},
    // shale: the recorded first ID after the first entry
    {false, "shale: the recorded first ID after the first entry",
     "1301100000000000000001000000000000000026260000000f000201000101018161"
     "0200010201000100010101040102010101000101010401ff0202000101000002000a"
     "0001df59e61b725a68"},
};

bool Decode(std::string_view p, StreamValue* s) {
  Value v;
  if (!DecodeValue(p, &v)) return false;
  EXPECT_EQ(v.kind, Value::Kind::kStream);
  *s = std::move(v.stream);
  return true;
}

std::vector<std::string> Pairs(const StreamValue::Entry& e) {
  std::vector<std::string> out;
  for (size_t i = 0; i < e.values.size(); i++) {
    out.push_back((*e.fields)[i]);
    out.push_back(e.values[i]);
  }
  return out;
}

// s re-encoded as DUMP writes it, with the given node limits.
std::string Encode(const StreamValue& s, uint64_t max_bytes = 4096,
                   int64_t max_entries = 100) {
  std::string out;
  StreamEncoder e(&out, true, max_bytes, max_entries);
  for (const auto& entry : s.entries) {
    const std::vector<std::string> pairs = Pairs(entry);
    const std::vector<std::string_view> views(pairs.begin(), pairs.end());
    e.AddEntry(entry.id, views);
  }
  e.EndEntries(
      {s.entries.size(), s.last, s.first, s.max_deleted, s.entries_added});
  for (const auto& g : s.groups) {
    e.BeginGroup(g.name, g.last, g.entries_read, g.pel.size());
    for (const auto& p : g.pel)
      e.AddPending(p.id, p.delivered_ms, p.deliveries);
    e.BeginConsumers(g.consumers.size());
    for (size_t c = 0; c < g.consumers.size(); c++) {
      uint64_t owned = 0;
      for (const auto& p : g.pel) owned += p.consumer == c;
      e.BeginConsumer(g.consumers[c].name, g.consumers[c].seen_ms, owned);
      for (const auto& p : g.pel) {
        if (p.consumer == c) e.AddOwned(p.id);
      }
    }
  }
  e.End();
  AppendPayloadFooter(&out);
  return out;
}

TEST(StreamRdbTest, RealPayload) {
  const std::string p = Hex(kGroups);
  ASSERT_TRUE(VerifyPayload(p));
  StreamValue s;
  ASSERT_TRUE(Decode(p, &s));
  ASSERT_EQ(s.entries.size(), 3u);
  EXPECT_EQ(s.entries[0].id, (Id{1, 1}));
  EXPECT_EQ(Pairs(s.entries[0]),
            (std::vector<std::string>{"a", "1", "b", "2"}));
  EXPECT_EQ(s.entries[1].id, (Id{5, 0}));
  EXPECT_EQ(Pairs(s.entries[1]), (std::vector<std::string>{"c", "x"}));
  EXPECT_EQ(Pairs(s.entries[2]),
            (std::vector<std::string>{"a", "-70000", "b", "hello"}));
  EXPECT_EQ(s.last, (Id{7, 0}));
  EXPECT_EQ(s.first, (Id{1, 1}));
  EXPECT_EQ(s.max_deleted, (Id{1, 2}));
  EXPECT_EQ(s.entries_added, 4u);
  ASSERT_EQ(s.groups.size(), 2u);
  const StreamValue::Group& g = s.groups[0];
  EXPECT_EQ(g.name, "g");
  EXPECT_EQ(g.last, (Id{7, 0}));
  EXPECT_EQ(g.entries_read, 4u);
  ASSERT_EQ(g.pel.size(), 2u);
  EXPECT_EQ(g.pel[0].id, (Id{5, 0}));
  EXPECT_EQ(g.consumers[g.pel[0].consumer].name, "alice");
  EXPECT_EQ(g.consumers[g.pel[1].consumer].name, "bob");
  EXPECT_EQ(g.pel[1].deliveries, 1u);
  EXPECT_EQ(s.groups[1].name, "h");
  EXPECT_EQ(s.groups[1].entries_read, UINT64_MAX);

  ASSERT_TRUE(Decode(Hex(kOwnFields), &s));
  ASSERT_EQ(s.entries.size(), 2u);
  EXPECT_EQ(Pairs(s.entries[1]),
            (std::vector<std::string>{"b", "3", "a", "4"}));

  ASSERT_TRUE(Decode(Hex(kEmpty), &s));
  EXPECT_TRUE(s.entries.empty());
  EXPECT_EQ(s.last, (Id{3, 3}));
  EXPECT_EQ(s.max_deleted, (Id{3, 3}));
}

TEST(StreamRdbTest, CraftedAsRedisAndShaleRules) {
  for (const Crafted& c : kCrafted) {
    const std::string p = Hex(c.hex);
    ASSERT_TRUE(VerifyPayload(p)) << c.what;
    StreamValue s;
    EXPECT_EQ(Decode(p, &s), c.accepted) << c.what;
  }
}

// Type 15 (Redis 5 and 6): no first ID, max deleted, entries added or
// entries read; the first ID is the first entry's (the greatest ID when
// there is none), entries added the length.
TEST(StreamRdbTest, Type15) {
  StreamValue s;
  ASSERT_TRUE(Decode(Hex(kCrafted[7].hex), &s));
  EXPECT_EQ(s.first, (Id{1, 0}));
  EXPECT_EQ(s.entries_added, 2u);
  ASSERT_EQ(s.groups.size(), 1u);
  EXPECT_FALSE(s.groups[0].has_entries_read);
  std::string p;
  AppendType(&p, kTypeStreamListpacks);
  p += Hex("0000020000");  // no nodes, length 0, last 2-0, no groups
  ASSERT_TRUE(Decode(p, &s));
  EXPECT_EQ(s.first, (Id{UINT64_MAX, UINT64_MAX}));
}

TEST(StreamRdbTest, RoundTrip) {
  for (const char* hex : {kGroups, kOwnFields, kEmpty}) {
    StreamValue s, t;
    ASSERT_TRUE(Decode(Hex(hex), &s));
    const std::string again = Encode(s);
    ASSERT_TRUE(VerifyPayload(again));
    ASSERT_TRUE(Decode(again, &t));
    ASSERT_EQ(t.entries.size(), s.entries.size());
    for (size_t i = 0; i < s.entries.size(); i++) {
      EXPECT_EQ(t.entries[i].id, s.entries[i].id);
      EXPECT_EQ(Pairs(t.entries[i]), Pairs(s.entries[i]));
    }
    EXPECT_EQ(t.last, s.last);
    EXPECT_EQ(t.first, s.first);
    EXPECT_EQ(t.max_deleted, s.max_deleted);
    EXPECT_EQ(t.entries_added, s.entries_added);
    ASSERT_EQ(t.groups.size(), s.groups.size());
    for (size_t i = 0; i < s.groups.size(); i++) {
      EXPECT_EQ(t.groups[i].name, s.groups[i].name);
      EXPECT_EQ(t.groups[i].entries_read, s.groups[i].entries_read);
      ASSERT_EQ(t.groups[i].pel.size(), s.groups[i].pel.size());
      for (size_t k = 0; k < s.groups[i].pel.size(); k++) {
        EXPECT_EQ(t.groups[i].pel[k].id, s.groups[i].pel[k].id);
        EXPECT_EQ(t.groups[i].pel[k].delivered_ms,
                  s.groups[i].pel[k].delivered_ms);
      }
    }
  }
}

// How many nodes a payload holds (its count comes right after the type).
uint64_t Nodes(const std::string& p) {
  size_t pos = 1;
  uint64_t n = 0;
  EXPECT_TRUE(DecodeLen(p, &pos, &n));
  return n;
}

StreamValue Synthetic(int n, size_t value_size) {
  StreamValue s;
  auto fields = std::make_shared<std::vector<std::string>>(
      std::vector<std::string>{"f", "n"});
  auto other = std::make_shared<std::vector<std::string>>(
      std::vector<std::string>{"g", "n"});
  for (int i = 0; i < n; i++) {
    StreamValue::Entry e;
    e.id =
        Id{1000 + static_cast<uint64_t>(i / 3), static_cast<uint64_t>(i % 3)};
    e.fields = i % 7 == 3 ? other : fields;
    // Integers of every listpack width, and text.
    static const char* kInts[] = {
        "0",     "127",    "-1",      "-4096",      "4095",
        "32767", "-70000", "8388608", "2147483648", "-9223372036854775808",
        "007",   "x"};
    e.values = {std::string(value_size, 'v'), kInts[i % 12]};
    s.entries.push_back(std::move(e));
  }
  s.last = s.entries.empty() ? Id{} : s.entries.back().id;
  s.first = s.entries.empty() ? Id{} : s.entries.front().id;
  s.entries_added = static_cast<uint64_t>(n);
  return s;
}

// A stream Redis appended to and never deleted from: the very bytes.
TEST(StreamRdbTest, AppendOnlyStreamAsRedisBytes) {
  StreamValue s;
  ASSERT_TRUE(Decode(Hex(kOwnFields), &s));
  EXPECT_EQ(Encode(s), Hex(kOwnFields));
}

TEST(StreamRdbTest, NodesAsRedisPacksThem) {
  // 100 entries a node by default.
  StreamValue s = Synthetic(250, 1);
  std::string p = Encode(s);
  EXPECT_EQ(Nodes(p), 3u);
  StreamValue t;
  ASSERT_TRUE(Decode(p, &t));
  ASSERT_EQ(t.entries.size(), 250u);
  for (size_t i = 0; i < 250; i++) {
    EXPECT_EQ(Pairs(t.entries[i]), Pairs(s.entries[i])) << i;
  }
  // A 4096-byte node: entries of ~1000 bytes go 3 or 4 a node; one larger
  // than the limit has a node of its own.
  p = Encode(Synthetic(12, 1000));
  EXPECT_GE(Nodes(p), 3u);
  EXPECT_LE(Nodes(p), 4u);
  p = Encode(Synthetic(3, 5000));
  EXPECT_EQ(Nodes(p), 3u);
  ASSERT_TRUE(Decode(p, &t));
  EXPECT_EQ(t.entries.size(), 3u);
  // Other limits.
  EXPECT_EQ(Nodes(Encode(Synthetic(10, 1), 4096, 3)), 4u);
  EXPECT_EQ(Nodes(Encode(Synthetic(10, 1), 0, 0)), 1u);
}

std::vector<std::string> AllPayloads() {
  std::vector<std::string> out = {Hex(kGroups), Hex(kOwnFields), Hex(kEmpty),
                                  Encode(Synthetic(30, 3), 4096, 8)};
  for (const Crafted& c : kCrafted) out.push_back(Hex(c.hex));
  return out;
}

// Every truncation: the footer no longer matches, and the decoder given
// the bytes directly refuses any cut before the object's end.
TEST(StreamRdbTest, EveryTruncation) {
  for (const std::string& p : AllPayloads()) {
    for (size_t n = 0; n + 10 < p.size(); n++) {
      const std::string cut = p.substr(0, n);
      EXPECT_FALSE(VerifyPayload(cut)) << n;
      Value v;
      EXPECT_FALSE(DecodeValue(cut, &v)) << n;
    }
  }
}

// Every bit of every byte flipped, the checksum fixed: refused or decoded
// into a stream that keeps shale's rules, never a crash.
TEST(StreamRdbTest, EveryFlippedBit) {
  int refused = 0, decoded = 0;
  for (const std::string& p : AllPayloads()) {
    for (size_t i = 0; i + 10 < p.size(); i++) {
      for (int bit = 0; bit < 8; bit++) {
        std::string q = p.substr(0, p.size() - 10);
        q[i] = static_cast<char>(q[i] ^ (1 << bit));
        AppendPayloadFooter(&q);
        Value v;
        if (!DecodeValue(q, &v)) {
          refused++;
          continue;
        }
        decoded++;
        if (v.kind != Value::Kind::kStream) continue;
        const StreamValue& s = v.stream;
        for (size_t k = 1; k < s.entries.size(); k++) {
          ASSERT_LT(s.entries[k - 1].id, s.entries[k].id);
        }
        for (const auto& e : s.entries) {
          ASSERT_FALSE(e.values.empty());
          ASSERT_EQ(e.values.size(), e.fields->size());
        }
        if (!s.entries.empty()) {
          ASSERT_FALSE(s.last < s.entries.back().id);
        }
        for (const auto& g : s.groups) {
          for (const auto& pe : g.pel) {
            ASSERT_LT(pe.consumer, g.consumers.size());
          }
        }
      }
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(decoded, 0);
}

}  // namespace
}  // namespace shale::server::rdb
