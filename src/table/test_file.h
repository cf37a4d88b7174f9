// In-memory files for the table tests: a WritableFile appending to a
// std::string and a RandomAccessFile reading from one, with read counting
// and optional failure injection. Tests only.
#ifndef SHALE_TABLE_TEST_FILE_H_
#define SHALE_TABLE_TEST_FILE_H_

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <string_view>

#include "shale/env.h"

namespace shale::test {

class StringSink final : public WritableFile {
 public:
  Status Append(std::string_view data) override {
    if (fail_appends_) return Status::IOError("injected append error");
    contents_.append(data);
    return Status::OK();
  }
  Status Flush() override { return Status::OK(); }
  Status Sync() override { return Status::OK(); }
  Status Close() override { return Status::OK(); }
  uint64_t Size() const override { return contents_.size(); }

  const std::string& contents() const { return contents_; }
  void set_fail_appends(bool fail) { fail_appends_ = fail; }

 private:
  std::string contents_;
  bool fail_appends_ = false;
};

// Serves reads from a copy of the bytes given. By default a read copies
// into scratch (as a pread-based file does); with borrow = true it returns
// views into its own memory (as an mmap-based file does).
class StringSource final : public RandomAccessFile {
 public:
  explicit StringSource(std::string contents, bool borrow = false)
      : contents_(std::move(contents)), borrow_(borrow) {}

  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    reads_.fetch_add(1, std::memory_order_relaxed);
    if (fail_reads_.load(std::memory_order_relaxed)) {
      *result = {};
      return Status::IOError("injected read error");
    }
    if (offset >= contents_.size()) {
      *result = {};
      return Status::OK();
    }
    n = std::min<uint64_t>(n, contents_.size() - offset);
    if (borrow_) {
      *result = std::string_view(contents_.data() + offset, n);
    } else {
      std::memcpy(scratch, contents_.data() + offset, n);
      *result = std::string_view(scratch, n);
    }
    return Status::OK();
  }

  uint64_t reads() const { return reads_.load(std::memory_order_relaxed); }
  void set_fail_reads(bool fail) { fail_reads_.store(fail); }

 private:
  const std::string contents_;
  const bool borrow_;
  mutable std::atomic<uint64_t> reads_{0};
  std::atomic<bool> fail_reads_{false};
};

}  // namespace shale::test

#endif  // SHALE_TABLE_TEST_FILE_H_
