// A small, fast, seedable PRNG (splitmix64) for tests, skiplist heights and
// benchmarks. Not for cryptography.
#ifndef SHALE_UTIL_RANDOM_H_
#define SHALE_UTIL_RANDOM_H_

#include <cstdint>

namespace shale {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next64() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t Next() { return static_cast<uint32_t>(Next64() >> 32); }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) { return Next64() % n; }
  // True with probability 1/n.
  bool OneIn(uint64_t n) { return Uniform(n) == 0; }
  // Picks base in [0, max_log] uniformly, then a value in [0, 2^base):
  // small values are common, large ones possible.
  uint64_t Skewed(int max_log) {
    return Uniform(uint64_t{1} << Uniform(max_log + 1));
  }

 private:
  uint64_t state_;
};

}  // namespace shale

#endif  // SHALE_UTIL_RANDOM_H_
