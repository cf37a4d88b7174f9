#include "histogram.h"

#include <algorithm>
#include <bit>

namespace shale_bench {

namespace {
// 2*kSub direct buckets, then kSub per power of two up to 2^64.
constexpr size_t kNumBuckets = 2 * 64 + 64 * (64 - 7);
}  // namespace

Histogram::Histogram() : buckets_(kNumBuckets, 0) {}

size_t Histogram::BucketOf(uint64_t v) {
  if (v < 2 * kSub) return static_cast<size_t>(v);
  // v in [2^e, 2^(e+1)) with e >= kSubBits+1; keep the top kSubBits+1 bits.
  int e = std::bit_width(v) - 1;
  int shift = e - kSubBits;
  uint64_t top = v >> shift;  // in [kSub, 2*kSub)
  return 2 * kSub + static_cast<size_t>(shift - 1) * kSub + (top - kSub);
}

uint64_t Histogram::BucketLow(size_t b) {
  if (b < 2 * kSub) return b;
  size_t r = b - 2 * kSub;
  int shift = static_cast<int>(r / kSub) + 1;
  uint64_t top = kSub + r % kSub;
  return top << shift;
}

uint64_t Histogram::BucketHigh(size_t b) {
  if (b < 2 * kSub) return b + 1;
  size_t r = b - 2 * kSub;
  int shift = static_cast<int>(r / kSub) + 1;
  return BucketLow(b) + (uint64_t{1} << shift);
}

void Histogram::Record(uint64_t nanos) {
  buckets_[std::min(BucketOf(nanos), kNumBuckets - 1)]++;
  count_++;
  sum_ += nanos;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < kNumBuckets; i++) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double Histogram::Mean() const {
  return count_ ? static_cast<double>(sum_ / count_) : 0.0;
}

double Histogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(p * static_cast<double>(count_));
  if (rank >= count_) rank = count_ - 1;
  uint64_t seen = 0;
  for (size_t b = 0; b < kNumBuckets; b++) {
    seen += buckets_[b];
    if (seen > rank) {
      double mid = (static_cast<double>(BucketLow(b)) +
                    static_cast<double>(BucketHigh(b) - 1)) /
                   2;
      return std::clamp(mid, static_cast<double>(min_),
                        static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

}  // namespace shale_bench
