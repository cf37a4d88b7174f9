// StatCounter: a statistics counter that every I/O thread bumps on every
// command without them fighting over one cache line.
//
// A std::atomic<uint64_t> shared by the I/O threads costs a cache-line
// transfer between cores on nearly every increment; here each thread adds
// to a stripe of its own (threads are spread over kStripes cache-line sized
// stripes) and a read sums the stripes. Reads are not a snapshot of all
// stripes at one instant, which statistics do not need.
//
// The interface is the subset of std::atomic<uint64_t> the server uses, so
// a counter reads and writes like one.
#ifndef SHALE_SERVER_STAT_COUNTER_H_
#define SHALE_SERVER_STAT_COUNTER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace shale::server {

// The stripe of the calling thread: threads take stripes round robin on
// first use.
inline size_t StatStripe(size_t stripes) {
  static std::atomic<size_t> next{0};
  thread_local const size_t mine = next.fetch_add(1, std::memory_order_relaxed);
  return mine % stripes;
}

class StatCounter {
 public:
  StatCounter() = default;
  StatCounter(const StatCounter&) = delete;
  StatCounter& operator=(const StatCounter&) = delete;

  void fetch_add(uint64_t n,
                 std::memory_order order = std::memory_order_relaxed) {
    stripes_[StatStripe(kStripes)].v.fetch_add(n, order);
  }
  void operator++(int) { fetch_add(1); }

  uint64_t load(std::memory_order order = std::memory_order_relaxed) const {
    uint64_t sum = 0;
    for (const Slot& s : stripes_) sum += s.v.load(order);
    return sum;
  }
  operator uint64_t() const { return load(); }

  // Resets to v (adds racing with it may land on either side).
  void store(uint64_t v) {
    for (Slot& s : stripes_) s.v.store(0, std::memory_order_relaxed);
    stripes_[0].v.fetch_add(v, std::memory_order_relaxed);
  }
  StatCounter& operator=(uint64_t v) {
    store(v);
    return *this;
  }

 private:
  static constexpr size_t kStripes = 16;
  struct alignas(64) Slot {
    std::atomic<uint64_t> v{0};
  };
  Slot stripes_[kStripes];
};

// N counters that are bumped together (a command's calls, time, failures),
// striped as StatCounter is, the N of one stripe sharing a cache line.
template <size_t N>
class StatCounters {
 public:
  void Add(size_t i, uint64_t n) {
    stripes_[StatStripe(kStripes)].v[i].fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Load(size_t i) const {
    uint64_t sum = 0;
    for (const Slot& s : stripes_)
      sum += s.v[i].load(std::memory_order_relaxed);
    return sum;
  }
  void Reset() {
    for (Slot& s : stripes_) {
      for (auto& v : s.v) v.store(0, std::memory_order_relaxed);
    }
  }

 private:
  static constexpr size_t kStripes = 16;
  struct alignas(64) Slot {
    std::atomic<uint64_t> v[N] = {};
  };
  Slot stripes_[kStripes];
};

}  // namespace shale::server

#endif  // SHALE_SERVER_STAT_COUNTER_H_
