// ActiveExpirer: finds keys whose expiry has passed and deletes them in the
// background, without scanning the keyspace (docs/server.md, "Expiry";
// docs/format/server_keys.md, §5).
//
// Every metadata write with an expiry also writes an expiry index entry
// `0x10 when ns key` in the same batch, so the keys due by now are the
// index's range [0x10, 0x10 now]. A cycle walks that range in order and,
// for each entry, under the key's stripe lock, reads the key's metadata:
//   - present, of a live namespace, with expire == when: the key is deleted
//     (metadata and index entry in one batch, the deletion written like any
//     write, so it stops costing disk at the next compaction), and the
//     commit hooks hear the key written and an "expired" event;
//   - anything else (the key was deleted, rewritten without that expiry,
//     given another expiry, or its namespace flushed): the entry is stale
//     and only it is deleted.
// An entry is stale or due, never both, so a crash between any two writes
// leaves at most stale entries behind, which the next pass removes.
//
// CPU is bounded as Redis's active expiry: `hz` cycles a second, each
// stopping once it has used (25 + 2 * (effort - 1))% of its period
// (active-expire-effort 1..10), and resuming there in the next cycle.
//
// Deleted index entries are tombstones until compaction drops them; a
// cycle that finished its range starts the next one a little before the
// time it reached (kLateMs: a write checks its expiry against the clock a
// moment before it commits) instead of at the start of the index, so it
// does not walk every tombstone again; once a minute a pass starts at the
// beginning, for entries written later than that (a clock step back).
//
// Thread safety: set_hz/set_effort from any thread; RunCycle from one
// thread at a time (the expirer's own, or a test's when not started).
#ifndef SHALE_SERVER_KEYSPACE_EXPIRER_H_
#define SHALE_SERVER_KEYSPACE_EXPIRER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "server/keyspace/keyspace.h"
#include "server/stat_counter.h"

namespace shale::server {

class ActiveExpirer {
 public:
  // now: the clock the expirer judges expiry by (Unix ms); tests inject one.
  explicit ActiveExpirer(Keyspace* ks,
                         std::function<uint64_t()> now = &Keyspace::NowMs);
  ~ActiveExpirer() { Stop(); }
  ActiveExpirer(const ActiveExpirer&) = delete;
  ActiveExpirer& operator=(const ActiveExpirer&) = delete;

  // Redis's hz (1..500) and active-expire-effort (1..10); out-of-range
  // values are clamped as Redis clamps them.
  void set_hz(int hz);
  void set_effort(int effort);
  int hz() const { return hz_.load(std::memory_order_relaxed); }
  int effort() const { return effort_.load(std::memory_order_relaxed); }

  // Starts / stops the background thread (Stop waits for it).
  void Start();
  void Stop();

  struct CycleResult {
    uint64_t examined = 0;  // index entries looked at
    uint64_t expired = 0;   // keys deleted
    uint64_t stale = 0;     // stale index entries deleted
    bool done = false;      // no due entry is left (else the budget ran out)
    Status status;          // an engine error stops the cycle
  };
  // One cycle with a time budget in microseconds (0: no limit).
  CycleResult RunCycle(uint64_t budget_us);

  // The time budget of one cycle at the current hz and effort.
  uint64_t CycleBudgetUs() const;

  // Totals, for INFO.
  StatCounter cycles, stale_entries, cpu_us;

  // A cycle that finished restarts this far before the time it reached.
  static constexpr uint64_t kLateMs = 10'000;
  // A pass from the start of the index at least this often.
  static constexpr uint64_t kFullPassMs = 60'000;

 private:
  void Loop();
  // Handles one due index entry; adds to *r.
  Status HandleEntry(std::string_view ekey, uint64_t now, CycleResult* r);

  Keyspace* const ks_;
  const std::function<uint64_t()> now_;
  std::atomic<int> hz_{10};
  std::atomic<int> effort_{1};

  // The walk's position (RunCycle's thread only).
  std::string resume_;  // the entry to resume at; empty: from floor_
  uint64_t floor_ = 0;  // start of the next pass (a `when`)
  uint64_t last_full_ms_ = 0;
  WriteBatch stale_batch_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_EXPIRER_H_
