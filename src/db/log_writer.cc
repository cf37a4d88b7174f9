#include "db/log_writer.h"

#include <algorithm>
#include <cassert>

#include "db/log_format.h"
#include "shale/env.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace shale::log {

Writer::Writer(WritableFile* dest, uint64_t initial_offset)
    : dest_(dest),
      recyclable_(false),
      log_number_(0),
      header_size_(kHeaderSize),
      offset_(initial_offset) {}

Writer::Writer(WritableFile* dest, uint64_t initial_offset, uint64_t log_number)
    : dest_(dest),
      recyclable_(true),
      log_number_(static_cast<uint32_t>(log_number)),
      header_size_(kRecyclableHeaderSize),
      offset_(initial_offset) {}

Status Writer::AddRecord(std::string_view payload) {
  if (!error_.ok()) return error_;

  const char* ptr = payload.data();
  size_t left = payload.size();
  bool begin = true;
  // An empty payload still produces one (empty) kFullType fragment.
  do {
    size_t block_left = kBlockSize - offset_ % kBlockSize;
    if (block_left < header_size_) {
      // Too short for a header: zero-fill so the next fragment starts a
      // block, as the reader expects.
      static constexpr char kZeros[kRecyclableHeaderSize] = {};
      error_ = dest_->Append(std::string_view(kZeros, block_left));
      if (!error_.ok()) return error_;
      offset_ += block_left;
      block_left = kBlockSize;
    }
    const size_t n = std::min(left, block_left - header_size_);
    const bool end = (n == left);
    uint8_t type;
    if (begin && end) {
      type = kFullType;
    } else if (begin) {
      type = kFirstType;
    } else if (end) {
      type = kLastType;
    } else {
      type = kMiddleType;
    }
    // The reader relies on this: only a record's final fragment may end
    // before its block does.
    assert(end || n == block_left - header_size_);
    if (recyclable_) type += kRecyclableFullType - kFullType;
    error_ = EmitFragment(type, ptr, n);
    if (!error_.ok()) return error_;
    ptr += n;
    left -= n;
    begin = false;
  } while (left > 0);

  error_ = dest_->Flush();
  return error_;
}

Status Writer::EmitFragment(uint8_t type, const char* data, size_t n) {
  assert(n <= 0xffff);
  char header[kRecyclableHeaderSize];
  header[4] = static_cast<char>(n & 0xff);
  header[5] = static_cast<char>(n >> 8);
  header[6] = static_cast<char>(type);
  if (recyclable_) EncodeFixed32(header + kHeaderSize, log_number_);
  // The checksum covers the type, the log number if any, and the payload.
  const uint32_t crc = Checksum2(std::string_view(header + 6, header_size_ - 6),
                                 std::string_view(data, n));
  EncodeFixed32(header, MaskChecksum(crc));
  Status s = dest_->Append(std::string_view(header, header_size_));
  if (s.ok() && n > 0) s = dest_->Append(std::string_view(data, n));
  offset_ += header_size_ + n;
  return s;
}

}  // namespace shale::log
