#include "db/db_stats.h"

#include <cstdio>

#include "db/version_set.h"

namespace shale {
namespace {

// GetStatsMap's name of each DBStats::Counter, in the enum's order.
constexpr const char* kCounterNames[DBStats::kNumCounters] = {
    "user_bytes_written",
    "wal_bytes_written",
    "flush_bytes_written",
    "flushes",
    "flush_pushdowns",
    "writes",
    "write_groups",
    "stall_micros",
    "slowdowns",
    "stops",
    "compactions",
    "compaction_bytes_read",
    "compaction_bytes_written",
    "trivial_moves",
    "entries_dropped",
    "compaction_filter.removed",
    "compaction_filter.changed",
    "compaction_filter.values_read",
    "background_errors",
    "wals_dropped_at_recovery",
    "wals_reused",
    "vlog.values_moved",
    "vlog.gc_compactions",
};

constexpr NumberProperty kNumberProperties[] = {
    {"total-sst-bytes", "total_sst_bytes"},
    {"live-wal-bytes", "live_wal_bytes"},
    {"mem-bytes", "memtable_bytes"},
    {"num-immutable-mem-table", "immutable_memtables"},
    {"last-sequence", "last_sequence"},
    {"num-snapshots", "snapshots"},
    {"compaction-pending", "compaction_pending"},
    {"block-cache-usage", "block_cache.usage"},
    {"vlog-files", "vlog.files"},
    {"vlog-bytes", "vlog.bytes"},
    {"vlog-garbage-bytes", "vlog.garbage_bytes"},
};

constexpr double kMiB = 1048576.0;

}  // namespace

void DBStats::AddReasonBytes(CompactionReason reason, uint64_t written,
                             uint64_t vlog_written) {
  const int r = static_cast<int>(reason);
  reason_bytes_written_[r].fetch_add(written, std::memory_order_relaxed);
  reason_vlog_bytes_written_[r].fetch_add(vlog_written,
                                          std::memory_order_relaxed);
}

void DBStats::AddTo(std::map<std::string, double>* out) const {
  for (int c = 0; c < kNumCounters; c++) {
    (*out)[kCounterNames[c]] = static_cast<double>(Get(Counter(c)));
  }
  uint64_t gc_written = 0;
  for (int r = 0; r < kNumCompactionReasons; r++) {
    const std::string p = ReasonStatPrefix(r);
    const uint64_t vlog = reason_vlog_bytes_written_[r].load();
    (*out)[p + ".bytes_written"] =
        static_cast<double>(reason_bytes_written_[r].load());
    (*out)[p + ".vlog_bytes_written"] = static_cast<double>(vlog);
    gc_written += vlog;
  }
  (*out)["vlog.gc_bytes_written"] = static_cast<double>(gc_written);
}

std::string ReasonStatPrefix(int reason) {
  return std::string("compaction.") +
         CompactionReasonName(static_cast<CompactionReason>(reason));
}

const NumberProperty* FindNumberProperty(std::string_view property) {
  for (const NumberProperty& p : kNumberProperties) {
    if (p.property == property) return &p;
  }
  return nullptr;
}

std::string FormatLevelStats(const std::map<std::string, double>& m) {
  std::string r;
  char buf[256];
  r += "Level Files  Size(MiB) Score  Read(MiB) Write(MiB) Compactions Moved "
       "Seconds\n";
  for (int level = 0; level < kNumLevels; level++) {
    const std::string p = "level" + std::to_string(level) + ".";
    auto get = [&](const char* k) { return m.at(p + k); };
    std::snprintf(buf, sizeof(buf),
                  "%5d %5.0f %10.2f %5.2f %10.2f %10.2f %11.0f %5.0f %7.2f\n",
                  level, get("files"), get("bytes") / kMiB, get("score"),
                  get("bytes_read") / kMiB, get("bytes_written") / kMiB,
                  get("compactions"), get("moved_files"), get("micros") / 1e6);
    r += buf;
  }
  return r;
}

std::string FormatStats(const std::map<std::string, double>& m,
                        const char* filter_name, double live_wal_bytes) {
  auto get = [&m](const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? 0.0 : it->second;
  };
  std::string r = FormatLevelStats(m);
  char buf[1024];
  std::snprintf(
      buf, sizeof(buf),
      "Writes: %.0f in %.0f groups; user %.2f MiB, WAL %.2f MiB\n"
      "Flushes: %.0f (%.0f placed below level 0), %.2f MiB written\n"
      "Compactions: %.0f (+%.0f trivial moves), read %.2f MiB, written "
      "%.2f MiB, %.0f entries dropped\n"
      "Compaction filter %s: %.0f removed, %.0f changed, %.0f values read "
      "from vlogs for it\n"
      "Write amplification: %.2f (%.2f with the WAL)\n"
      "Stalls: %.0f slowdowns, %.0f stops, %.3f s in total\n",
      get("writes"), get("write_groups"), get("user_bytes_written") / kMiB,
      get("wal_bytes_written") / kMiB, get("flushes"), get("flush_pushdowns"),
      get("flush_bytes_written") / kMiB, get("compactions"),
      get("trivial_moves"), get("compaction_bytes_read") / kMiB,
      get("compaction_bytes_written") / kMiB, get("entries_dropped"),
      filter_name, get("compaction_filter.removed"),
      get("compaction_filter.changed"), get("compaction_filter.values_read"),
      get("write_amp"), get("write_amp_with_wal"), get("slowdowns"),
      get("stops"), get("stall_micros") / 1e6);
  r += buf;
  std::snprintf(
      buf, sizeof(buf),
      "Block cache: %.2f of %.2f MiB, %.0f hits, %.0f misses\n"
      "Bloom filters: %.0f checked, %.0f ruled a key out\n"
      "Value logs: %.0f files, %.2f MiB, %.2f MiB garbage, %.0f values "
      "(%.2f MiB) moved by GC\n"
      "Memtables: %.2f MiB, %.0f immutable; live WAL %.2f MiB; last "
      "sequence %.0f; %.0f snapshots\n",
      get("block_cache.usage") / kMiB, get("block_cache.capacity") / kMiB,
      get("block_cache.hits"), get("block_cache.misses"), get("bloom.checked"),
      get("bloom.useful"), get("vlog.files"), get("vlog.bytes") / kMiB,
      get("vlog.garbage_bytes") / kMiB, get("vlog.values_moved"),
      get("vlog.gc_bytes_written") / kMiB, get("memtable_bytes") / kMiB,
      get("immutable_memtables"), live_wal_bytes / kMiB, get("last_sequence"),
      get("snapshots"));
  r += buf;
  r += "Compaction writes by reason (MiB, of them vlog GC):";
  for (int i = 0; i < kNumCompactionReasons; i++) {
    const std::string p = ReasonStatPrefix(i);
    std::snprintf(buf, sizeof(buf), " %s %.2f (%.2f)",
                  CompactionReasonName(static_cast<CompactionReason>(i)),
                  get(p + ".bytes_written") / kMiB,
                  get(p + ".vlog_bytes_written") / kMiB);
    r += buf;
  }
  r += "\n";
  return r;
}

}  // namespace shale
