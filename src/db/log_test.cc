// The log framing (db/log_format.h) through Writer and Reader: round trips,
// torn tails, and damage under the two lenient recovery modes.
#include <gtest/gtest.h>

#include <set>

#include "db/log_test_util.h"

namespace shale::log {
namespace {

TEST(LogTest, EmptyFile) {
  for (WalRecoveryMode mode : kAllModes) {
    ReadResult r = ReadAll("", mode);
    EXPECT_TRUE(r.records.empty());
    EXPECT_TRUE(r.status.ok());
    EXPECT_EQ(0u, r.dropped);
    EXPECT_EQ(0, r.reporter.tails);
  }
}

TEST(LogTest, RoundTripSizes) {
  const size_t kFit = kBlockSize - kHeaderSize;  // fills a block exactly
  const std::vector<size_t> sizes = {0,
                                     1,
                                     100,
                                     kFit - 1,
                                     kFit,
                                     kFit + 1,
                                     kFit - 6,
                                     kFit - 7,
                                     kFit - 8,
                                     kBlockSize,
                                     2 * kFit,
                                     2 * kFit + 1,
                                     3 * kBlockSize + 17,
                                     100000};
  // Each size alone, then all of them in one file.
  std::vector<std::string> all;
  for (size_t size : sizes) {
    SCOPED_TRACE(size);
    std::string record = Filler(static_cast<char>('a' + size % 26), size);
    StringDest dest;
    std::vector<Placement> p = WriteRecords(&dest, {record});
    ReadResult r = ReadAll(dest.contents_, kTolerate);
    ExpectSameRecords({record}, r.records);
    EXPECT_TRUE(r.status.ok());
    EXPECT_EQ(p[0].end, r.last_record_end);
    all.push_back(record);
  }
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, all);
  for (WalRecoveryMode mode : kAllModes) {
    ReadResult r = ReadAll(dest.contents_, mode);
    ExpectSameRecords(all, r.records);
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(0u, r.dropped);
    EXPECT_EQ(p.back().end, r.last_record_end);
  }
}

// Records ending at every distance from the block end, including those that
// leave less than a header (a zero trailer) or exactly a header (the next
// record then starts with an empty fragment).
TEST(LogTest, BlockBoundaries) {
  for (size_t gap = 0; gap <= kHeaderSize + 2; gap++) {
    SCOPED_TRACE(gap);
    std::vector<std::string> records = {
        Filler('x', kBlockSize - kHeaderSize - gap), "", "y", Filler('z', 5000),
        Filler('w', kBlockSize)};
    StringDest dest;
    std::vector<Placement> p = WriteRecords(&dest, records);
    if (gap < kHeaderSize) {
      EXPECT_EQ(kBlockSize, p[1].start);  // after a zero trailer
      EXPECT_EQ(std::string(gap, '\0'),
                dest.contents_.substr(kBlockSize - gap, gap));
    }
    for (WalRecoveryMode mode : kAllModes) {
      ReadResult r = ReadAll(dest.contents_, mode);
      ExpectSameRecords(records, r.records);
      EXPECT_TRUE(r.status.ok()) << r.status.ToString();
      EXPECT_EQ(0u, r.dropped);
    }
  }
}

TEST(LogTest, RandomRoundTrip) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Random rnd(seed);
  std::vector<std::string> records;
  for (int i = 0; i < 500; i++) {
    records.push_back(test::RandomBytes(&rnd, rnd.Skewed(17)));
  }
  StringDest dest;
  // Several writers, as when a log is reopened for appending.
  std::vector<std::string> batch;
  for (size_t i = 0; i < records.size(); i++) {
    batch.push_back(records[i]);
    if (rnd.OneIn(50) || i + 1 == records.size()) {
      WriteRecords(&dest, batch);
      batch.clear();
    }
  }
  for (WalRecoveryMode mode : kAllModes) {
    ReadResult r = ReadAll(dest.contents_, mode);
    ExpectSameRecords(records, r.records);
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(0u, r.dropped);
    EXPECT_EQ(dest.contents_.size(), r.last_record_end);
  }
}

TEST(LogTest, ManyEmptyRecords) {
  std::vector<std::string> records(20000, "");
  StringDest dest;
  WriteRecords(&dest, records);
  EXPECT_GT(dest.contents_.size(), 4 * kBlockSize);
  ReadResult r = ReadAll(dest.contents_, kTolerate);
  EXPECT_EQ(records.size(), r.records.size());
  EXPECT_TRUE(r.status.ok());
}

TEST(LogTest, RecordSpanningManyBlocks) {
  Random rnd(301);
  std::vector<std::string> records = {"a", test::RandomBytes(&rnd, 1 << 20),
                                      "b"};
  StringDest dest;
  WriteRecords(&dest, records);
  ReadResult r = ReadAll(dest.contents_, kTolerate);
  ExpectSameRecords(records, r.records);
  EXPECT_TRUE(r.status.ok());
}

// Every truncation point of the last record: the tail is dropped silently
// and every earlier record comes back, in every mode (a cut record is what
// kAbsoluteConsistency tolerates too).
void CheckTornTails(const std::vector<std::string>& records, size_t step) {
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records);
  const std::vector<std::string> earlier(records.begin(), records.end() - 1);
  const uint64_t prev_end = p[p.size() - 2].end;
  const uint64_t start = p.back().start;
  // Every cut up to just past the first header, then every step bytes, and
  // around each block boundary.
  std::set<uint64_t> cuts;
  for (uint64_t len = prev_end; len < dest.contents_.size();
       len += (len < start + kHeaderSize + 2 ? 1 : step)) {
    cuts.insert(len);
  }
  for (uint64_t b = kBlockSize; b < dest.contents_.size(); b += kBlockSize) {
    for (uint64_t len : {b - kHeaderSize, b - 1, b, b + 1, b + kHeaderSize}) {
      if (len >= prev_end && len < dest.contents_.size()) cuts.insert(len);
    }
  }
  for (uint64_t len : cuts) {
    SCOPED_TRACE("truncated to " + std::to_string(len));
    // A tail cut inside the zero trailer before the last record, or the
    // trailer alone, carries no record either.
    uint64_t want_dropped = len > start ? len - start : len - prev_end;
    if (len == start) want_dropped = 0;
    for (WalRecoveryMode mode : kAllModes) {
      ReadResult r =
          ReadAll(std::string_view(dest.contents_).substr(0, len), mode);
      ExpectSameRecords(earlier, r.records);
      ASSERT_TRUE(r.status.ok()) << r.status.ToString();
      ASSERT_EQ(0, r.reporter.corruptions) << r.reporter.last.ToString();
      ASSERT_EQ(want_dropped, r.dropped);
      ASSERT_EQ(prev_end, r.last_record_end);
      if (want_dropped > 0) {
        ASSERT_EQ(1, r.reporter.tails);
        ASSERT_EQ(want_dropped, r.reporter.tail_bytes);
        ASSERT_EQ(len - want_dropped, r.reporter.tail_offset);
      }
    }
  }
}

TEST(LogTest, TornTailStraddlingBlocks) {
  Random rnd(17);
  // The last record starts 300 bytes before the end of block 1.
  CheckTornTails(
      {test::RandomBytes(&rnd, 20000),
       test::RandomBytes(&rnd, kBlockSize - 20000 - 300 - 2 * kHeaderSize),
       test::RandomBytes(&rnd, 700)},
      1);
}

TEST(LogTest, TornTailAfterZeroTrailer) {
  Random rnd(18);
  // The record before the last leaves 3 bytes of block 0: a zero trailer.
  CheckTornTails({test::RandomBytes(&rnd, kBlockSize - kHeaderSize - 3),
                  test::RandomBytes(&rnd, 500)},
                 1);
}

TEST(LogTest, TornTailOfMultiBlockRecord) {
  Random rnd(19);
  CheckTornTails({test::RandomBytes(&rnd, 1000), test::RandomBytes(&rnd, 10),
                  test::RandomBytes(&rnd, 5 * kBlockSize / 2)},
                 101);
}

// A damaged byte anywhere in the last record (header or payload) is a torn
// tail, not corruption, unless the log is read with kAbsoluteConsistency
// (LogStrictTest.FlippedByteInLastRecord).
TEST(LogTest, CorruptByteInLastRecordIsDropped) {
  Random rnd(23);
  const std::vector<std::string> records = {
      test::RandomBytes(&rnd, 30000), test::RandomBytes(&rnd, 100),
      test::RandomBytes(&rnd, 4000)};  // crosses into block 1
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records);
  const std::vector<std::string> earlier(records.begin(), records.end() - 1);
  ASSERT_GT(p.back().end, kBlockSize);
  for (uint64_t pos = p.back().start; pos < p.back().end; pos++) {
    for (int mask : {0x01, 0x80}) {
      const bool in_header =
          pos < p.back().start + kHeaderSize ||
          (pos >= kBlockSize && pos < kBlockSize + kHeaderSize);
      // Every bit of the headers, one in each payload byte (and some more).
      if (mask == 0x80 && !in_header && pos % 97 != 0) continue;
      SCOPED_TRACE("byte " + std::to_string(pos) + " ^ " +
                   std::to_string(mask));
      std::string damaged = dest.contents_;
      damaged[pos] = static_cast<char>(damaged[pos] ^ mask);
      for (WalRecoveryMode mode : {kTolerate, kSkip}) {
        ReadResult r = ReadAll(damaged, mode);
        ExpectSameRecords(earlier, r.records);
        ASSERT_TRUE(r.status.ok()) << r.status.ToString();
        ASSERT_EQ(0, r.reporter.corruptions) << r.reporter.last.ToString();
        ASSERT_EQ(damaged.size() - p.back().start, r.dropped);
      }
    }
  }
}

// Damage followed by intact records in the same (last) block.
TEST(LogTest, MiddleCorruptionInLastBlock) {
  Random rnd(29);
  const std::vector<std::string> records = SmallRecords(&rnd, 10);
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records);
  ASSERT_LT(dest.contents_.size(), kBlockSize);
  // A payload byte, a length byte and a type byte of record 3.
  for (uint64_t pos :
       {p[3].start + kHeaderSize + 10, p[3].start + 4, p[3].start + 6}) {
    SCOPED_TRACE("byte " + std::to_string(pos));
    std::string damaged = dest.contents_;
    damaged[pos] = static_cast<char>(damaged[pos] ^ 0x01);

    ReadResult r = ReadAll(damaged, kTolerate);
    ExpectSameRecords({records.begin(), records.begin() + 3}, r.records);
    ASSERT_TRUE(r.status.IsCorruption());
    const std::string message = r.status.ToString();
    EXPECT_NE(std::string::npos, message.find(kFileName)) << message;
    EXPECT_NE(std::string::npos,
              message.find("at offset " + std::to_string(p[3].start)))
        << message;
    EXPECT_EQ(1, r.reporter.corruptions);
    EXPECT_EQ(r.status, r.reporter.last);
    EXPECT_EQ(0, r.reporter.tails);

    // Salvaging resumes at the next block; there is none, but the damage is
    // still reported as corruption, not as a torn tail.
    r = ReadAll(damaged, kSkip);
    ExpectSameRecords({records.begin(), records.begin() + 3}, r.records);
    ASSERT_TRUE(r.status.ok());
    EXPECT_EQ(1, r.reporter.corruptions);
    EXPECT_TRUE(r.reporter.last.IsCorruption());
    EXPECT_EQ(0, r.reporter.tails);
    EXPECT_EQ(damaged.size() - p[3].start, r.skipped);
  }
}

// Damage in block 0 followed by records in later blocks.
TEST(LogTest, MiddleCorruptionInEarlierBlock) {
  Random rnd(31);
  const std::vector<std::string> records = SmallRecords(&rnd, 600);
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records);
  ASSERT_GT(dest.contents_.size(), 2 * kBlockSize);
  std::string damaged = dest.contents_;
  damaged[p[5].start + kHeaderSize] ^= 0x10;

  ReadResult r = ReadAll(damaged, kTolerate);
  ExpectSameRecords({records.begin(), records.begin() + 5}, r.records);
  ASSERT_TRUE(r.status.IsCorruption()) << r.status.ToString();
  EXPECT_NE(std::string::npos, r.status.ToString().find(kFileName));

  // Salvage: everything but record 5 and the rest of its block.
  r = ReadAll(damaged, kSkip);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  std::vector<std::string> want(records.begin(), records.begin() + 5);
  size_t first_after = 0;
  for (size_t i = 6; i < records.size(); i++) {
    if (p[i].start >= kBlockSize) {
      if (first_after == 0) first_after = i;
      want.push_back(records[i]);
    }
  }
  ExpectSameRecords(want, r.records);
  EXPECT_EQ(1, r.reporter.corruptions);
  EXPECT_EQ(p[first_after].start - p[5].start, r.skipped);
  EXPECT_EQ(0u, r.dropped);
}

TEST(LogTest, DamagedFirstFragmentOfSpanningRecord) {
  Random rnd(37);
  const std::vector<std::string> records = {
      test::RandomBytes(&rnd, 1000), test::RandomBytes(&rnd, 3 * kBlockSize),
      test::RandomBytes(&rnd, 10), test::RandomBytes(&rnd, 10)};
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records);
  std::string damaged = dest.contents_;
  damaged[p[1].start + 100] ^= 0x01;

  ReadResult r = ReadAll(damaged, kTolerate);
  ExpectSameRecords({records[0]}, r.records);
  EXPECT_TRUE(r.status.IsCorruption());

  // The record's later fragments are skipped as part of the damage.
  r = ReadAll(damaged, kSkip);
  ExpectSameRecords({records[0], records[2], records[3]}, r.records);
  EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(1, r.reporter.corruptions);
  EXPECT_EQ(p[2].start - p[1].start, r.skipped);
}

// One damaged byte at a random place: under kTolerateCorruptedTail the
// reader returns exactly the records before the damaged one, and fails iff
// an intact record follows; when salvaging it loses only the damaged record
// and the records that start after the damage in the same block.
TEST(LogTest, RandomSingleByteDamage) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Random rnd(seed);
  for (int iter = 0; iter < 300; iter++) {
    SCOPED_TRACE("iteration " + std::to_string(iter));
    std::vector<std::string> records;
    const int n = 1 + static_cast<int>(rnd.Uniform(30));
    for (int i = 0; i < n; i++) {
      records.push_back(test::RandomBytes(&rnd, rnd.Skewed(16)));
    }
    StringDest dest;
    std::vector<Placement> p = WriteRecords(&dest, records);
    std::string damaged = dest.contents_;
    const uint64_t pos = rnd.Uniform(damaged.size());
    damaged[pos] ^= static_cast<char>(1 + rnd.Uniform(255));

    int k = 0;  // the damaged record
    while (k < n && p[k].end <= pos) k++;
    // kAbsoluteConsistency stops at the damage wherever it is, a zero
    // trailer included.
    ReadResult r = ReadAll(damaged, kStrict);
    ExpectSameRecords({records.begin(), records.begin() + k}, r.records);
    ASSERT_TRUE(r.status.IsCorruption()) << "record " << k << " of " << n;
    ASSERT_NE(std::string::npos, r.status.ToString().find(kFileName));
    ASSERT_EQ(1, r.reporter.corruptions);
    ASSERT_EQ(0u, r.dropped);

    if (pos < p[k].start) continue;  // a zero trailer: carries nothing
    r = ReadAll(damaged, kTolerate);
    ExpectSameRecords({records.begin(), records.begin() + k}, r.records);
    if (k + 1 < n) {
      ASSERT_TRUE(r.status.IsCorruption()) << "record " << k << " of " << n;
    } else {
      ASSERT_TRUE(r.status.ok()) << r.status.ToString();
      ASSERT_EQ(damaged.size() - p[k].start, r.dropped);
    }

    r = ReadAll(damaged, kSkip);
    std::vector<std::string> want(records.begin(), records.begin() + k);
    for (int j = k + 1; j < n; j++) {
      if (p[j].start / kBlockSize != pos / kBlockSize) {
        want.push_back(records[j]);
      }
    }
    ExpectSameRecords(want, r.records);
    ASSERT_TRUE(r.status.ok());
    ASSERT_EQ(k + 1 < n ? 1 : 0, r.reporter.corruptions);
  }
}

TEST(LogTest, ZeroFilledTail) {
  Random rnd(41);
  for (size_t zeros : {size_t{1}, size_t{6}, size_t{7}, size_t{100},
                       size_t{5000}, 3 * kBlockSize}) {
    SCOPED_TRACE(zeros);
    const std::vector<std::string> records = SmallRecords(&rnd, 20);
    StringDest dest;
    WriteRecords(&dest, records);
    const uint64_t end = dest.contents_.size();
    dest.contents_.append(zeros, '\0');
    for (WalRecoveryMode mode : kAllModes) {
      ReadResult r = ReadAll(dest.contents_, mode);
      ExpectSameRecords(records, r.records);
      EXPECT_TRUE(r.status.ok());
      EXPECT_EQ(0, r.reporter.corruptions);
      EXPECT_EQ(zeros, r.dropped);
      EXPECT_EQ(end, r.reporter.tail_offset);
    }
  }
}

// Preallocated (zeroed) space where records should be, then intact records.
TEST(LogTest, ZerosInTheMiddle) {
  Random rnd(43);
  const std::vector<std::string> records = SmallRecords(&rnd, 400);
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records);
  std::string damaged = dest.contents_;
  std::fill(damaged.begin() + p[10].start, damaged.begin() + p[200].start,
            '\0');
  ReadResult r = ReadAll(damaged, kTolerate);
  ExpectSameRecords({records.begin(), records.begin() + 10}, r.records);
  EXPECT_TRUE(r.status.IsCorruption());
  EXPECT_NE(std::string::npos, r.status.ToString().find("zero-filled"));
}

// Garbage after the last record is a torn tail for the lenient modes
// (LogStrictTest.GarbageTail covers kAbsoluteConsistency).
TEST(LogTest, RandomGarbageTail) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  Random rnd(seed);
  for (size_t garbage : {1u, 7u, 100u, 1000u, 40000u, 200000u}) {
    SCOPED_TRACE(garbage);
    const std::vector<std::string> records = SmallRecords(&rnd, 50);
    StringDest dest;
    WriteRecords(&dest, records);
    const uint64_t end = dest.contents_.size();
    dest.contents_ += test::RandomBytes(&rnd, garbage);
    for (WalRecoveryMode mode : {kTolerate, kSkip}) {
      ReadResult r = ReadAll(dest.contents_, mode);
      ExpectSameRecords(records, r.records);
      EXPECT_TRUE(r.status.ok());
      EXPECT_EQ(0, r.reporter.corruptions) << r.reporter.last.ToString();
      EXPECT_EQ(garbage, r.dropped);
      EXPECT_EQ(end, r.reporter.tail_offset);
    }
  }
}

// A log that starts with the end of a record (its start lost) and then
// holds intact records is damaged, not torn.
TEST(LogTest, OrphanFragmentsBeforeIntactRecords) {
  Random rnd(47);
  const std::vector<std::string> records = {
      test::RandomBytes(&rnd, 2 * kBlockSize), "after"};
  StringDest dest;
  WriteRecords(&dest, records);
  const std::string tail = dest.contents_.substr(kBlockSize);

  ReadResult r = ReadAll(tail, kTolerate);
  EXPECT_TRUE(r.records.empty());
  EXPECT_TRUE(r.status.IsCorruption());
  EXPECT_NE(std::string::npos, r.status.ToString().find("at offset 0"));

  r = ReadAll(tail, kSkip);
  ExpectSameRecords({"after"}, r.records);
  EXPECT_EQ(1, r.reporter.corruptions);
}

TEST(LogTest, ReadErrorStops) {
  StringDest dest;
  WriteRecords(&dest, {Filler('a', kBlockSize), "b"});
  StringSource source(dest.contents_);
  source.reads_before_failure_ = 1;
  CollectingReporter reporter;
  Reader reader(&source, &reporter, kFileName, kSkip);
  std::string scratch;
  std::string_view record;
  EXPECT_FALSE(reader.ReadRecord(&record, &scratch));
  EXPECT_TRUE(reader.status().IsIOError());
  EXPECT_FALSE(reader.ReadRecord(&record, &scratch));
}

TEST(LogTest, WriterErrorIsSticky) {
  StringDest dest;
  Writer writer(&dest);
  ASSERT_TRUE(writer.AddRecord("ok").ok());
  dest.fail_appends_ = true;
  EXPECT_TRUE(writer.AddRecord("lost").IsIOError());
  dest.fail_appends_ = false;
  EXPECT_TRUE(writer.AddRecord("refused").IsIOError());
  ReadResult r = ReadAll(dest.contents_, kTolerate);
  ExpectSameRecords({"ok"}, r.records);
}

TEST(LogTest, ReopenAfterLastRecordEnd) {
  StringDest dest;
  WriteRecords(&dest, {"one", Filler('2', 40000)});
  const std::string whole = dest.contents_;
  // Tear the second record, then continue the log after the last good one.
  ReadResult r = ReadAll(std::string_view(whole).substr(0, 35000), kTolerate);
  ExpectSameRecords({"one"}, r.records);
  dest.contents_.resize(r.last_record_end);
  WriteRecords(&dest, {"three", Filler('4', 70000)});
  r = ReadAll(dest.contents_, kTolerate);
  ExpectSameRecords({"one", "three", Filler('4', 70000)}, r.records);
  EXPECT_TRUE(r.status.ok());
}

}  // namespace
}  // namespace shale::log
