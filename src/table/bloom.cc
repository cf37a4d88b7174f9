#include "table/bloom.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "util/coding.h"

namespace shale {

namespace {

constexpr size_t kLineBytes = 64;
constexpr uint32_t kLineBits = 512;
constexpr size_t kFilterTrailerSize = 6;  // num_lines, num_probes, layout

int ProbesFor(int bits_per_key) {
  int k = static_cast<int>(std::lround(bits_per_key * 0.69314718056));
  return std::clamp(k, 1, 30);
}

// Calls fn(bit) for each of the key's probes inside its line, until fn
// returns false. Enhanced double hashing over 32-bit words: the step itself
// moves by a third hash, and each probe takes the top 9 bits, so every bit
// of the three words shapes the positions (plain double hashing modulo 512
// sees only 18 bits and measurably raises the false-positive rate).
template <typename Fn>
inline void ForEachProbe(uint64_t h, int num_probes, Fn&& fn) {
  uint32_t a = static_cast<uint32_t>(h);
  uint32_t s = static_cast<uint32_t>(h >> 17) | 1;
  const uint32_t t = static_cast<uint32_t>(h >> 7);
  for (int i = 0; i < num_probes; i++) {
    if (!fn(a >> 23)) return;
    a += s;
    s += t;
  }
}

}  // namespace

uint64_t BloomHash(std::string_view key) {
  return XXH3_64bits(key.data(), key.size());
}

BloomFilterBuilder::BloomFilterBuilder(int bits_per_key)
    : bits_per_key_(std::max(bits_per_key, 1)),
      num_probes_(ProbesFor(bits_per_key_)) {}

void BloomFilterBuilder::AddKey(std::string_view key) {
  const uint64_t h = BloomHash(key);
  // Equal keys hash equally; a collision of distinct keys sets the same
  // bits anyway, so dropping a repeated hash loses nothing.
  if (hashes_.empty() || hashes_.back() != h) hashes_.push_back(h);
}

std::string BloomFilterBuilder::Finish() {
  const uint64_t bits = uint64_t{hashes_.size()} * bits_per_key_;
  const uint64_t lines64 = (bits + kLineBits - 1) / kLineBits;
  const auto num_lines =
      static_cast<uint32_t>(std::min<uint64_t>(lines64, UINT32_MAX));
  std::string out(size_t{num_lines} * kLineBytes, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  for (uint64_t h : hashes_) {
    unsigned char* line =
        bytes + size_t{BloomFilterReader::LineOf(h, num_lines)} * kLineBytes;
    ForEachProbe(h, num_probes_, [line](uint32_t bit) {
      line[bit >> 3] |= static_cast<unsigned char>(1u << (bit & 7));
      return true;
    });
  }
  PutFixed32(&out, num_lines);
  out.push_back(static_cast<char>(num_probes_));
  out.push_back(static_cast<char>(kBloomLayoutBlocked512));
  hashes_.clear();
  return out;
}

BloomFilterReader::BloomFilterReader(std::string_view filter) {
  if (filter.size() < kFilterTrailerSize) return;
  const char* trailer = filter.data() + filter.size() - kFilterTrailerSize;
  const uint32_t num_lines = DecodeFixed32(trailer);
  const int num_probes = static_cast<unsigned char>(trailer[4]);
  const auto layout = static_cast<unsigned char>(trailer[5]);
  if (layout != kBloomLayoutBlocked512 || num_probes < 1 || num_probes > 30 ||
      filter.size() - kFilterTrailerSize != uint64_t{num_lines} * kLineBytes) {
    return;
  }
  // The size check above bounds the allocation by the filter's own size.
  if (num_lines > 0) {
    lines_ = std::make_unique_for_overwrite<Line[]>(num_lines);
    std::memcpy(lines_.get(), filter.data(), size_t{num_lines} * kLineBytes);
  }
  num_lines_ = num_lines;
  num_probes_ = num_probes;
  valid_ = true;
}

bool BloomFilterReader::KeyMayMatch(std::string_view key) const {
  return HashMayMatch(BloomHash(key));
}

bool BloomFilterReader::HashMayMatch(uint64_t h) const {
  if (!valid_) return true;
  if (num_lines_ == 0) return false;  // a filter over no keys
  const unsigned char* line = lines_[LineOf(h, num_lines_)].bytes;
  bool match = true;
  ForEachProbe(h, num_probes_, [line, &match](uint32_t bit) {
    match = (line[bit >> 3] >> (bit & 7)) & 1;
    return match;
  });
  return match;
}

}  // namespace shale
