// Helpers shared by the log framing tests (log_test.cc, log_strict_test.cc,
// log_wal_framing_test.cc): a log file in a string, a reader that collects
// what it returns and reports, and a writer that says where records went.
#ifndef SHALE_DB_LOG_TEST_UTIL_H_
#define SHALE_DB_LOG_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/log_format.h"
#include "db/log_reader.h"
#include "db/log_writer.h"
#include "shale/env.h"
#include "testing/test_util.h"
#include "util/random.h"

namespace shale::log {

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

inline constexpr char kFileName[] = "000042.log";
inline constexpr WalRecoveryMode kTolerate =
    WalRecoveryMode::kTolerateCorruptedTail;
inline constexpr WalRecoveryMode kSkip =
    WalRecoveryMode::kSkipAnyCorruptedRecords;
inline constexpr WalRecoveryMode kStrict =
    WalRecoveryMode::kAbsoluteConsistency;
inline constexpr WalRecoveryMode kAllModes[] = {kTolerate, kSkip, kStrict};

struct ReadResult {
  std::vector<std::string> records;
  Status status;
  CollectingReporter reporter;
  uint64_t dropped = 0;
  uint64_t skipped = 0;
  uint64_t last_record_end = 0;
};

// log_number: read as a WAL with that number, else as the MANIFEST.
inline ReadResult ReadAll(std::string_view contents, WalRecoveryMode mode,
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

// Appends records to *dest and returns where each went: in the legacy
// framing, or in the WAL framing stamped with log_number.
inline std::vector<Placement> WriteRecords(
    StringDest* dest, const std::vector<std::string>& records,
    std::optional<uint64_t> log_number = std::nullopt) {
  Writer writer = log_number ? Writer(dest, dest->contents_.size(), *log_number)
                             : Writer(dest, dest->contents_.size());
  const size_t header = log_number ? kRecyclableHeaderSize : kHeaderSize;
  std::vector<Placement> placements;
  for (const std::string& r : records) {
    uint64_t start = writer.offset();
    const uint64_t block_left = kBlockSize - start % kBlockSize;
    if (block_left < header) start += block_left;
    EXPECT_TRUE(writer.AddRecord(r).ok());
    placements.push_back({start, writer.offset()});
  }
  EXPECT_EQ(writer.offset(), dest->contents_.size());
  return placements;
}

inline std::string Filler(char c, size_t n) { return std::string(n, c); }

inline void ExpectSameRecords(const std::vector<std::string>& want,
                              const std::vector<std::string>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); i++) {
    ASSERT_EQ(want[i].size(), got[i].size()) << "record " << i;
    ASSERT_TRUE(want[i] == got[i]) << "record " << i;
  }
}

inline std::vector<std::string> SmallRecords(Random* rnd, int n) {
  std::vector<std::string> records;
  for (int i = 0; i < n; i++) {
    records.push_back(test::RandomBytes(rnd, 50 + rnd->Uniform(200)));
  }
  return records;
}

}  // namespace shale::log

#endif  // SHALE_DB_LOG_TEST_UTIL_H_
