// Keys, values and the random choices of the workloads.
//
// Every engine sees the same sequence: each benchmark thread draws from its
// own generator seeded from (--seed, benchmark position, thread), never from
// anything that depends on the engine or the clock.
//
// Keys: the key index in decimal, zero-padded on the left to key_size bytes,
// so key order is index order.
// Values: a 12-byte header (key index, stamp; fixed-width little-endian)
// followed by a slice of a shared, half-compressible byte pool whose offset
// is a hash of (index, stamp). A reader can thus check that a value belongs
// to its key and is intact, and, when it knows the stamp last written, that
// it is the newest one (--verify).
#ifndef SHALE_BENCH_KEYS_H_
#define SHALE_BENCH_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shale_bench {

// splitmix64: small, fast and good enough to drive workloads.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint64_t Uniform(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >>
                                 64);
  }
  double UniformDouble() { return (Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

uint64_t Mix64(uint64_t x);  // a bijective 64-bit hash
uint64_t SeedFor(uint64_t seed, int bench_index, int thread);

class KeyFormat {
 public:
  explicit KeyFormat(int key_size) : key_size_(key_size) {}
  int key_size() const { return key_size_; }
  // The largest index that fits (10^digits - 1).
  uint64_t MaxIndex() const;
  // Writes the key of index into out (key_size bytes) and returns it.
  std::string_view Format(uint64_t index, char* out) const;
  // Parses a key back; false if it is not one of ours.
  bool Parse(std::string_view key, uint64_t* index) const;

 private:
  int key_size_;
};

class ValuePool {
 public:
  static constexpr size_t kHeader = 12;

  // compression_ratio: the fraction of a value left after a compressor that
  // finds repeats (0.5: half of each 128-byte piece repeats the other half).
  ValuePool(size_t value_size, double compression_ratio, uint64_t seed);

  size_t value_size() const { return value_size_; }
  // Writes the value for (index, stamp) into out (value_size bytes).
  std::string_view Make(uint64_t index, uint32_t stamp, char* out) const;
  // Checks a value read for index. On success *stamp is the stamp it
  // carries. false when the value is not one this pool made for index.
  bool Check(uint64_t index, std::string_view value, uint32_t* stamp) const;

 private:
  size_t Offset(uint64_t index, uint32_t stamp) const;

  size_t value_size_;
  std::string pool_;
};

// A random permutation of [0, n) computed without storing it: a 4-round
// Feistel network over the next power of two, cycle-walking values >= n.
class Permutation {
 public:
  Permutation(uint64_t n, uint64_t seed);
  uint64_t At(uint64_t i) const;

 private:
  uint64_t Round(uint64_t x, int round) const;
  uint64_t n_;
  int half_bits_;
  uint64_t half_mask_;
  uint64_t keys_[4];
};

// Zipfian ranks over [0, n) with parameter theta (0.99 as YCSB), by the
// closed-form method of Gray et al., "Quickly Generating Billion-Record
// Synthetic Databases" (SIGMOD 1994). Rank 0 is the most popular.
class Zipfian {
 public:
  Zipfian(uint64_t n, double theta = 0.99);
  uint64_t Next(Random* rnd) const;
  uint64_t n() const { return n_; }

 private:
  uint64_t n_;
  double theta_, alpha_, zeta_n_, eta_, half_pow_theta_;
};

// The YCSB choosers over the records [0, n):
//   zipfian: popular records scattered over the key space (rank hashed);
//   latest:  popular records are the most recently inserted ones.
class ScrambledZipfian {
 public:
  explicit ScrambledZipfian(uint64_t n) : zipf_(n) {}
  uint64_t Next(Random* rnd) const {
    return Mix64(zipf_.Next(rnd)) % zipf_.n();
  }

 private:
  Zipfian zipf_;
};

}  // namespace shale_bench

#endif  // SHALE_BENCH_KEYS_H_
