// Runs benchmarks, in order, against one open engine on one DB.
//
// A Runner owns the workload state that carries from one benchmark to the
// next on the same DB: whether data is loaded, and (for --verify) the stamp
// of the last value written to every key, so that a later read can check it
// got exactly that value. workloads.cc has the classic db_bench-style
// benchmarks, ycsb.cc the YCSB ones.
#ifndef SHALE_BENCH_RUNNER_H_
#define SHALE_BENCH_RUNNER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine.h"
#include "flags.h"
#include "histogram.h"
#include "keys.h"

namespace shale_bench {

// One benchmark on one engine in one round.
struct BenchResult {
  std::string engine;
  std::string benchmark;
  int round = 0;
  int64_t ops = 0;                 // timed operations (readwhilewriting: reads)
  int64_t found = 0;               // reads/seeks that found a key
  int64_t writer_ops = 0;          // readwhilewriting: the writer's puts
  double seconds = 0;              // timed wall time
  double settle_seconds = 0;       // untimed wait for background writes after
  double background_seconds = 0;   // of it: until flushes/compactions were done
  int64_t user_bytes_written = 0;  // key + value bytes of puts
  int64_t user_bytes_read = 0;     // key + value bytes returned
  int64_t disk_write_bytes = -1;   // /proc/self/io write_bytes delta
  int64_t disk_read_bytes = -1;    // /proc/self/io read_bytes delta
  int64_t engine_write_bytes = -1;  // the engine's own count (delta)
  std::string engine_write_scope;
  int64_t disk_bytes = -1;  // space of the DB directory at the end
  int64_t peak_rss = -1;    // VmHWM during the benchmark (harness included)
  int64_t verify_failures = 0;
  std::string error;  // non-empty: the benchmark failed
  Histogram hist;     // per-op latency, nanoseconds
};

// Nanoseconds from a to b.
inline uint64_t Nanos(std::chrono::steady_clock::time_point a,
                      std::chrono::steady_clock::time_point b) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

// The split of total ops over threads: thread t gets [Begin(t), Begin(t+1)).
inline int64_t Begin(int64_t total, int threads, int t) {
  return total * t / threads;
}

// Which benchmarks exist and what they need.
bool IsKnownBenchmark(const std::string& name);
bool IsWriteBenchmark(const std::string& name);
// True for those that read, overwrite or delete existing keys.
bool NeedsData(const std::string& name);

class Runner {
 public:
  Runner(const Flags& flags, Engine* engine);
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  bool loaded() const { return loaded_; }

  // Runs benchmark `name`, the index-th of the list (the index seeds its
  // key sequences). Measures, settles, measures again.
  BenchResult Run(const std::string& name, int index);

 private:
  // What each benchmark thread accumulates; merged into the result.
  struct ThreadState {
    explicit ThreadState(uint64_t seed) : rnd(seed) {}
    Random rnd;
    Histogram hist;
    int64_t ops = 0, found = 0, writes = 0;
    int64_t bytes_written = 0, bytes_read = 0;
    int64_t verify_failures = 0;
    std::string error;
    std::string value_buf;  // scratch for the values this thread writes
  };
  using States = std::vector<std::unique_ptr<ThreadState>>;
  using ThreadFn = std::function<void(int thread, ThreadState* state)>;

  // Starts n threads together, runs fn in each, returns the wall seconds
  // from the common start to the last finish.
  double RunThreads(int n, int index, const ThreadFn& fn, States* states);

  // The timed parts; each fills *states and returns the seconds.
  double Fill(const std::string& name, int index, int64_t ops, States* s);
  double ReadRandom(int index, States* s);
  double ReadSeq(int index, bool reverse, States* s);
  double SeekRandom(int index, States* s);
  double ReadWhileWriting(int index, States* s);
  double Ycsb(char workload, int index, States* s);  // ycsb.cc

  // --- helpers shared by the workloads (workloads.cc) ---
  // Writes the newest value of index and records its stamp.
  bool PutIndex(uint64_t index, ThreadState* st, int thread, int threads);
  // Checks a value read for index; counts a failure if it is not the one
  // expected (exact: the newest written; else: any value of this key).
  void CheckValue(uint64_t index, std::string_view value, bool exact,
                  ThreadState* st);
  void CheckMissing(uint64_t index, bool exact, ThreadState* st);
  // Smallest index >= from that holds a value (stamps), or UINT64_MAX.
  uint64_t NextLive(uint64_t from) const;
  uint64_t PrevLive(uint64_t from) const;  // largest <= from
  void Fail(ThreadState* st, const std::string& what);
  uint32_t NextStamp(ThreadState* st, int thread, int threads);

  const Flags& flags_;
  Engine* const engine_;
  const KeyFormat keys_;
  const ValuePool pool_;

  // The stamp last written per key index, 0 = absent. Sized for the keys
  // of the fills plus every YCSB insert the benchmark list can make.
  uint64_t capacity_;
  std::unique_ptr<std::atomic<uint32_t>[]> stamps_;
  uint32_t stamp_base_ = 0;            // stamps below this are used
  std::atomic<uint64_t> next_insert_;  // next YCSB insert index
  std::atomic<int> failures_printed_{0};

  bool loaded_ = false;
  // stamps_ matches the DB exactly: no two threads ever raced to write the
  // same key. Cleared for good by the first benchmark where they could.
  bool exact_ = true;
};

}  // namespace shale_bench

#endif  // SHALE_BENCH_RUNNER_H_
