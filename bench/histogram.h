// A latency histogram in the HDR style: log-linear buckets with a fixed
// relative precision (here under 1.6%) over the whole range, so p99.9 of a
// run of microsecond reads with a few 100 ms stalls is still exact to a
// percent. Values are nanoseconds.
//
// Bucket layout: values below 2*kSub are their own bucket; above, each
// power-of-two range [2^k, 2^(k+1)) is split into kSub equal buckets.
//
// Not thread-safe: each benchmark thread records into its own and the
// results are merged.
#ifndef SHALE_BENCH_HISTOGRAM_H_
#define SHALE_BENCH_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace shale_bench {

class Histogram {
 public:
  Histogram();

  void Record(uint64_t nanos);
  void Merge(const Histogram& other);

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  double Mean() const;
  // The value below which fraction p (0..1) of the samples lie, as the
  // midpoint of its bucket; 0 when empty.
  double Percentile(double p) const;

 private:
  static constexpr int kSubBits = 6;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;  // 64

  static size_t BucketOf(uint64_t v);
  static uint64_t BucketLow(size_t b);
  static uint64_t BucketHigh(size_t b);  // exclusive

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace shale_bench

#endif  // SHALE_BENCH_HISTOGRAM_H_
