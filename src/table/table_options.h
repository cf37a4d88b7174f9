// TableOptions: how tables are written and read. The DB fills them from its
// Options; every table of a DB is written with the same values, but a
// reader never depends on them matching the writer's (block sizes, restart
// interval and filter parameters are all recorded in the file).
#ifndef SHALE_TABLE_TABLE_OPTIONS_H_
#define SHALE_TABLE_TABLE_OPTIONS_H_

#include <cstddef>

namespace shale {

class Comparator;

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
};

}  // namespace shale

#endif  // SHALE_TABLE_TABLE_OPTIONS_H_
