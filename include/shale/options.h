// Options for opening a DB, for reads and for writes.
//
// Every field states its default and its trade-off. Options are read at
// DB::Open (Options) or per call (ReadOptions, WriteOptions); none of the DB
// Options can change while the DB is open.
#ifndef SHALE_INCLUDE_OPTIONS_H_
#define SHALE_INCLUDE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "shale/compaction_filter.h"
#include "shale/table_partitioner.h"

namespace shale {

class Cache;
class Env;
class Snapshot;

// How a table's data blocks are compressed. The choice is recorded in every
// block, so files stay readable whatever the options say later. A block that
// does not shrink by at least 12.5% is stored uncompressed.
enum class CompressionType : unsigned char {
  kNone = 0,
  kLZ4 = 1,
  kZstd = 2,
  kSnappy = 3,
};

// How a DB treats damage found while recovering its write-ahead log. See
// docs/format/wal.md for what each mode accepts.
enum class WalRecoveryMode : unsigned char {
  // A torn or corrupt tail (what a crash leaves) is dropped; damage followed
  // by intact records is a Corruption error and the DB does not open.
  kTolerateCorruptedTail = 0,
  // Best effort: skip every damaged record and keep whatever else is
  // readable. Acknowledged writes may be lost; use to salvage a damaged DB.
  kSkipAnyCorruptedRecords = 1,
  // Strict: only an incomplete last record (the file ends inside it) or
  // zero-filled space up to the end of the file is dropped. Any complete
  // record that fails its checksum, the last one included, is a Corruption
  // error and the DB does not open. Right when every record is synced before
  // the next is written (the DB always reads its MANIFEST this way); with
  // unsynced WAL writes a crash can leave a complete but garbled tail, which
  // this mode refuses.
  kAbsoluteConsistency = 2,
};

struct Options {
  // Create the DB if the directory holds none. Default: false.
  bool create_if_missing = false;

  // Fail Open with InvalidArgument if a DB exists already. Default: false.
  bool error_if_exists = false;

  // Verify more aggressively: check every block's checksum on every read,
  // also of blocks already in memory, and check at open that every table
  // file the MANIFEST lists can be opened. Default: false.
  bool paranoid_checks = false;

  // All file system and clock access. nullptr means Env::Default(). The Env
  // must outlive the DB.
  Env* env = nullptr;

  // Bytes of memtable to fill before it is turned into a table file. Larger
  // values mean fewer, larger level-0 files and faster bulk loads, at the cost
  // of memory and longer recovery (the WAL replayed at open grows with it).
  // Memory: up to max_write_buffer_number memtables, plus at most one write
  // buffer of memory kept from flushed memtables for the next ones (so that
  // writers do not wait for the kernel to zero fresh pages).
  // Default: 64 MiB.
  size_t write_buffer_size = 64u << 20;

  // Memtables (the active one plus immutable ones waiting to be flushed) that
  // may exist at once. When the limit is reached writers stall until a flush
  // finishes. Default: 2.
  int max_write_buffer_number = 2;

  // Uncompressed bytes of user data per table data block. Smaller blocks make
  // point reads cheaper and index blocks larger. Default: 4 KiB.
  size_t block_size = 4096;

  // Keys between restart points in a data block: fewer means a faster binary
  // search, more means better prefix compression. Default: 16.
  int block_restart_interval = 16;

  // Bits per key of each table's bloom filter; 0 disables filters. 10 bits
  // give about a 1% false-positive rate. Default: 10.
  int bloom_bits_per_key = 10;

  // Table files kept open (with their index and filter parsed) at once.
  // Default: 1000.
  int max_open_files = 1000;

  // How the write-ahead log is recovered after a crash.
  WalRecoveryMode wal_recovery_mode = WalRecoveryMode::kTolerateCorruptedTail;

  // Write-ahead logs kept once their memtables are in tables, to become new
  // WALs (renamed, then overwritten from the start) instead of new files
  // being created. Writing over a file whose blocks and cached pages exist
  // costs the kernel less than growing a new one, and the writer pays that
  // cost on every write (docs/bench.md). Costs up to this many WALs of disk
  // space (stat recycled_wal_bytes). One is enough while each flush ends
  // before the next memtable fills. A WAL's records carry its number, so an
  // older WAL's records left in a reused file never replay
  // (docs/format/wal.md). 0 turns reuse off; so does kAbsoluteConsistency,
  // under which a torn write over an older WAL's bytes would read as
  // corruption. Default: 1.
  size_t recycle_log_file_num = 1;

  // --- Caches ---------------------------------------------------------------

  // The cache of uncompressed data blocks. nullptr: the DB creates its own
  // CLOCK cache of block_cache_capacity bytes. Pass one cache (NewClockCache in
  // shale/cache.h) to several DBs to share one memory budget.
  std::shared_ptr<Cache> block_cache;

  // Bytes of the block cache the DB creates when block_cache is nullptr;
  // 0 disables block caching. Default: 64 MiB.
  size_t block_cache_capacity = 64u << 20;

  // Also keep index and filter blocks in the block cache (charged to its
  // capacity, evictable) instead of pinning them with each open table. Saves
  // memory for huge DBs at the cost of re-reading them after eviction.
  // Default: false.
  bool cache_index_and_filter_blocks = false;

  // --- Compression ----------------------------------------------------------

  // Compression of data blocks written at every level, unless
  // compression_per_level says otherwise. Default: kLZ4 (cheap to decode,
  // typically 2x on text-like values).
  CompressionType compression = CompressionType::kLZ4;

  // Compression per level: entry i applies to level i; levels past the end
  // use the last entry. Empty: `compression` everywhere. A common choice is
  // {kNone, kNone, kLZ4, kLZ4, kLZ4, kZstd, kZstd}: no CPU spent on data
  // that is rewritten soon, the best ratio on the bottom levels.
  std::vector<CompressionType> compression_per_level;

  // --- Key-value separation (value logs) -----------------------------------

  // Store large values in value log files (vlogs) and only small pointers in
  // the tree, so compaction rewrites keys instead of values (WiscKey). Reads,
  // iterators, snapshots, expiry and batches behave the same either way.
  // Default: true.
  bool enable_value_separation = true;

  // Values of at least this many bytes are separated when a memtable is
  // flushed; smaller ones stay in the tables. 0 separates every value.
  // Default: 1 KiB.
  size_t min_blob_size = 1024;

  // A vlog file whose garbage (values overwritten, deleted or expired) passes
  // this fraction has its live values rewritten by the next compaction that
  // reads their pointers; a file that is all garbage is deleted without
  // rewriting. Default: 0.5.
  double blob_gc_threshold = 0.5;

  // --- Compaction -----------------------------------------------------------

  // Drops or rewrites entries as flushes and compactions write them out
  // (shale/compaction_filter.h says when it is called and what its answers
  // do). Shared: the application may keep a pointer to reach its state.
  // nullptr: every entry is kept, at no cost per entry. Default: nullptr.
  std::shared_ptr<CompactionFilter> compaction_filter;

  // Where flush and compaction outputs must end, besides the DB's own cuts
  // (shale/table_partitioner.h). A flush whose outputs are cut places each
  // one on its own level: the deepest that nothing above overlaps, as
  // max_mem_compact_level allows. nullptr: only the DB's cuts (a flush
  // writes one file). Default: nullptr.
  std::shared_ptr<const TablePartitioner> table_partitioner;

  // Threads for flushes and compactions. One is reserved for flushes
  // whenever there is more than one, so a long compaction never delays a
  // flush. Default: 2.
  int max_background_jobs = 2;

  // Added to the nice value of the compaction threads (0..19; Linux, per
  // thread): when the cores are busy, the scheduler then runs the
  // application's own threads (and the flush thread, which keeps its
  // priority) first, and compaction gets the time left. Under sustained
  // writes compaction falls further behind, so level 0 grows and the
  // level-0 triggers slow writes sooner. Only with max_background_jobs > 1
  // (one thread otherwise does both). Default: 0 (same priority).
  int compaction_thread_nice = 0;

  // Level 0 is compacted into level 1 once it holds this many files (the
  // files one flush was cut into by table_partitioner count as one).
  // Default: 4.
  int level0_file_num_compaction_trigger = 4;

  // Writes are slowed (each write group sleeps about 1 ms) once level 0
  // holds this many files (counted as above), and stop until compaction
  // catches up at level0_stop_writes_trigger. Defaults: 20 and 36.
  int level0_slowdown_writes_trigger = 20;
  int level0_stop_writes_trigger = 36;

  // Target size of level 1; each deeper level's target is
  // max_bytes_for_level_multiplier times the one above (static level
  // sizing). Defaults: 256 MiB and 10.
  uint64_t max_bytes_for_level_base = 256u << 20;
  double max_bytes_for_level_multiplier = 10;

  // Compaction output files are cut at about this size, and earlier where
  // one would overlap more than ten of them in the next level down.
  // Default: 64 MiB.
  uint64_t target_file_size = 64u << 20;

  // A flushed table that overlaps nothing in levels 0..N is placed directly
  // at level N, at most this deep, saving the compactions that would move
  // it there. 0 always flushes to level 0. Default: 2.
  int max_mem_compact_level = 2;
};

struct ReadOptions {
  // Read as of this snapshot (from DB::GetSnapshot); nullptr reads the latest
  // state. Default: nullptr.
  const Snapshot* snapshot = nullptr;

  // For iterators: an exclusive upper bound. Keys >= it are never returned,
  // and the iterator stops reading files there. The memory it points to must
  // outlive the iterator. Default: none.
  const std::string_view* iterate_upper_bound = nullptr;

  // Verify block checksums on every read, even of cached blocks.
  // Default: false (checksums are always verified when a block is read from
  // disk).
  bool verify_checksums = false;

  // Whether blocks read for this call go into the block cache; false for large
  // scans that should not evict the working set. Default: true.
  bool fill_cache = true;
};

struct WriteOptions {
  // fsync the write-ahead log before the write is acknowledged. With false a
  // write survives a process crash (it has reached the OS) but not a power
  // loss until a later sync write or DB::SyncWAL. Default: false.
  bool sync = false;

  // Expiry time of every Put in this call, in milliseconds since the Unix
  // epoch (as the Env's clock tells it); 0 means never. An entry whose time
  // has passed is invisible to reads at once. Ignored by Write (a WriteBatch
  // carries its own per-entry expiry). Default: 0.
  uint64_t expire_at_ms = 0;
};

}  // namespace shale

#endif  // SHALE_INCLUDE_OPTIONS_H_
