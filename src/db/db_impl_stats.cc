// Statistics: GetStatsMap and the properties built from it.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "db/db_impl.h"
#include "db/db_stats.h"
#include "db/filename.h"

namespace shale {

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
  stats_.AddTo(m);
  const double user = out["user_bytes_written"];
  const double wal = out["wal_bytes_written"];
  const double tables =
      out["flush_bytes_written"] + out["compaction_bytes_written"];
  // As RocksDB reports it: table bytes written per user byte (WAL excluded).
  out["write_amp"] = user > 0 ? tables / user : 0;
  out["write_amp_with_wal"] = user > 0 ? (wal + tables) / user : 0;
  out["background_error"] = bg_error_.ok() ? 0 : 1;
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

  std::map<std::string, double> m;
  CollectStats(&m);
  m["live_wal_bytes"] = static_cast<double>(wal.live);
  if (const NumberProperty* p = FindNumberProperty(name)) {
    *value = std::to_string(static_cast<uint64_t>(m[std::string(p->stat)]));
  } else if (name == "write-amp") {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.3f", m["write_amp"]);
    *value = buf;
  } else if (name == "levelstats") {
    *value = FormatLevelStats(m);
  } else if (name == "stats") {
    *value = FormatStats(m,
                         options_.compaction_filter != nullptr
                             ? options_.compaction_filter->Name()
                             : "(none)",
                         static_cast<double>(wal.live));
    if (!bg_error_.ok()) {
      *value += "Background error: " + bg_error_.ToString() + "\n";
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace shale
