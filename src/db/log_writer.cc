#include "db/log_writer.h"

#include <algorithm>
#include <cassert>

#include "db/log_format.h"
#include "shale/env.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace shale::log {

Writer::Writer(WritableFile* dest, uint64_t initial_offset)
    : dest_(dest), offset_(initial_offset) {}

Status Writer::AddRecord(std::string_view payload) {
  if (!error_.ok()) return error_;

  const char* ptr = payload.data();
  size_t left = payload.size();
  bool begin = true;
  // An empty payload still produces one (empty) kFullType fragment.
  do {
    size_t block_left = kBlockSize - offset_ % kBlockSize;
    if (block_left < kHeaderSize) {
      // Too short for a header: zero-fill so the next fragment starts a
      // block, as the reader expects.
      static constexpr char kZeros[kHeaderSize] = {};
      error_ = dest_->Append(std::string_view(kZeros, block_left));
      if (!error_.ok()) return error_;
      offset_ += block_left;
      block_left = kBlockSize;
    }
    const size_t n = std::min(left, block_left - kHeaderSize);
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
    assert(end || n == block_left - kHeaderSize);
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
  char header[kHeaderSize];
  const char type_byte = static_cast<char>(type);
  const uint32_t crc =
      Checksum2(std::string_view(&type_byte, 1), std::string_view(data, n));
  EncodeFixed32(header, MaskChecksum(crc));
  header[4] = static_cast<char>(n & 0xff);
  header[5] = static_cast<char>(n >> 8);
  header[6] = type_byte;
  Status s = dest_->Append(std::string_view(header, kHeaderSize));
  if (s.ok() && n > 0) s = dest_->Append(std::string_view(data, n));
  offset_ += kHeaderSize + n;
  return s;
}

}  // namespace shale::log
