#include "keys.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace shale_bench {

uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

uint64_t SeedFor(uint64_t seed, int bench_index, int thread) {
  return Mix64(seed * 0x100000001b3ull +
               Mix64(bench_index * 1000003ull + thread));
}

// --- keys -------------------------------------------------------------------

uint64_t KeyFormat::MaxIndex() const {
  int digits = key_size_ < 19 ? key_size_ : 19;
  uint64_t m = 1;
  for (int i = 0; i < digits; i++) m *= 10;
  return m - 1;
}

std::string_view KeyFormat::Format(uint64_t index, char* out) const {
  for (int i = key_size_ - 1; i >= 0; i--) {
    out[i] = static_cast<char>('0' + index % 10);
    index /= 10;
  }
  return {out, static_cast<size_t>(key_size_)};
}

bool KeyFormat::Parse(std::string_view key, uint64_t* index) const {
  if (key.size() != static_cast<size_t>(key_size_)) return false;
  uint64_t v = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *index = v;
  return true;
}

// --- values -----------------------------------------------------------------

namespace {
constexpr size_t kPoolBytes = 1 << 20;
constexpr size_t kPiece = 128;

void PutFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = static_cast<char>(v >> (8 * i));
}
void PutFixed32(char* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = static_cast<char>(v >> (8 * i));
}
uint64_t GetFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint32_t GetFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
}  // namespace

ValuePool::ValuePool(size_t value_size, double compression_ratio, uint64_t seed)
    : value_size_(value_size) {
  Random rnd(seed ^ 0x76616c7565ull);
  size_t fresh = static_cast<size_t>(kPiece * compression_ratio);
  if (fresh < 1) fresh = 1;
  if (fresh > kPiece) fresh = kPiece;
  pool_.resize(kPoolBytes + value_size);
  for (size_t base = 0; base < pool_.size(); base += kPiece) {
    for (size_t i = 0; i < kPiece && base + i < pool_.size(); i++) {
      // Printable bytes; the part after `fresh` repeats the start.
      pool_[base + i] = i < fresh ? static_cast<char>(' ' + rnd.Uniform(95))
                                  : pool_[base + i % fresh];
    }
  }
}

size_t ValuePool::Offset(uint64_t index, uint32_t stamp) const {
  return Mix64(index * 0x9e3779b97f4a7c15ull ^ stamp) % kPoolBytes;
}

std::string_view ValuePool::Make(uint64_t index, uint32_t stamp,
                                 char* out) const {
  size_t head = value_size_ < kHeader ? 0 : kHeader;
  if (head) {
    PutFixed64(out, index);
    PutFixed32(out + 8, stamp);
  }
  std::memcpy(out + head, pool_.data() + Offset(index, stamp),
              value_size_ - head);
  return {out, value_size_};
}

bool ValuePool::Check(uint64_t index, std::string_view value,
                      uint32_t* stamp) const {
  if (value.size() != value_size_) return false;
  if (value_size_ < kHeader) {  // no header: only the length can be checked
    *stamp = 0;
    return true;
  }
  if (GetFixed64(value.data()) != index) return false;
  *stamp = GetFixed32(value.data() + 8);
  return std::memcmp(value.data() + kHeader,
                     pool_.data() + Offset(index, *stamp),
                     value_size_ - kHeader) == 0;
}

// --- permutation ------------------------------------------------------------

Permutation::Permutation(uint64_t n, uint64_t seed) : n_(n) {
  int bits = n <= 1 ? 2 : std::bit_width(n - 1);
  if (bits % 2) bits++;
  half_bits_ = bits / 2;
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
  Random rnd(seed ^ 0x7065726dull);
  for (uint64_t& k : keys_) k = rnd.Next();
}

uint64_t Permutation::Round(uint64_t x, int round) const {
  return Mix64(x ^ keys_[round]) & half_mask_;
}

uint64_t Permutation::At(uint64_t i) const {
  uint64_t x = i;
  do {  // walk the cycle until the value falls inside [0, n)
    uint64_t left = x >> half_bits_, right = x & half_mask_;
    for (int r = 0; r < 4; r++) {
      uint64_t next = left ^ Round(right, r);
      left = right;
      right = next;
    }
    x = (left << half_bits_) | right;
  } while (x >= n_);
  return x;
}

// --- zipfian ----------------------------------------------------------------

Zipfian::Zipfian(uint64_t n, double theta) : n_(n ? n : 1), theta_(theta) {
  zeta_n_ = 0;
  for (uint64_t i = 1; i <= n_; i++)
    zeta_n_ += 1.0 / std::pow(double(i), theta_);
  double zeta2 = 1.0 + 1.0 / std::pow(2.0, theta_);
  alpha_ = 1.0 / (1.0 - theta_);
  eta_ = (1.0 - std::pow(2.0 / double(n_), 1.0 - theta_)) /
         (1.0 - zeta2 / zeta_n_);
  half_pow_theta_ = 1.0 + std::pow(0.5, theta_);
}

uint64_t Zipfian::Next(Random* rnd) const {
  double u = rnd->UniformDouble();
  double uz = u * zeta_n_;
  if (uz < 1.0) return 0;
  if (uz < half_pow_theta_) return 1;
  uint64_t r = static_cast<uint64_t>(double(n_) *
                                     std::pow(eta_ * u - eta_ + 1.0, alpha_));
  return r < n_ ? r : n_ - 1;
}

}  // namespace shale_bench
