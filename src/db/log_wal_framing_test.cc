// The WALs' framing (fragment types 5-8, stamped with the log number): round
// trips, and a reused file whose older log's fragments end the new log.
#include <gtest/gtest.h>

#include "db/log_test_util.h"

namespace shale::log {
namespace {

// --- the WALs' framing: fragments stamped with the log number ---------------

constexpr uint64_t kOldLog = 7;
constexpr uint64_t kNewLog = 9;

std::string WriteWal(const std::vector<std::string>& records, uint64_t number,
                     std::vector<Placement>* placements = nullptr) {
  StringDest dest;
  std::vector<Placement> p = WriteRecords(&dest, records, number);
  if (placements != nullptr) *placements = std::move(p);
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
