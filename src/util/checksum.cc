#include "util/checksum.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace shale {

uint32_t Checksum(const char* data, size_t n) {
  return static_cast<uint32_t>(XXH3_64bits(data, n));
}

uint32_t Checksum2(std::string_view a, std::string_view b) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, a.data(), a.size());
  XXH3_64bits_update(&state, b.data(), b.size());
  return static_cast<uint32_t>(XXH3_64bits_digest(&state));
}

}  // namespace shale
