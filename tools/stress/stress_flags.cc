#include "tools/stress/stress_flags.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <variant>
#include <vector>

#include "util/kill_point.h"

namespace shale::stress {
namespace {

using Field = std::variant<std::string*, bool*, int*, int64_t*, uint64_t*,
                           double*>;

struct Flag {
  const char* name;
  Field field;
  const char* help;
};

std::vector<Flag> AllFlags(StressFlags* f) {
  return {
      {"db", &f->db, "data directory (--env=posix)"},
      {"env", &f->env, "posix | mem (in-process power loss and faults)"},
      {"expected_state", &f->expected_state,
       "oracle file that survives a kill; empty: in memory"},
      {"destroy", &f->destroy, "start from an empty DB and oracle"},
      {"verify_only", &f->verify_only, "open, verify every key, exit"},
      {"seed", &f->seed, "0: from the clock"},
      {"threads", &f->threads, "worker threads"},
      {"ops_per_thread", &f->ops_per_thread, "0: run for duration_s"},
      {"duration_s", &f->duration_s, "0: run for ops_per_thread"},
      {"progress_s", &f->progress_s, "print a progress line this often"},
      {"num_keys", &f->num_keys, "key space (fixed per oracle file)"},
      {"group_size", &f->group_size, "keys per stripe and atomic group"},
      {"group_every", &f->group_every, "every Nth stripe is a group; 0 none"},
      {"value_size_max", &f->value_size_max, "usual value sizes 0..N"},
      {"large_value_one_in", &f->large_value_one_in, "1 in N values large"},
      {"large_value_size", &f->large_value_size, "large values N/2..N"},
      {"put_weight", &f->put_weight, "op mix weight"},
      {"delete_weight", &f->delete_weight, "op mix weight"},
      {"expire_weight", &f->expire_weight, "op mix weight (puts w/ expiry)"},
      {"batch_weight", &f->batch_weight, "op mix weight"},
      {"get_weight", &f->get_weight, "op mix weight"},
      {"scan_weight", &f->scan_weight, "op mix weight"},
      {"max_scan_keys", &f->max_scan_keys, "longest scanned range"},
      {"reverse_scans", &f->reverse_scans,
       "also walk each range backwards (SeekForPrev, Prev)"},
      {"hold_snapshot_one_in", &f->hold_snapshot_one_in,
       "scans whose snapshot is kept and re-checked later"},
      {"sync_one_in", &f->sync_one_in, "sync writes; 1: all"},
      {"sync_wal_one_in", &f->sync_wal_one_in, "SyncWAL calls"},
      {"flush_one_in", &f->flush_one_in, "Flush calls"},
      {"compact_range_one_in", &f->compact_range_one_in, "CompactRange calls"},
      {"reopen_one_in", &f->reopen_one_in, "close+reopen+verify in process"},
      {"kill_odds", &f->kill_odds, "whitebox: die at 1/N kill point hits"},
      {"kill_prefix", &f->kill_prefix, "whitebox: only points with prefix"},
      {"crash_one_in", &f->crash_one_in, "--env=mem: simulated power loss"},
      {"torn_tails", &f->torn_tails, "power loss keeps random unsynced tails"},
      {"fault_one_in", &f->fault_one_in, "--env=mem: inject EIO/ENOSPC"},
      {"wal_faults", &f->wal_faults,
       "faults may hit WAL appends, flushes and syncs"},
      {"fault_kinds", &f->fault_kinds, "calls faults may hit (comma list)"},
      {"write_buffer_size", &f->write_buffer_size, "DB option"},
      {"max_write_buffer_number", &f->max_write_buffer_number, "DB option"},
      {"target_file_size", &f->target_file_size, "DB option"},
      {"max_bytes_for_level_base", &f->max_bytes_for_level_base, "DB option"},
      {"level0_file_num_compaction_trigger",
       &f->level0_file_num_compaction_trigger, "DB option"},
      {"level0_slowdown_writes_trigger", &f->level0_slowdown_writes_trigger,
       "DB option"},
      {"level0_stop_writes_trigger", &f->level0_stop_writes_trigger,
       "DB option"},
      {"max_background_jobs", &f->max_background_jobs, "DB option"},
      {"max_mem_compact_level", &f->max_mem_compact_level, "DB option"},
      {"block_size", &f->block_size, "DB option"},
      {"block_restart_interval", &f->block_restart_interval, "DB option"},
      {"bloom_bits_per_key", &f->bloom_bits_per_key, "DB option"},
      {"max_open_files", &f->max_open_files, "DB option"},
      {"block_cache_size", &f->block_cache_size, "DB option (0: none)"},
      {"cache_index_and_filter_blocks", &f->cache_index_and_filter_blocks,
       "DB option"},
      {"paranoid_checks", &f->paranoid_checks, "DB option"},
      {"compression", &f->compression, "none|lz4|zstd|snappy"},
      {"compression_per_level", &f->compression_per_level,
       "comma list, e.g. none,lz4,zstd"},
      {"wal_recovery_mode", &f->wal_recovery_mode,
       "tolerate_tail|absolute|skip_any"},
      {"enable_value_separation", &f->enable_value_separation,
       "DB option, if the engine has it"},
      {"min_blob_size", &f->min_blob_size, "DB option, with the above"},
      {"blob_gc_threshold", &f->blob_gc_threshold, "DB option, with the above"},
  };
}

std::string FieldToString(const Field& field) {
  return std::visit(
      [](auto* p) -> std::string {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return *p;
        } else if constexpr (std::is_same_v<T, bool>) {
          return *p ? "true" : "false";
        } else {
          return std::to_string(*p);
        }
      },
      field);
}

bool SetField(const Field& field, const std::string& value) {
  char* end = nullptr;
  return std::visit(
      [&](auto* p) -> bool {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::string>) {
          *p = value;
          return true;
        } else if constexpr (std::is_same_v<T, bool>) {
          if (value == "true" || value == "1" || value.empty()) {
            *p = true;
          } else if (value == "false" || value == "0") {
            *p = false;
          } else {
            return false;
          }
          return true;
        } else if constexpr (std::is_same_v<T, double>) {
          *p = std::strtod(value.c_str(), &end);
          return !value.empty() && *end == '\0';
        } else {
          *p = static_cast<T>(std::strtoll(value.c_str(), &end, 10));
          return !value.empty() && *end == '\0';
        }
      },
      field);
}

bool ParseCompression(const std::string& name, CompressionType* type) {
  if (name == "none") {
    *type = CompressionType::kNone;
  } else if (name == "lz4") {
    *type = CompressionType::kLZ4;
  } else if (name == "zstd") {
    *type = CompressionType::kZstd;
  } else if (name == "snappy") {
    *type = CompressionType::kSnappy;
  } else {
    return false;
  }
  return true;
}

// Value separation is set only if the engine's Options declares it, so the
// tool builds before and after the engine grows the feature.
template <typename O>
bool SetValueSeparation(const StressFlags& f, O* o) {
  if constexpr (requires { o->enable_value_separation = true; }) {
    o->enable_value_separation = f.enable_value_separation;
    o->min_blob_size = static_cast<size_t>(f.min_blob_size);
    o->blob_gc_threshold = f.blob_gc_threshold;
    return true;
  } else {
    return !f.enable_value_separation;
  }
}

template <typename O>
constexpr bool HasValueSeparation() {
  return requires(O o) { o.enable_value_separation = true; };
}

}  // namespace

bool EngineHasValueSeparation() { return HasValueSeparation<Options>(); }

bool ParseFlags(int argc, char** argv, StressFlags* flags, bool* exit_now) {
  *exit_now = false;
  std::vector<Flag> all = AllFlags(flags);
  for (int i = 1; i < argc; i++) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf("usage: shale-stress [--flag=value ...]\n");
      for (const Flag& f : all) {
        std::printf("  --%s=%s\n      %s\n", f.name,
                    FieldToString(f.field).c_str(), f.help);
      }
      *exit_now = true;
      return true;
    }
    if (arg == "--capabilities") {
      std::printf("value_separation=%d\nkill_points=%d\n",
                  EngineHasValueSeparation() ? 1 : 0,
                  kill_point::Enabled() ? 1 : 0);
      *exit_now = true;
      return true;
    }
    if (arg.substr(0, 2) != "--") {
      std::fprintf(stderr, "shale-stress: unexpected argument '%s'\n",
                   argv[i]);
      return false;
    }
    arg.remove_prefix(2);
    size_t eq = arg.find('=');
    std::string name(arg.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? "" : std::string(arg.substr(eq + 1));
    bool found = false;
    for (const Flag& f : all) {
      if (name != f.name) continue;
      found = true;
      bool is_bool = std::holds_alternative<bool*>(f.field);
      if ((eq == std::string_view::npos && !is_bool) ||
          !SetField(f.field, value)) {
        std::fprintf(stderr, "shale-stress: bad value for --%s\n",
                     name.c_str());
        return false;
      }
    }
    if (!found) {
      std::fprintf(stderr, "shale-stress: unknown flag --%s\n", name.c_str());
      return false;
    }
  }
  return true;
}

std::string FlagsToString(const StressFlags& flags) {
  StressFlags copy = flags;
  std::string out;
  for (const Flag& f : AllFlags(&copy)) {
    if (!out.empty()) out += ' ';
    out += "--" + std::string(f.name) + "=" + FieldToString(f.field);
  }
  return out;
}

Status ToOptions(const StressFlags& f, Options* o) {
  o->create_if_missing = true;
  o->paranoid_checks = f.paranoid_checks;
  o->write_buffer_size = static_cast<size_t>(f.write_buffer_size);
  o->max_write_buffer_number = static_cast<int>(f.max_write_buffer_number);
  o->target_file_size = static_cast<uint64_t>(f.target_file_size);
  o->max_bytes_for_level_base =
      static_cast<uint64_t>(f.max_bytes_for_level_base);
  o->level0_file_num_compaction_trigger =
      static_cast<int>(f.level0_file_num_compaction_trigger);
  o->level0_slowdown_writes_trigger =
      static_cast<int>(f.level0_slowdown_writes_trigger);
  o->level0_stop_writes_trigger =
      static_cast<int>(f.level0_stop_writes_trigger);
  o->max_background_jobs = static_cast<int>(f.max_background_jobs);
  o->max_mem_compact_level = static_cast<int>(f.max_mem_compact_level);
  o->block_size = static_cast<size_t>(f.block_size);
  o->block_restart_interval = static_cast<int>(f.block_restart_interval);
  o->bloom_bits_per_key = static_cast<int>(f.bloom_bits_per_key);
  o->max_open_files = static_cast<int>(f.max_open_files);
  o->block_cache_capacity = static_cast<size_t>(f.block_cache_size);
  o->cache_index_and_filter_blocks = f.cache_index_and_filter_blocks;
  if (!ParseCompression(f.compression, &o->compression)) {
    return Status::InvalidArgument("--compression", f.compression);
  }
  o->compression_per_level.clear();
  std::string_view list = f.compression_per_level;
  while (!list.empty()) {
    size_t comma = list.find(',');
    CompressionType t;
    if (!ParseCompression(std::string(list.substr(0, comma)), &t)) {
      return Status::InvalidArgument("--compression_per_level",
                                     f.compression_per_level);
    }
    o->compression_per_level.push_back(t);
    list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
  }
  if (f.wal_recovery_mode == "tolerate_tail") {
    o->wal_recovery_mode = WalRecoveryMode::kTolerateCorruptedTail;
  } else if (f.wal_recovery_mode == "absolute") {
    o->wal_recovery_mode = WalRecoveryMode::kAbsoluteConsistency;
  } else if (f.wal_recovery_mode == "skip_any") {
    o->wal_recovery_mode = WalRecoveryMode::kSkipAnyCorruptedRecords;
  } else {
    return Status::InvalidArgument("--wal_recovery_mode", f.wal_recovery_mode);
  }
  if (!SetValueSeparation(f, o)) {
    return Status::NotSupported(
        "--enable_value_separation: this engine has no value separation");
  }
  return Status::OK();
}

}  // namespace shale::stress
