// Options for opening a DB, for reads and for writes.
//
// Every field states its default and its trade-off. Options are read at
// DB::Open (Options) or per call (ReadOptions, WriteOptions); none of the DB
// Options can change while the DB is open.
#ifndef SHALE_INCLUDE_OPTIONS_H_
#define SHALE_INCLUDE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shale {

class Env;
class Snapshot;

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
