// Helpers shared by the fuzz targets (fuzz/*_fuzz.cc): a cursor that takes
// small numbers off the front of the input, and a RandomAccessFile and
// SequentialFile over a byte string.
#ifndef SHALE_FUZZ_FUZZ_UTIL_H_
#define SHALE_FUZZ_FUZZ_UTIL_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "shale/env.h"

namespace shale::fuzz {

// Takes bytes off the front of the fuzzer's input; returns zeros once it
// runs out, so every target accepts every input.
class Input {
 public:
  Input(const uint8_t* data, size_t size)
      : data_(reinterpret_cast<const char*>(data), size) {}
  uint8_t Byte() {
    if (data_.empty()) return 0;
    uint8_t b = static_cast<uint8_t>(data_[0]);
    data_.remove_prefix(1);
    return b;
  }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | Byte();
    return v;
  }
  std::string_view Take(size_t n) {
    n = std::min(n, data_.size());
    std::string_view out = data_.substr(0, n);
    data_.remove_prefix(n);
    return out;
  }
  std::string_view rest() const { return data_; }

 private:
  std::string_view data_;
};

// Keeps a value computed from what a target read, so the reads are not
// optimized away.
inline volatile size_t sink_value = 0;
inline void Sink(size_t v) { sink_value = v; }

// Reads from a copy of bytes, as a pread-based file does.
class StringFile final : public RandomAccessFile, public SequentialFile {
 public:
  explicit StringFile(std::string bytes) : bytes_(std::move(bytes)) {}
  Status Read(uint64_t offset, size_t n, std::string_view* result,
              char* scratch) const override {
    if (offset >= bytes_.size()) {
      *result = {};
      return Status::OK();
    }
    n = std::min<size_t>(n, bytes_.size() - offset);
    std::memcpy(scratch, bytes_.data() + offset, n);
    *result = std::string_view(scratch, n);
    return Status::OK();
  }
  Status Read(size_t n, std::string_view* result, char* scratch) override {
    Status s = Read(pos_, n, result, scratch);
    pos_ += result->size();
    return s;
  }
  Status Skip(uint64_t n) override {
    pos_ = std::min<uint64_t>(bytes_.size(), pos_ + n);
    return Status::OK();
  }

 private:
  const std::string bytes_;
  uint64_t pos_ = 0;
};

}  // namespace shale::fuzz

#endif  // SHALE_FUZZ_FUZZ_UTIL_H_
