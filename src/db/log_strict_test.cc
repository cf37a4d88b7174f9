// kAbsoluteConsistency: what the strict reader accepts as an incomplete
// tail, and every other damage it refuses.
#include <gtest/gtest.h>

#include "db/log_test_util.h"

namespace shale::log {
namespace {

// ---- kAbsoluteConsistency ----

void ExpectStrictCorruption(const ReadResult& r, uint64_t offset) {
  ASSERT_TRUE(r.status.IsCorruption()) << r.status.ToString();
  const std::string message = r.status.ToString();
  EXPECT_NE(std::string::npos, message.find(kFileName)) << message;
  EXPECT_NE(std::string::npos, message.find("offset " + std::to_string(offset)))
      << message;
  EXPECT_EQ(1, r.reporter.corruptions);
  EXPECT_EQ(r.status, r.reporter.last);
  EXPECT_EQ(0, r.reporter.tails);
  EXPECT_EQ(0u, r.dropped);
}

// Flips `mask` in byte `pos` of `contents`, reads strictly and expects the
// records before the damaged one and a Corruption naming the damaged
// record's offset.
void CheckStrictFlip(const std::string& contents,
                     const std::vector<std::string>& records,
                     const std::vector<Placement>& p, size_t damaged_record,
                     uint64_t pos, int mask) {
  SCOPED_TRACE("byte " + std::to_string(pos) + " ^ " + std::to_string(mask));
  std::string damaged = contents;
  damaged[pos] = static_cast<char>(damaged[pos] ^ mask);
  ReadResult r = ReadAll(damaged, kStrict);
  ExpectSameRecords({records.begin(), records.begin() + damaged_record},
                    r.records);
  ExpectStrictCorruption(r, p[damaged_record].start);
}

// The MANIFEST case: the last record is complete, so a flipped bit in it is
// bit rot, not a torn write. Every bit of every header, including the length
// fields, whose enlarged values run past the end of the file.
TEST(LogStrictTest, FlippedByteInLastRecord) {
  Random rnd(53);
  // The last record is one FULL fragment.
  {
    const std::vector<std::string> records = {test::RandomBytes(&rnd, 300),
                                              test::RandomBytes(&rnd, 200)};
    StringDest dest;
    std::vector<Placement> p = WriteRecords(&dest, records);
    for (uint64_t pos = p[1].start; pos < p[1].end; pos++) {
      for (int bit = 0; bit < 8; bit++) {
        CheckStrictFlip(dest.contents_, records, p, 1, pos, 1 << bit);
      }
    }
  }
  // The last record is FIRST, MIDDLE, LAST.
  {
    const std::vector<std::string> records = {test::RandomBytes(&rnd, 30000),
                                              test::RandomBytes(&rnd, 100),
                                              test::RandomBytes(&rnd, 40000)};
    StringDest dest;
    std::vector<Placement> p = WriteRecords(&dest, records);
    ASSERT_GT(p[2].end, 2 * kBlockSize);
    for (uint64_t pos = p[2].start; pos < p[2].end; pos++) {
      const uint64_t in_block = pos % kBlockSize;
      const bool in_header =
          pos < p[2].start + kHeaderSize || in_block < kHeaderSize;
      if (!in_header && pos % 211 != 0) continue;
      for (int bit = 0; bit < 8; bit++) {
        if (!in_header && bit != 0) continue;
        CheckStrictFlip(dest.contents_, records, p, 2, pos, 1 << bit);
      }
    }
  }
}

TEST(LogStrictTest, FlippedByteInMiddleRecord) {
  Random rnd(59);
  const std::vector<std::string> records = SmallRecords(&rnd, 600);
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records);
  ASSERT_GT(dest.contents_.size(), 2 * kBlockSize);
  size_t spanning = 0;  // a record that continues in block 1
  while (p[spanning].end <= kBlockSize) spanning++;
  ASSERT_LT(p[spanning].start, kBlockSize - kHeaderSize);
  ASSERT_GT(p[spanning].end, kBlockSize + kHeaderSize);
  for (size_t k : {size_t{0}, size_t{5}, spanning, records.size() - 2}) {
    SCOPED_TRACE("record " + std::to_string(k));
    for (uint64_t pos : {p[k].start, p[k].start + 4, p[k].start + 6,
                         p[k].start + kHeaderSize, p[k].end - 1}) {
      CheckStrictFlip(dest.contents_, records, p, k, pos, 0x01);
    }
  }
  // The second fragment of the spanning record, at the start of block 1.
  CheckStrictFlip(dest.contents_, records, p, spanning, kBlockSize + 2, 0x40);
}

// A strict reader's torn tail: a record cut anywhere (LogTest.TornTail*), or
// zeros where the rest of the file should be, also after a record's first
// fragments.
TEST(LogStrictTest, ZerosAfterCutRecord) {
  Random rnd(61);
  const std::vector<std::string> records = {
      test::RandomBytes(&rnd, 1000), test::RandomBytes(&rnd, 3 * kBlockSize)};
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records);
  for (uint64_t cut : {kBlockSize, 2 * kBlockSize}) {
    for (size_t zeros : {size_t{3}, size_t{7}, size_t{500}, 2 * kBlockSize}) {
      SCOPED_TRACE("cut at " + std::to_string(cut) + ", " +
                   std::to_string(zeros) + " zeros");
      std::string contents = dest.contents_.substr(0, cut);
      contents.append(zeros, '\0');
      ReadResult r = ReadAll(contents, kStrict);
      ExpectSameRecords({records[0]}, r.records);
      ASSERT_TRUE(r.status.ok()) << r.status.ToString();
      EXPECT_EQ(0, r.reporter.corruptions);
      EXPECT_EQ(contents.size() - p[1].start, r.dropped);
      EXPECT_EQ(p[1].start, r.reporter.tail_offset);
    }
  }
}

// A fragment whose bytes are all present but do not match its checksum is
// damage even when zeros follow: a strict reader tolerates a cut, not a
// complete fragment with holes.
TEST(LogStrictTest, ZerosInsideLastFragment) {
  Random rnd(67);
  const std::vector<std::string> records = {test::RandomBytes(&rnd, 100),
                                            test::RandomBytes(&rnd, 500)};
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records);
  std::string contents = dest.contents_.substr(0, p[1].start + 200);
  contents.append(1000, '\0');
  ReadResult r = ReadAll(contents, kStrict);
  ExpectSameRecords({records[0]}, r.records);
  ExpectStrictCorruption(r, p[1].start);
  EXPECT_NE(std::string::npos, r.status.ToString().find("checksum"));
}

TEST(LogStrictTest, GarbageAfterZeros) {
  Random rnd(71);
  const std::vector<std::string> records = SmallRecords(&rnd, 20);
  StringDest dest;
  WriteRecords(&dest, records);
  const uint64_t end = dest.contents_.size();
  for (size_t zeros : {size_t{7}, size_t{100}, 2 * kBlockSize}) {
    SCOPED_TRACE(zeros);
    std::string contents = dest.contents_;
    contents.append(zeros, '\0');
    contents.push_back('\x01');
    ReadResult r = ReadAll(contents, kStrict);
    ExpectSameRecords(records, r.records);
    ExpectStrictCorruption(r, end);
    EXPECT_NE(std::string::npos, r.status.ToString().find("zero-filled"));
  }
}

// Zeros followed by intact records, as when records were written into
// preallocated space out of order.
TEST(LogStrictTest, ZerosInTheMiddle) {
  Random rnd(73);
  const std::vector<std::string> records = SmallRecords(&rnd, 400);
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records);
  std::string damaged = dest.contents_;
  std::fill(damaged.begin() + p[10].start, damaged.begin() + p[200].start,
            '\0');
  ReadResult r = ReadAll(damaged, kStrict);
  ExpectSameRecords({records.begin(), records.begin() + 10}, r.records);
  ExpectStrictCorruption(r, p[10].start);
}

// Whether a strict reader takes `garbage` appended at `offset` for an
// incomplete fragment: a header cut short, or a well-formed header whose
// payload runs past the end of the file.
bool LooksCutShort(std::string_view garbage, uint64_t offset) {
  if (garbage.size() < kHeaderSize) return true;
  const auto type = static_cast<uint8_t>(garbage[6]);
  const size_t length = static_cast<uint8_t>(garbage[4]) |
                        (size_t{static_cast<uint8_t>(garbage[5])} << 8);
  const size_t block_left = kBlockSize - offset % kBlockSize;
  if (type < kFullType || type > kLastType) return false;
  if (kHeaderSize + length > block_left) return false;
  if ((type == kFirstType || type == kMiddleType) &&
      kHeaderSize + length != block_left) {
    return false;
  }
  return kHeaderSize + length > garbage.size();
}

TEST(LogStrictTest, GarbageTail) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Random rnd(seed);
  int cut_short = 0;
  for (int iter = 0; iter < 300; iter++) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    const std::vector<std::string> records = SmallRecords(&rnd, 50);
    StringDest dest;
    WriteRecords(&dest, records);
    const uint64_t end = dest.contents_.size();
    std::string garbage = test::RandomBytes(&rnd, 1 + rnd.Skewed(17));
    if (iter % 2 == 0) garbage[0] |= 1;  // not all zero, even if short
    dest.contents_ += garbage;
    ReadResult r = ReadAll(dest.contents_, kStrict);
    ExpectSameRecords(records, r.records);
    if (LooksCutShort(garbage, end)) {
      // Indistinguishable from a torn write of a record.
      if (garbage.size() >= kHeaderSize) cut_short++;
      ASSERT_TRUE(r.status.ok()) << r.status.ToString();
      ASSERT_EQ(garbage.size(), r.dropped);
    } else {
      ExpectStrictCorruption(r, end);
    }
  }
  // A random header is almost always impossible (a valid type alone is 4 in
  // 256).
  EXPECT_LT(cut_short, 20);
}

TEST(LogStrictTest, NonZeroTrailer) {
  Random rnd(79);
  const std::vector<std::string> records = {
      test::RandomBytes(&rnd, kBlockSize - kHeaderSize - 3),
      test::RandomBytes(&rnd, 500)};
  StringDest dest;
  WriteRecords(&dest, records);
  std::string damaged = dest.contents_;
  damaged[kBlockSize - 2] = 'x';
  ReadResult r = ReadAll(damaged, kStrict);
  ExpectSameRecords({records[0]}, r.records);
  ExpectStrictCorruption(r, kBlockSize - 3);
  // The lenient modes do not look at trailers.
  for (WalRecoveryMode mode : {kTolerate, kSkip}) {
    r = ReadAll(damaged, mode);
    ExpectSameRecords(records, r.records);
    EXPECT_TRUE(r.status.ok());
  }
}

TEST(LogStrictTest, OrphanFragments) {
  Random rnd(83);
  const std::vector<std::string> records = {
      test::RandomBytes(&rnd, 2 * kBlockSize), "after"};
  StringDest dest;
  WriteRecords(&dest, records);
  ReadResult r = ReadAll(dest.contents_.substr(kBlockSize), kStrict);
  EXPECT_TRUE(r.records.empty());
  ExpectStrictCorruption(r, 0);
  EXPECT_NE(std::string::npos, r.status.ToString().find("record start"));
}

// A record whose end was never written, followed by a new record (a writer
// that continued a torn log without cutting it first).
TEST(LogStrictTest, RecordMissingItsEnd) {
  Random rnd(89);
  const std::string big = test::RandomBytes(&rnd, 2 * kBlockSize);
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, {"a", big});
  dest.contents_.resize(kBlockSize);  // only the FIRST fragment of `big`
  WriteRecords(&dest, {"b"});
  ReadResult r = ReadAll(dest.contents_, kStrict);
  ExpectSameRecords({"a"}, r.records);
  ExpectStrictCorruption(r, p[1].start);
}

}  // namespace
}  // namespace shale::log
