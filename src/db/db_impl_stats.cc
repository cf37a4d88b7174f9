// Statistics: GetStatsMap and the properties built from it.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "db/db_impl.h"
#include "db/filename.h"

namespace shale {
namespace {

// "compaction.<reason>": the stats keys of one CompactionReason.
std::string ReasonStatPrefix(int reason) {
  return std::string("compaction.") +
         CompactionReasonName(static_cast<CompactionReason>(reason));
}

}  // namespace

uint64_t DBImpl::MemBytes() const {
  uint64_t sum = mem_->ApproximateMemoryUsage();
  for (const auto& m : imm_) sum += m->ApproximateMemoryUsage();
  return sum;
}

DBImpl::WalFileBytes DBImpl::WalBytes() {
  uint64_t log_number;
  std::vector<uint64_t> kept;
  {
    MutexLock l(&mu_);
    log_number = versions_->LogNumber();
    kept.assign(recycled_wals_.begin(), recycled_wals_.end());
  }
  // The listing and the sizes without mu_: writers need it at every group.
  WalFileBytes bytes;
  std::vector<std::string> children;
  if (!env_->GetChildren(dbname_, &children).ok()) return bytes;
  for (const auto& child : children) {
    uint64_t number, size;
    FileType type;
    if (!ParseFileName(child, &number, &type) || type != FileType::kLogFile) {
      continue;
    }
    const bool live = number >= log_number;
    if (!live && std::find(kept.begin(), kept.end(), number) == kept.end()) {
      continue;
    }
    if (env_->GetFileSize(dbname_ + "/" + child, &size).ok()) {
      (live ? bytes.live : bytes.kept) += size;
    }
  }
  return bytes;
}

void DBImpl::CollectStats(std::map<std::string, double>* m) {
  auto& out = *m;
  auto v = versions_->current();
  double scores[kNumLevels];
  picker_.ComputeScores(*v, scores);
  uint64_t total_sst = 0;
  for (int level = 0; level < kNumLevels; level++) {
    const std::string p = "level" + std::to_string(level) + ".";
    const LevelStats& ls = level_stats_[level];
    out[p + "files"] = v->NumFiles(level);
    out[p + "bytes"] = static_cast<double>(v->LevelBytes(level));
    out[p + "score"] = scores[level];
    out[p + "compactions"] = static_cast<double>(ls.compactions);
    out[p + "bytes_read"] = static_cast<double>(ls.bytes_read);
    out[p + "bytes_written"] = static_cast<double>(ls.bytes_written);
    out[p + "moved_files"] = static_cast<double>(ls.moved_files);
    out[p + "micros"] = static_cast<double>(ls.micros);
    total_sst += v->LevelBytes(level);
  }
  const double user = static_cast<double>(stat_user_bytes_written_.load());
  const double wal = static_cast<double>(stat_wal_bytes_written_.load());
  const double flushed = static_cast<double>(stat_flush_bytes_written_.load());
  const double compacted =
      static_cast<double>(stat_compaction_bytes_written_.load());
  out["user_bytes_written"] = user;
  out["wal_bytes_written"] = wal;
  out["flush_bytes_written"] = flushed;
  out["compaction_bytes_read"] =
      static_cast<double>(stat_compaction_bytes_read_.load());
  out["compaction_bytes_written"] = compacted;
  // As RocksDB reports it: table bytes written per user byte (WAL excluded).
  out["write_amp"] = user > 0 ? (flushed + compacted) / user : 0;
  out["write_amp_with_wal"] = user > 0 ? (wal + flushed + compacted) / user : 0;
  out["writes"] = static_cast<double>(stat_writes_.load());
  out["write_groups"] = static_cast<double>(stat_write_groups_.load());
  out["stall_micros"] = static_cast<double>(stat_stall_micros_.load());
  out["slowdowns"] = static_cast<double>(stat_slowdowns_.load());
  out["stops"] = static_cast<double>(stat_stops_.load());
  out["flushes"] = static_cast<double>(stat_num_flushes_.load());
  out["flush_pushdowns"] = static_cast<double>(stat_flush_pushdowns_.load());
  out["compactions"] = static_cast<double>(stat_num_compactions_.load());
  out["trivial_moves"] = static_cast<double>(stat_trivial_moves_.load());
  out["entries_dropped"] = static_cast<double>(stat_entries_dropped_.load());
  out["compaction_filter.removed"] =
      static_cast<double>(stat_filter_removed_.load());
  out["compaction_filter.changed"] =
      static_cast<double>(stat_filter_changed_.load());
  out["compaction_filter.values_read"] =
      static_cast<double>(stat_filter_values_read_.load());
  out["background_errors"] =
      static_cast<double>(stat_background_errors_.load());
  out["background_error"] = bg_error_.ok() ? 0 : 1;
  out["wals_dropped_at_recovery"] =
      static_cast<double>(stat_wals_dropped_at_recovery_.load());
  out["wals_reused"] = static_cast<double>(stat_wals_reused_.load());
  out["memtable_bytes"] = static_cast<double>(MemBytes());
  out["immutable_memtables"] = static_cast<double>(imm_.size());
  out["last_sequence"] = static_cast<double>(versions_->LastSequence());
  out["snapshots"] = static_cast<double>(snapshots_.size());
  out["total_sst_bytes"] = static_cast<double>(total_sst);
  out["compaction_pending"] = picker_.NeedsCompaction(*v) ? 1 : 0;
  out["running_compactions"] = static_cast<double>(running_.size());
  uint64_t vlog_bytes = 0, vlog_garbage = 0;
  for (const auto& [number, meta] : v->vlog_files()) {
    vlog_bytes += meta.data_bytes;
    vlog_garbage += meta.garbage_bytes;
  }
  out["vlog.files"] = static_cast<double>(v->vlog_files().size());
  out["vlog.bytes"] = static_cast<double>(vlog_bytes);
  out["vlog.garbage_bytes"] = static_cast<double>(vlog_garbage);
  out["vlog.values_moved"] =
      static_cast<double>(stat_vlog_values_moved_.load());
  out["vlog.gc_compactions"] =
      static_cast<double>(stat_vlog_gc_compactions_.load());
  uint64_t gc_written = 0;
  for (int r = 0; r < kNumCompactionReasons; r++) {
    const std::string p = ReasonStatPrefix(r);
    const uint64_t vlog = stat_reason_vlog_bytes_written_[r].load();
    out[p + ".bytes_written"] =
        static_cast<double>(stat_reason_bytes_written_[r].load());
    out[p + ".vlog_bytes_written"] = static_cast<double>(vlog);
    gc_written += vlog;
  }
  out["vlog.gc_bytes_written"] = static_cast<double>(gc_written);
  AddCacheStats(m);
}

void DBImpl::AddCacheStats(std::map<std::string, double>* m) {
  auto& out = *m;
  out["block_cache.capacity"] =
      block_cache_ ? static_cast<double>(block_cache_->GetCapacity()) : 0;
  out["block_cache.usage"] =
      block_cache_ ? static_cast<double>(block_cache_->GetUsage()) : 0;
  // Hits and misses of this DB's tables (a shared cache counts others too).
  out["block_cache.hits"] = static_cast<double>(table_stats_.block_cache_hits);
  out["block_cache.misses"] =
      static_cast<double>(table_stats_.block_cache_misses);
  out["bloom.checked"] = static_cast<double>(table_stats_.bloom_checked);
  out["bloom.useful"] = static_cast<double>(table_stats_.bloom_useful);
  out["block_reads"] = static_cast<double>(table_stats_.block_reads);
  out["block_bytes_read"] = static_cast<double>(table_stats_.bytes_read);
}

void DBImpl::GetStatsMap(std::map<std::string, double>* stats) {
  stats->clear();
  const WalFileBytes wal = WalBytes();
  MutexLock l(&mu_);
  CollectStats(stats);
  (*stats)["live_wal_bytes"] = static_cast<double>(wal.live);
  (*stats)["recycled_wal_bytes"] = static_cast<double>(wal.kept);
}

namespace {

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
                  level, get("files"), get("bytes") / 1048576.0, get("score"),
                  get("bytes_read") / 1048576.0,
                  get("bytes_written") / 1048576.0, get("compactions"),
                  get("moved_files"), get("micros") / 1e6);
    r += buf;
  }
  return r;
}

}  // namespace

bool DBImpl::GetProperty(std::string_view name, std::string* value) {
  value->clear();
  constexpr std::string_view kPrefix = "shale.";
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  name.remove_prefix(kPrefix.size());
  WalFileBytes wal;
  if (name == "live-wal-bytes" || name == "stats") wal = WalBytes();
  MutexLock l(&mu_);
  auto version = versions_->current();

  constexpr std::string_view kFilesAtLevel = "num-files-at-level";
  if (name.substr(0, kFilesAtLevel.size()) == kFilesAtLevel) {
    std::string_view rest = name.substr(kFilesAtLevel.size());
    if (rest.empty() || rest.size() > 2) return false;
    int level = 0;
    for (char c : rest) {
      if (c < '0' || c > '9') return false;
      level = level * 10 + (c - '0');
    }
    if (level >= kNumLevels) return false;
    *value = std::to_string(version->NumFiles(level));
    return true;
  }

  auto number = [value](double d) {
    *value = std::to_string(static_cast<uint64_t>(d));
  };
  std::map<std::string, double> m;
  CollectStats(&m);
  if (name == "total-sst-bytes") {
    number(m["total_sst_bytes"]);
  } else if (name == "live-wal-bytes") {
    number(static_cast<double>(wal.live));
  } else if (name == "mem-bytes") {
    number(m["memtable_bytes"]);
  } else if (name == "num-immutable-mem-table") {
    number(m["immutable_memtables"]);
  } else if (name == "last-sequence") {
    number(m["last_sequence"]);
  } else if (name == "num-snapshots") {
    number(m["snapshots"]);
  } else if (name == "compaction-pending") {
    number(m["compaction_pending"]);
  } else if (name == "block-cache-usage") {
    number(m["block_cache.usage"]);
  } else if (name == "vlog-files") {
    number(m["vlog.files"]);
  } else if (name == "vlog-bytes") {
    number(m["vlog.bytes"]);
  } else if (name == "vlog-garbage-bytes") {
    number(m["vlog.garbage_bytes"]);
  } else if (name == "write-amp") {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3f", m["write_amp"]);
    *value = buf;
  } else if (name == "levelstats") {
    *value = FormatLevelStats(m);
  } else if (name == "stats") {
    char buf[1024];
    std::string& r = *value;
    r += FormatLevelStats(m);
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
        m["writes"], m["write_groups"], m["user_bytes_written"] / 1048576.0,
        m["wal_bytes_written"] / 1048576.0, m["flushes"], m["flush_pushdowns"],
        m["flush_bytes_written"] / 1048576.0, m["compactions"],
        m["trivial_moves"], m["compaction_bytes_read"] / 1048576.0,
        m["compaction_bytes_written"] / 1048576.0, m["entries_dropped"],
        options_.compaction_filter != nullptr
            ? options_.compaction_filter->Name()
            : "(none)",
        m["compaction_filter.removed"], m["compaction_filter.changed"],
        m["compaction_filter.values_read"], m["write_amp"],
        m["write_amp_with_wal"], m["slowdowns"], m["stops"],
        m["stall_micros"] / 1e6);
    r += buf;
    std::snprintf(
        buf, sizeof(buf),
        "Block cache: %.2f of %.2f MiB, %.0f hits, %.0f misses\n"
        "Bloom filters: %.0f checked, %.0f ruled a key out\n"
        "Value logs: %.0f files, %.2f MiB, %.2f MiB garbage, %.0f values "
        "(%.2f MiB) moved by GC\n"
        "Memtables: %.2f MiB, %.0f immutable; live WAL %.2f MiB; last "
        "sequence %.0f; %.0f snapshots\n",
        m["block_cache.usage"] / 1048576.0,
        m["block_cache.capacity"] / 1048576.0, m["block_cache.hits"],
        m["block_cache.misses"], m["bloom.checked"], m["bloom.useful"],
        m["vlog.files"], m["vlog.bytes"] / 1048576.0,
        m["vlog.garbage_bytes"] / 1048576.0, m["vlog.values_moved"],
        m["vlog.gc_bytes_written"] / 1048576.0, m["memtable_bytes"] / 1048576.0,
        m["immutable_memtables"], static_cast<double>(wal.live) / 1048576.0,
        m["last_sequence"], m["snapshots"]);
    r += buf;
    r += "Compaction writes by reason (MiB, of them vlog GC):";
    for (int i = 0; i < kNumCompactionReasons; i++) {
      const std::string p = ReasonStatPrefix(i);
      std::snprintf(buf, sizeof(buf), " %s %.2f (%.2f)",
                    CompactionReasonName(static_cast<CompactionReason>(i)),
                    m[p + ".bytes_written"] / 1048576.0,
                    m[p + ".vlog_bytes_written"] / 1048576.0);
      r += buf;
    }
    r += "\n";
    if (!bg_error_.ok()) {
      r += "Background error: " + bg_error_.ToString() + "\n";
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace shale
