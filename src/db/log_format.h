// The framing of shale's log files: the write-ahead logs (*.log) and the
// MANIFEST. See docs/format/wal.md for the full description.
//
//   file      := block*                     (the last block may be partial)
//   block     := fragment* trailer          (exactly kBlockSize bytes)
//   fragment  := checksum:fixed32 length:fixed16 type:uint8 payload[length]
//              | checksum:fixed32 length:fixed16 type:uint8
//                log_number:fixed32 payload[length]      (types 5-8)
//   trailer   := 0x00{0..10}                (a block tail shorter than the
//                                            writer's header)
//   checksum  := MaskChecksum(Checksum(type | [log_number] | payload))
//
// A record (one AddRecord call) is cut into fragments that never cross a block
// boundary: either one FULL fragment, or FIRST, MIDDLE*, LAST. A FIRST or
// MIDDLE fragment always ends exactly at the end of its block, which is why a
// fragment found anywhere but at a block start can only be FULL or FIRST.
//
// Types 1-4 are the legacy framing, used by the MANIFEST. WALs use types 5-8,
// the same kinds stamped with the low 32 bits of the WAL's file number: in a
// file that held an older log before, that log's fragments carry another
// number, so they read as the end of this one, never as its records.
//
// Type 0 is never written: it is what zero-filled (preallocated, or never
// written) space looks like, and it reads as damage.
#ifndef SHALE_DB_LOG_FORMAT_H_
#define SHALE_DB_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>

namespace shale::log {

enum FragmentType : uint8_t {
  kZeroType = 0,  // reserved: zero-filled space
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
  // The same four, with the log number in the header.
  kRecyclableFullType = 5,
  kRecyclableFirstType = 6,
  kRecyclableMiddleType = 7,
  kRecyclableLastType = 8,
};
constexpr uint8_t kMaxFragmentType = kRecyclableLastType;

constexpr bool IsRecyclable(uint8_t type) {
  return type >= kRecyclableFullType && type <= kRecyclableLastType;
}
// FULL, FIRST, MIDDLE or LAST, whichever framing the type is from.
constexpr uint8_t BaseType(uint8_t type) {
  return IsRecyclable(type) ? type - (kRecyclableFullType - kFullType) : type;
}

constexpr size_t kBlockSize = 32768;

// checksum (4) + length (2) + type (1).
constexpr size_t kHeaderSize = 4 + 2 + 1;
// ... + log number (4).
constexpr size_t kRecyclableHeaderSize = kHeaderSize + 4;

constexpr size_t HeaderSizeOf(uint8_t type) {
  return IsRecyclable(type) ? kRecyclableHeaderSize : kHeaderSize;
}

}  // namespace shale::log

#endif  // SHALE_DB_LOG_FORMAT_H_
