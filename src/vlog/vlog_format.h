// Value log (vlog) files: where large values live, apart from the tree.
// See docs/format/vlog.md for every byte.
//
//   file    := header record* footer
//   header  := magic:fixed64 version:fixed32 checksum:fixed32     (16 bytes)
//   record  := checksum:fixed32 key_size:fixed32 value_size:fixed32
//              key[key_size] value[value_size]
//   footer  := records:fixed64 data_bytes:fixed64 magic:fixed64
//              checksum:fixed32                                   (28 bytes)
//
// Checksums are masked (util/checksum.h): the header's over its first 12
// bytes, a record's over everything after its checksum field, the footer's
// over its first 24 bytes. Records are written sorted by key (a vlog holds
// the values of one flush or one compaction output, in key order).
//
// A value pointer (the value of a kTypeBlobIndex entry in the tree) names a
// record:  file_number:varint64 offset:varint64 value_size:varint32
// The record's length follows: kRecordHeaderSize + key size + value_size.
#ifndef SHALE_VLOG_VLOG_FORMAT_H_
#define SHALE_VLOG_VLOG_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "shale/status.h"

namespace shale {

constexpr uint64_t kVlogMagic = 0x474f4c56656c6873ull;  // "shleVLOG"
constexpr uint32_t kVlogFormatVersion = 1;
constexpr size_t kVlogHeaderSize = 16;
constexpr size_t kVlogRecordHeaderSize = 12;
constexpr size_t kVlogFooterSize = 28;
// Keys and values past these sizes are not stored in vlogs (keys) or are
// rejected as corrupt lengths (both), bounding what a damaged file can make
// a reader allocate.
constexpr uint32_t kVlogMaxKeySize = 64u << 20;
constexpr uint32_t kVlogMaxValueSize = 1u << 30;

struct ValuePointer {
  uint64_t file_number = 0;
  uint64_t offset = 0;  // of the record
  uint32_t value_size = 0;

  void EncodeTo(std::string* dst) const;
  // False if input is not exactly one well-formed pointer.
  bool DecodeFrom(std::string_view input);
  // Bytes of the record it names, given its key's size.
  uint64_t RecordSize(size_t key_size) const {
    return kVlogRecordHeaderSize + key_size + value_size;
  }
};

std::string EncodeVlogHeader();
Status CheckVlogHeader(std::string_view header, const std::string& file_name);

// The footer's counts: what a finished file holds (its records, and the
// bytes from the end of the header to the footer).
struct VlogFooter {
  uint64_t records = 0;
  uint64_t data_bytes = 0;
};
std::string EncodeVlogFooter(const VlogFooter& footer);
// Corruption naming file_name unless footer is kVlogFooterSize bytes with a
// good magic and checksum.
[[nodiscard]] Status DecodeVlogFooter(std::string_view footer,
                                      const std::string& file_name,
                                      VlogFooter* result);

}  // namespace shale

#endif  // SHALE_VLOG_VLOG_FORMAT_H_
