#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/log_format.h"
#include "db/log_reader.h"
#include "db/log_writer.h"
#include "shale/env.h"
#include "testing/test_util.h"
#include "util/random.h"

namespace shale::log {
namespace {

// A log file in a std::string.
class StringDest final : public WritableFile {
 public:
  Status Append(std::string_view data) override {
    if (fail_appends_) return Status::IOError("injected append failure");
    contents_.append(data.data(), data.size());
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override { return contents_.size(); }

  std::string contents_;
  bool fail_appends_ = false;
};

// Reads a string; copies into scratch like a real file, and may fail.
class StringSource final : public SequentialFile {
 public:
  explicit StringSource(std::string_view data) : data_(data) {}
  Status Read(size_t n, std::string_view* result, char* scratch) override {
    if (reads_before_failure_ == 0) return Status::IOError("injected failure");
    reads_before_failure_--;
    n = std::min(n, data_.size() - pos_);
    std::memcpy(scratch, data_.data() + pos_, n);
    pos_ += n;
    *result = std::string_view(scratch, n);
    return Status::OK();
  }
  Status Skip(uint64_t n) override {
    pos_ += std::min<uint64_t>(n, data_.size() - pos_);
    return Status::OK();
  }

  int reads_before_failure_ = -1;  // negative: never fail

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

class CollectingReporter final : public Reader::Reporter {
 public:
  void Corruption(size_t bytes, const Status& status) override {
    corruptions++;
    corrupt_bytes += bytes;
    last = status;
  }
  void TailDropped(uint64_t offset, uint64_t bytes) override {
    tails++;
    tail_offset = offset;
    tail_bytes = bytes;
  }

  int corruptions = 0;
  size_t corrupt_bytes = 0;
  Status last;
  int tails = 0;
  uint64_t tail_offset = 0;
  uint64_t tail_bytes = 0;
};

constexpr char kFileName[] = "000042.log";
constexpr WalRecoveryMode kTolerate = WalRecoveryMode::kTolerateCorruptedTail;
constexpr WalRecoveryMode kSkip = WalRecoveryMode::kSkipAnyCorruptedRecords;
constexpr WalRecoveryMode kStrict = WalRecoveryMode::kAbsoluteConsistency;
constexpr WalRecoveryMode kAllModes[] = {kTolerate, kSkip, kStrict};

struct ReadResult {
  std::vector<std::string> records;
  Status status;
  CollectingReporter reporter;
  uint64_t dropped = 0;
  uint64_t skipped = 0;
  uint64_t last_record_end = 0;
};

// log_number: read as a WAL with that number, else as the MANIFEST.
ReadResult ReadAll(std::string_view contents, WalRecoveryMode mode,
                   std::optional<uint64_t> log_number = std::nullopt) {
  ReadResult r;
  StringSource source(contents);
  Reader reader(&source, &r.reporter, kFileName, mode, log_number);
  std::string scratch;
  std::string_view record;
  while (reader.ReadRecord(&record, &scratch)) {
    r.records.emplace_back(record);
  }
  EXPECT_FALSE(reader.ReadRecord(&record, &scratch)) << "reader not done";
  r.status = reader.status();
  r.dropped = reader.dropped_tail_bytes();
  r.skipped = reader.skipped_bytes();
  r.last_record_end = reader.LastRecordEnd();
  return r;
}

// Where the writer put each record.
struct Placement {
  uint64_t start;
  uint64_t end;
};

// Appends records to *dest and returns where each went.
std::vector<Placement> WriteRecords(StringDest* dest,
                                    const std::vector<std::string>& records) {
  Writer writer(dest, dest->contents_.size());
  std::vector<Placement> placements;
  for (const std::string& r : records) {
    uint64_t start = writer.offset();
    const uint64_t block_left = kBlockSize - start % kBlockSize;
    if (block_left < kHeaderSize) start += block_left;
    EXPECT_TRUE(writer.AddRecord(r).ok());
    placements.push_back({start, writer.offset()});
  }
  EXPECT_EQ(writer.offset(), dest->contents_.size());
  return placements;
}

std::string Filler(char c, size_t n) { return std::string(n, c); }

void ExpectSameRecords(const std::vector<std::string>& want,
                       const std::vector<std::string>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); i++) {
    ASSERT_EQ(want[i].size(), got[i].size()) << "record " << i;
    ASSERT_TRUE(want[i] == got[i]) << "record " << i;
  }
}

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

std::vector<std::string> SmallRecords(Random* rnd, int n) {
  std::vector<std::string> records;
  for (int i = 0; i < n; i++) {
    records.push_back(test::RandomBytes(rnd, 50 + rnd->Uniform(200)));
  }
  return records;
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

// --- the WALs' framing: fragments stamped with the log number ---------------

constexpr uint64_t kOldLog = 7;
constexpr uint64_t kNewLog = 9;

std::string WriteWal(const std::vector<std::string>& records, uint64_t number,
                     std::vector<Placement>* placements = nullptr) {
  StringDest dest;
  Writer writer(&dest, 0, number);
  for (const std::string& r : records) {
    uint64_t start = writer.offset();
    const uint64_t block_left = kBlockSize - start % kBlockSize;
    if (block_left < kRecyclableHeaderSize) start += block_left;
    EXPECT_TRUE(writer.AddRecord(r).ok());
    if (placements != nullptr) placements->push_back({start, writer.offset()});
  }
  EXPECT_EQ(writer.offset(), dest.contents_.size());
  return dest.contents_;
}

ReadResult ReadWal(std::string_view contents, WalRecoveryMode mode,
                   uint64_t number) {
  return ReadAll(contents, mode, number);
}

// What a reused file holds: the new log over the old one's bytes.
std::string Overwrite(const std::string& old_log, const std::string& new_log) {
  std::string file = new_log;
  if (old_log.size() > new_log.size()) file += old_log.substr(new_log.size());
  return file;
}

std::vector<std::string> NumberedRecords(Random* rnd, const char* tag, int n) {
  std::vector<std::string> records;
  for (int i = 0; i < n; i++) {
    // Mostly small, some spanning blocks.
    size_t size =
        rnd->OneIn(8) ? 20000 + rnd->Uniform(50000) : rnd->Uniform(3000);
    records.push_back(std::string(tag) + std::to_string(i) + ":" +
                      test::RandomBytes(rnd, size));
  }
  return records;
}

TEST(LogWalFramingTest, RoundTripAtEveryBlockEndDistance) {
  // A first record leaves `left` bytes in block 0, for every left up to past
  // the header: 0..10 leave a zero trailer, 11 an empty FIRST fragment.
  for (size_t left = 0; left <= kRecyclableHeaderSize + 2; left++) {
    SCOPED_TRACE(left);
    const std::vector<std::string> records = {
        Filler('x', kBlockSize - kRecyclableHeaderSize - left), "next",
        Filler('y', 40000)};
    std::vector<Placement> p;
    const std::string wal = WriteWal(records, kNewLog, &p);
    for (WalRecoveryMode mode : kAllModes) {
      ReadResult r = ReadWal(wal, mode, kNewLog);
      ExpectSameRecords(records, r.records);
      EXPECT_TRUE(r.status.ok()) << r.status.ToString();
      EXPECT_EQ(0u, r.dropped);
      EXPECT_EQ(0, r.reporter.corruptions);
      EXPECT_EQ(p.back().end, r.last_record_end);
    }
  }
}

TEST(LogWalFramingTest, LegacyLogReadsAsBefore) {
  Random rnd(101);
  const std::vector<std::string> records = NumberedRecords(&rnd, "legacy", 40);
  StringDest dest;
  WriteRecords(&dest, records);
  for (WalRecoveryMode mode : kAllModes) {
    ReadResult r = ReadWal(dest.contents_, mode, kNewLog);
    ExpectSameRecords(records, r.records);
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  }
}

// The MANIFEST's reader, given no log number, knows only types 1-4.
TEST(LogWalFramingTest, ReaderWithoutNumberRejectsWalFraming) {
  const std::string wal = WriteWal({"a", "b"}, kNewLog);
  ReadResult r = ReadAll(wal, kTolerate);
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(wal.size(), r.dropped);
  r = ReadAll(wal, kStrict);
  EXPECT_TRUE(r.records.empty());
  EXPECT_TRUE(r.status.IsCorruption());
}

// Another log number is another log, even when the fragment is intact.
TEST(LogWalFramingTest, WrongNumberIsNotThisLog) {
  const std::string wal = WriteWal({"a", "b"}, kOldLog);
  for (WalRecoveryMode mode : kAllModes) {
    ReadResult r = ReadWal(wal, mode, kNewLog);
    EXPECT_TRUE(r.records.empty());
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(0u, r.dropped);
    EXPECT_EQ(0, r.reporter.corruptions);
  }
  // Only the low 32 bits are stored: 2^32 + 7 reads as log 7.
  ReadResult r = ReadWal(wal, kTolerate, (uint64_t{1} << 32) + kOldLog);
  ExpectSameRecords({"a", "b"}, r.records);
}

// A reused file: the new log's records, then the old log's. Only the new
// ones come back, under the lenient policies, whatever the lengths.
TEST(LogWalFramingTest, ReusedFileEndsWhereTheOldLogShows) {
  Random rnd(103);
  const std::vector<std::string> old_records = NumberedRecords(&rnd, "old", 80);
  const std::string old_log = WriteWal(old_records, kOldLog);
  for (int n : {0, 1, 5, 30, 79}) {
    SCOPED_TRACE(n);
    const std::vector<std::string> new_records =
        NumberedRecords(&rnd, "new", n);
    const std::string new_log = WriteWal(new_records, kNewLog);
    ASSERT_LT(new_log.size(), old_log.size());
    for (WalRecoveryMode mode : {kTolerate, kSkip}) {
      ReadResult r = ReadWal(Overwrite(old_log, new_log), mode, kNewLog);
      ExpectSameRecords(new_records, r.records);
      EXPECT_TRUE(r.status.ok()) << r.status.ToString();
      EXPECT_EQ(0, r.reporter.corruptions);
      EXPECT_EQ(0u, r.skipped);
      // At most the rest of the block the new log ended in is dropped.
      EXPECT_LE(r.dropped, kBlockSize);
    }
  }
}

// A file that held a legacy-framed log before: once the log's first
// fragment is in the WAL framing, a legacy fragment is another log.
TEST(LogWalFramingTest, LegacyFragmentsAfterWalFramingAreAnotherLog) {
  StringDest old_dest;
  WriteRecords(&old_dest, {Filler('o', 100), "q", "r"});
  const std::string new_log = WriteWal({Filler('n', 100)}, kNewLog);
  // The old log's fragments from its second one on, right after the new
  // log's only record: intact FULL fragments of the legacy framing.
  const std::string file =
      new_log + old_dest.contents_.substr(kHeaderSize + 100);
  for (WalRecoveryMode mode : kAllModes) {
    ReadResult r = ReadWal(file, mode, kNewLog);
    ExpectSameRecords({Filler('n', 100)}, r.records);
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    EXPECT_EQ(0u, r.dropped);
  }
}

// The new log's last write torn at every point (step 97 bytes): what comes
// back is a prefix of the new records, never an old one, and never an error.
TEST(LogWalFramingTest, TornWriteOverAnOlderLog) {
  Random rnd(107);
  const std::vector<std::string> old_records = NumberedRecords(&rnd, "old", 60);
  const std::vector<std::string> new_records = NumberedRecords(&rnd, "new", 25);
  const std::string old_log = WriteWal(old_records, kOldLog);
  std::vector<Placement> p;
  const std::string new_log = WriteWal(new_records, kNewLog, &p);
  ASSERT_LT(new_log.size(), old_log.size());
  for (size_t cut = 0; cut <= new_log.size(); cut += 97) {
    SCOPED_TRACE(cut);
    const std::string file = Overwrite(old_log, new_log.substr(0, cut));
    size_t complete = 0;
    while (complete < p.size() && p[complete].end <= cut) complete++;
    for (WalRecoveryMode mode : {kTolerate, kSkip}) {
      ReadResult r = ReadWal(file, mode, kNewLog);
      ASSERT_TRUE(r.status.ok()) << r.status.ToString();
      ASSERT_EQ(0, r.reporter.corruptions);
      ASSERT_EQ(complete, r.records.size());
      for (size_t i = 0; i < complete; i++) {
        ASSERT_TRUE(new_records[i] == r.records[i]) << "record " << i;
      }
    }
  }
}

// Damage followed by an intact record of this log is still middle
// corruption, with the older log's fragments after it or not.
TEST(LogWalFramingTest, MiddleCorruptionStillDetected) {
  Random rnd(109);
  const std::string old_log =
      WriteWal(NumberedRecords(&rnd, "old", 60), kOldLog);
  std::vector<Placement> p;
  const std::vector<std::string> new_records = {"a", Filler('b', 500), "c",
                                                Filler('d', 40000), "e"};
  std::string new_log = WriteWal(new_records, kNewLog, &p);
  new_log[p[1].start + kRecyclableHeaderSize + 10] ^= 1;  // inside "bbb..."
  for (const std::string& file : {new_log, Overwrite(old_log, new_log)}) {
    ReadResult r = ReadWal(file, kTolerate, kNewLog);
    ExpectSameRecords({"a"}, r.records);
    EXPECT_TRUE(r.status.IsCorruption()) << r.status.ToString();
    // Salvaging resumes at the next block: "c" and the FIRST fragment of
    // "ddd..." share block 0 with the damage and are lost with it.
    r = ReadWal(file, kSkip, kNewLog);
    ExpectSameRecords({"a", "e"}, r.records);
    EXPECT_LE(1, r.reporter.corruptions);
    r = ReadWal(file, kStrict, kNewLog);
    ExpectSameRecords({"a"}, r.records);
    EXPECT_TRUE(r.status.IsCorruption()) << r.status.ToString();
  }
}

}  // namespace
}  // namespace shale::log
