// TableOptions: how tables are written and read. The DB fills them from its
// Options; every table of a DB is written with the same values, but a
// reader never depends on them matching the writer's (block sizes, restart
// interval and filter parameters are all recorded in the file).
#ifndef SHALE_TABLE_TABLE_OPTIONS_H_
#define SHALE_TABLE_TABLE_OPTIONS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "shale/options.h"

namespace shale {

class Cache;
class Comparator;

// Read statistics shared by every table of a DB (or any group of tables):
// relaxed atomic counters, bumped by Table::Get and the table iterators.
// Readers of the counters see each one exactly but not a consistent set.
struct TableReadStats {
  // Point lookups that consulted a bloom filter, and those the filter
  // answered "not here" (a data block read saved).
  std::atomic<uint64_t> bloom_checked{0};
  std::atomic<uint64_t> bloom_useful{0};
  // Block cache lookups of data blocks (index and filter blocks too with
  // cache_index_and_filter_blocks) that found / did not find the block.
  std::atomic<uint64_t> block_cache_hits{0};
  std::atomic<uint64_t> block_cache_misses{0};
  // Blocks read from table files, and their bytes as stored (compressed,
  // trailers included).
  std::atomic<uint64_t> block_reads{0};
  std::atomic<uint64_t> bytes_read{0};
};

struct TableOptions {
  // Orders the keys of the table: the internal key comparator
  // (db/dbformat.h), since tables hold internal keys; the filter is built
  // over ExtractUserKey of every key. Its Name() is recorded in the table
  // and Table::Open fails with InvalidArgument if it differs. Must outlive
  // every builder and table using it. No default.
  const Comparator* comparator = nullptr;

  // Uncompressed bytes of entries per data block; a block is cut once it
  // reaches this size (so it may exceed it by one entry). Smaller blocks
  // make point reads cheaper and the index larger. Default: 4 KiB.
  size_t block_size = 4096;

  // Entries between restart points in data blocks. Fewer: faster seeks in a
  // block; more: better prefix compression. Default: 16.
  int block_restart_interval = 16;

  // Bits per key of the table's bloom filter; 0 writes no filter. 10 gives
  // about 1% false positives. Only affects writing. Default: 10.
  int bloom_bits_per_key = 10;

  // How the builder compresses data blocks; a block that does not shrink by
  // 12.5% is stored raw. Only affects writing: readers take each block's
  // type from its trailer. Default: kNone (the DB passes its Options'
  // choice for the level written).
  CompressionType compression = CompressionType::kNone;

  // The cache of uncompressed blocks, keyed by a per-Table id
  // (Cache::NewId at Open) and the block's offset. nullptr: no caching,
  // every data block access reads the file. Must outlive every table using
  // it. Default: nullptr.
  Cache* block_cache = nullptr;

  // With a block_cache: the index and filter blocks are cache entries too
  // (charged to the cache, evictable, re-read after eviction) instead of
  // being held by the Table for its lifetime. Ignored without a
  // block_cache. Default: false.
  bool cache_index_and_filter_blocks = false;

  // Where reads count what they do; nullptr: not counted. Must outlive
  // every table using it. Default: nullptr.
  TableReadStats* read_stats = nullptr;
};

}  // namespace shale

#endif  // SHALE_TABLE_TABLE_OPTIONS_H_
