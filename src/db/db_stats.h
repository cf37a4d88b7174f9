// DBStats: the engine's cumulative counters, in one object, each named once.
//
// A counter is bumped without any lock (relaxed atomics: the counts are
// statistics, never used to decide anything) by the thread that did the
// work, and reported by DB::GetStatsMap under the name kCounterNames gives
// it. The DB's other statistics are read from its state when asked (level
// sizes, memtables, caches: DBImpl::CollectStats).
//
// The properties of DB::GetProperty that are one statistic printed as an
// integer are a table too (kNumberProperties): adding one is one line.
#ifndef SHALE_DB_DB_STATS_H_
#define SHALE_DB_DB_STATS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "db/compaction.h"

namespace shale {

class DBStats {
 public:
  enum Counter {
    kUserBytesWritten,  // WriteBatch bytes accepted from callers
    kWalBytesWritten,
    kFlushBytesWritten,
    kFlushes,
    kFlushPushdowns,  // flush outputs written below level 0
    kWrites,
    kWriteGroups,
    kStallMicros,
    kSlowdowns,
    kStops,
    kCompactions,
    kCompactionBytesRead,
    kCompactionBytesWritten,
    kTrivialMoves,
    kEntriesDropped,
    kFilterRemoved,
    kFilterChanged,
    kFilterValuesRead,
    kBackgroundErrors,
    kWalsDroppedAtRecovery,  // not replayed: an older WAL had lost writes
    kWalsReused,
    kVlogValuesMoved,
    kVlogGcCompactions,
    kNumCounters,
  };

  void Add(Counter c, uint64_t n = 1) {
    counters_[c].fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Get(Counter c) const {
    return counters_[c].load(std::memory_order_relaxed);
  }

  // Bytes a compaction of `reason` wrote (tables and vlogs), and of them the
  // vlog bytes of values GC moved.
  void AddReasonBytes(CompactionReason reason, uint64_t written,
                      uint64_t vlog_written);

  // Adds every counter to *out under its name, the per-reason bytes under
  // "compaction.<reason>.bytes_written" / ".vlog_bytes_written", and their
  // vlog sum as "vlog.gc_bytes_written".
  void AddTo(std::map<std::string, double>* out) const;

 private:
  std::atomic<uint64_t> counters_[kNumCounters] = {};
  std::atomic<uint64_t> reason_bytes_written_[kNumCompactionReasons] = {};
  std::atomic<uint64_t> reason_vlog_bytes_written_[kNumCompactionReasons] = {};
};

// "compaction.<reason>": the stats keys of one CompactionReason.
std::string ReasonStatPrefix(int reason);

// A property of DB::GetProperty (without "shale.") that prints one
// statistic of GetStatsMap as an integer.
struct NumberProperty {
  std::string_view property;
  std::string_view stat;
};
// The statistic behind `property`, or nullptr if it is not such a property.
const NumberProperty* FindNumberProperty(std::string_view property);

// "shale.levelstats": one line per level.
std::string FormatLevelStats(const std::map<std::string, double>& m);
// "shale.stats": the level table and a summary of the counters.
std::string FormatStats(const std::map<std::string, double>& m,
                        const char* filter_name, double live_wal_bytes);

}  // namespace shale

#endif  // SHALE_DB_DB_STATS_H_
