// The flags of shale-stress: what it runs, against which DB options, and
// how it crashes. `shale-stress --help` prints them all with their defaults.
#ifndef SHALE_TOOLS_STRESS_STRESS_FLAGS_H_
#define SHALE_TOOLS_STRESS_STRESS_FLAGS_H_

#include <cstdint>
#include <string>

#include "shale/options.h"
#include "shale/status.h"

namespace shale::stress {

struct StressFlags {
  // --- where ---
  std::string db;              // data directory (--env=posix)
  std::string env = "posix";   // posix | mem (in-process crashes and faults)
  std::string expected_state;  // the oracle's file; "" keeps it in memory
  bool destroy = false;        // start from an empty DB and oracle
  bool verify_only = false;    // open, verify everything, exit

  // --- how long ---
  uint64_t seed = 0;  // 0: from the clock (printed either way)
  int threads = 4;
  int64_t ops_per_thread = 10000;  // 0: until duration_s
  double duration_s = 0;           // 0: until ops_per_thread
  double progress_s = 30;          // a progress line this often

  // --- the key space (fixed for the life of an expected-state file) ---
  int64_t num_keys = 10000;
  int64_t group_size = 4;   // keys per lock stripe and per atomic group
  int64_t group_every = 4;  // every Nth stripe is an atomic group; 0: none

  // --- values ---
  int64_t value_size_max = 256;      // usual values: 0 .. this, skewed small
  int64_t large_value_one_in = 16;   // 1 in N values is large
  int64_t large_value_size = 16384;  // large values: size/2 .. size

  // --- the mix (relative weights) ---
  int64_t put_weight = 30;
  int64_t delete_weight = 8;
  int64_t expire_weight = 6;  // puts with an expiry (past or far future)
  int64_t batch_weight = 10;  // atomic groups and multi-key batches
  int64_t get_weight = 30;
  int64_t scan_weight = 8;    // snapshot + iterator, both directions
  int64_t max_scan_keys = 64;
  bool reverse_scans = true;  // also walk each scanned range backwards
  int64_t hold_snapshot_one_in = 4;  // scans whose snapshot is re-checked later

  // --- whole-DB operations (per op of a thread; 0: never) ---
  int64_t sync_one_in = 0;  // sync writes (1: every write)
  int64_t sync_wal_one_in = 1000;
  int64_t flush_one_in = 2000;
  int64_t compact_range_one_in = 5000;
  int64_t reopen_one_in = 0;  // close and reopen in process, verify all

  // --- crashes and faults ---
  int64_t kill_odds = 0;      // whitebox: 1/N per kill point hit
  std::string kill_prefix;    // ... of the points starting with this
  int64_t crash_one_in = 0;   // --env=mem: power loss, verify, go on
  bool torn_tails = true;     // ... keeping random unsynced tails
  int64_t fault_one_in = 0;   // --env=mem: inject an I/O error
  bool wal_faults = true;     // ... also into WAL appends, flushes, syncs
  // ... of these kinds (FaultOpName names, comma-separated)
  std::string fault_kinds = "append,flush,sync,rename,syncdir,open,read,remove";

  // --- DB options (defaults small so that flushes and compactions run) ---
  int64_t write_buffer_size = 256 << 10;
  int64_t max_write_buffer_number = 3;
  int64_t target_file_size = 512 << 10;
  int64_t max_bytes_for_level_base = 2 << 20;
  int64_t level0_file_num_compaction_trigger = 4;
  int64_t level0_slowdown_writes_trigger = 20;
  int64_t level0_stop_writes_trigger = 36;
  int64_t max_background_jobs = 2;
  int64_t max_mem_compact_level = 2;
  int64_t block_size = 4096;
  int64_t block_restart_interval = 16;
  int64_t bloom_bits_per_key = 10;
  int64_t max_open_files = 1000;
  int64_t block_cache_size = 8 << 20;
  bool cache_index_and_filter_blocks = false;
  bool paranoid_checks = false;
  std::string compression = "lz4";  // none|lz4|zstd|snappy
  std::string compression_per_level;  // e.g. "none,lz4,zstd"; "" uses above
  std::string wal_recovery_mode = "tolerate_tail";  // |absolute|skip_any
  // Value separation, when the engine has it (see --capabilities).
  bool enable_value_separation = false;
  int64_t min_blob_size = 1024;
  double blob_gc_threshold = 0.5;
};

// Parses argv into *flags. Returns false after printing the reason (or the
// help, with *exit_now set). --capabilities prints what this build
// supports (value separation, kill points) and sets *exit_now.
bool ParseFlags(int argc, char** argv, StressFlags* flags, bool* exit_now);

// Every flag as --name=value, one line, for the log.
std::string FlagsToString(const StressFlags& flags);

// The DB options the flags describe. Errors name the bad flag.
Status ToOptions(const StressFlags& flags, Options* options);

// True when this engine's Options has value separation.
bool EngineHasValueSeparation();

}  // namespace shale::stress

#endif  // SHALE_TOOLS_STRESS_STRESS_FLAGS_H_
