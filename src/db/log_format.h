// The framing of shale's log files: the write-ahead logs (*.log) and the
// MANIFEST. See docs/format/wal.md for the full description.
//
//   file      := block*                     (the last block may be partial)
//   block     := fragment* trailer          (exactly kBlockSize bytes)
//   fragment  := checksum:fixed32 length:fixed16 type:uint8 payload[length]
//   trailer   := 0x00{0..6}                 (a block tail shorter than a
//   header) checksum  := MaskChecksum(Checksum(type | payload))
//
// A record (one AddRecord call) is cut into fragments that never cross a block
// boundary: either one kFullType fragment, or kFirstType, kMiddleType*,
// kLastType. A kFirstType or kMiddleType fragment always ends exactly at the
// end of its block, which is why a fragment found anywhere but at a block
// start can only be kFullType or kFirstType.
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
};
constexpr uint8_t kMaxFragmentType = kLastType;

constexpr size_t kBlockSize = 32768;

// checksum (4) + length (2) + type (1).
constexpr size_t kHeaderSize = 4 + 2 + 1;

}  // namespace shale::log

#endif  // SHALE_DB_LOG_FORMAT_H_
