// The table's bloom filter: one filter per table over the user keys, split
// into 64-byte lines so that a probe touches a single cache line.
//
// Byte grammar (docs/format/sstable.md, "Filter block"):
//
//   filter := line[num_lines] | fixed32 num_lines | uint8 num_probes
//             | uint8 layout (kBloomLayoutBlocked512)
//   line   := 64 bytes = 512 bits; bit b of a line is bit (b % 8) of byte
//             (b / 8)
//
// A key is hashed once, h = XXH3-64(key). The line is
// ((h >> 32) * num_lines) >> 32. Inside it the probes follow enhanced double
// hashing over 32-bit words (all arithmetic mod 2^32):
//   a = h, s = (h >> 17) | 1, t = h >> 7          (each truncated to 32 bits)
//   for i in [0, num_probes): bit a >> 23 is set; a += s; s += t
//
// At 10 bits per key and num_probes = 7 this gives about a 1% false-positive
// rate (0.96% measured). Readers take num_probes and the layout from the
// filter, so filters written with other settings stay readable; a filter
// that does not parse answers "may match" for every key (it never causes a
// false negative).
//
// Thread safety: a BloomFilterBuilder is used by one thread; a
// BloomFilterReader is immutable and may be shared.
#ifndef SHALE_TABLE_BLOOM_H_
#define SHALE_TABLE_BLOOM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shale {

constexpr uint8_t kBloomLayoutBlocked512 = 1;

class BloomFilterBuilder {
 public:
  // bits_per_key >= 1 (smaller values are raised to 1); the number of
  // probes is round(bits_per_key * ln 2) clamped to [1, 30].
  explicit BloomFilterBuilder(int bits_per_key);

  // Adds a key. Adding the same key twice in a row counts it once.
  void AddKey(std::string_view key);

  // Distinct keys added since the last Finish.
  size_t num_keys() const { return hashes_.size(); }

  // Encodes a filter over the keys added and forgets them.
  std::string Finish();

  int num_probes() const { return num_probes_; }

 private:
  const int bits_per_key_;
  const int num_probes_;
  std::vector<uint64_t> hashes_;
};

class BloomFilterReader {
 public:
  // Copies the filter into cache-line-aligned memory. A malformed filter
  // makes KeyMayMatch always true.
  explicit BloomFilterReader(std::string_view filter);

  // False only if key was certainly not added.
  bool KeyMayMatch(std::string_view key) const;
  // KeyMayMatch for a key whose BloomHash is hash (one hash serves every
  // table a batch of lookups visits).
  bool HashMayMatch(uint64_t hash) const;
  // Starts loading the line HashMayMatch(hash) reads, so that the cache
  // misses of a batch's probes overlap.
  void Prefetch(uint64_t hash) const {
    if (num_lines_ != 0) __builtin_prefetch(&lines_[LineOf(hash, num_lines_)]);
  }

  // The line of a filter of num_lines lines that a key hashing to hash
  // maps to (the grammar above). REQUIRES: num_lines > 0.
  static uint32_t LineOf(uint64_t hash, uint32_t num_lines) {
    return static_cast<uint32_t>(((hash >> 32) * num_lines) >> 32);
  }

  // True when the filter parsed (false: it answers "may match" to all).
  bool valid() const { return valid_; }
  size_t memory_usage() const { return num_lines_ * sizeof(Line); }

 private:
  struct alignas(64) Line {
    unsigned char bytes[64];
  };

  std::unique_ptr<Line[]> lines_;
  uint32_t num_lines_ = 0;
  int num_probes_ = 0;
  bool valid_ = false;
};

// The 64-bit hash filters are built from (XXH3-64).
uint64_t BloomHash(std::string_view key);

}  // namespace shale

#endif  // SHALE_TABLE_BLOOM_H_
