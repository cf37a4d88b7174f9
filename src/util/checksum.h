// The checksum of every on-disk record and block: the low 32 bits of XXH3-64
// (libxxhash), stored fixed32 little-endian. docs/format/*.md refer here.
//
// A stored checksum is "masked" (rotated and offset) so that a checksum
// computed over bytes that themselves contain checksums (a block holding a
// record) does not degenerate; MaskChecksum/UnmaskChecksum convert.
#ifndef SHALE_UTIL_CHECKSUM_H_
#define SHALE_UTIL_CHECKSUM_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shale {

uint32_t Checksum(const char* data, size_t n);
inline uint32_t Checksum(std::string_view s) {
  return Checksum(s.data(), s.size());
}
// Checksum of the concatenation a+b without building it.
uint32_t Checksum2(std::string_view a, std::string_view b);

constexpr uint32_t kChecksumMaskDelta = 0xa282ead8u;
inline uint32_t MaskChecksum(uint32_t c) {
  return ((c >> 15) | (c << 17)) + kChecksumMaskDelta;
}
inline uint32_t UnmaskChecksum(uint32_t m) {
  uint32_t rot = m - kChecksumMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace shale

#endif  // SHALE_UTIL_CHECKSUM_H_
