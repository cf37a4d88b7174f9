// Table: an open, immutable sstable (layout in table/format.h).
//
// Open reads the footer, the properties, the index and the filter. The
// index and filter are held by the Table for its lifetime, or, with
// TableOptions::cache_index_and_filter_blocks and a block cache, live in
// the block cache as charged entries and are re-read when evicted. A Table
// holding its index with a bytewise user comparator also derives an
// IndexPrefixes digest of it (8 bytes per data block), which narrows Get's
// index search to the entries the lookup key's bytes leave possible. Data
// blocks are read through ReadDataBlock, the one path from the file to a
// reader:
//
//   - With TableOptions::block_cache, the block is looked up under this
//     table's cache id (Cache::NewId at Open) and its offset. A hit is used
//     in place: pinned, never copied. A miss reads the block (pread,
//     checksum, uncompress) and, if ReadOptions::fill_cache, inserts it.
//   - Without a cache, or with fill_cache false on a miss, the block is
//     read for this use only and freed when the reader lets go.
//
// Checksums (ReadOptions::verify_checksums): a block read from the file is
// always verified against its stored checksum before it is uncompressed.
// A cached block carries a second checksum, of its uncompressed contents,
// taken when it was inserted; verify_checksums = true recomputes it on
// every cache hit (catching memory damage) and, on a mismatch, erases the
// entry and fails the read with Corruption. The cache thus stays useful to
// paranoid readers at the cost of one hash over the block per hit.
//
// Errors: damage found on disk is a Corruption whose message starts with
// the file name (corrupt compressed data included); I/O errors come from
// the file as they are. A table never returns a wrong entry for damaged
// input: it fails the call instead. The one exception by design is the
// filter: a damaged filter is ignored (every key "may match"), which costs
// reads but loses nothing.
//
// Thread safety: a Table is immutable after Open; Get, NewIterator and the
// accessors may be called concurrently. Each iterator is used by one
// thread.
#ifndef SHALE_TABLE_TABLE_H_
#define SHALE_TABLE_TABLE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "shale/cache.h"
#include "shale/options.h"
#include "shale/status.h"
#include "table/block.h"
#include "table/bloom.h"
#include "table/format.h"
#include "table/index_prefixes.h"
#include "table/internal_iterator.h"
#include "table/table_options.h"
#include "table/table_properties.h"

namespace shale {

class RandomAccessFile;

// A block held for reading: pinned in the block cache, owned (read for this
// use only), or borrowed from the Table that holds it. The block stays
// valid until Reset or destruction, which release the pin. Move-free: it
// lives where it is used (an iterator member, a stack frame).
class BlockRef {
 public:
  BlockRef() = default;
  BlockRef(const BlockRef&) = delete;
  BlockRef& operator=(const BlockRef&) = delete;
  ~BlockRef() { Reset(); }

  // nullptr when empty.
  const Block* get() const { return block_; }
  // True when the block is pinned in a cache.
  bool cached() const { return handle_ != nullptr; }
  void Reset();

 private:
  friend class Table;

  const Block* block_ = nullptr;
  Cache* cache_ = nullptr;  // with handle_: the pin
  Cache::Handle* handle_ = nullptr;
  Block owned_;  // a block read for this use only (block_ == &owned_)
};

class Table {
 public:
  // Opens the table held by the first file_size bytes of *file; file_name
  // is used only in error messages. On success *table holds the table,
  // which owns the file. Errors: Corruption (not an sstable, damaged
  // footer/index/properties), NotSupported (a newer format version),
  // InvalidArgument (written with another comparator), IOError.
  static Status Open(const TableOptions& options, std::string file_name,
                     std::unique_ptr<RandomAccessFile> file, uint64_t file_size,
                     std::unique_ptr<Table>* table);

  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  // Erases the cached index and filter (the data blocks age out of the
  // cache: no reader can reach them once the table is gone).
  ~Table();

  // An iterator over the table's entries, bidirectional. It must not
  // outlive the table. It reads with options.fill_cache and
  // options.verify_checksums (the other ReadOptions are the DB's business)
  // and pins the data block it is on (and, if cached, the index) until it
  // moves to another block or is destroyed. An unreadable data block stops
  // it: it turns invalid with the error in status() (it never skips the
  // block). If the index cannot be read, the iterator is empty with the
  // error in status().
  std::unique_ptr<InternalIterator> NewIterator(
      const ReadOptions& options) const;

  // Point lookup. If the filter rules out ExtractUserKey(internal_key),
  // returns OK without reading anything. Otherwise finds the one data block
  // that may hold internal_key and, if it holds an entry >= internal_key,
  // calls handle_result(entry_key, entry_value) once with the first such
  // entry; the caller checks that the user key matches. The views are valid
  // only during the call. Returns OK (found or not) or the read's error.
  // A cache hit allocates nothing. REQUIRES: internal_key.size() >= 8.
  Status Get(
      const ReadOptions& options, std::string_view internal_key,
      const std::function<void(std::string_view key, std::string_view value)>&
          handle_result) const;

  // One key of a MultiGet batch.
  struct BatchKey {
    std::string_view internal_key;  // REQUIRES: size() >= 8
    uint64_t hash;                  // BloomHash(ExtractUserKey(internal_key))
  };
  // Get for each of keys, with the cache misses of the batch overlapped:
  // the filter lines of every key are loaded together, then the data
  // blocks are found and pinned, their restart arrays loaded together,
  // and only then searched. Keys sorted by the table's comparator share a
  // data block's lookup with their predecessor when they fall in the same
  // block (any order is correct). handle_result(i, entry_key, entry_value)
  // is Get's handle_result for keys[i]; a read that fails for keys[i] sets
  // statuses[i] (entries of OK lookups are left untouched).
  // REQUIRES: statuses.size() == keys.size().
  void MultiGet(
      const ReadOptions& options, std::span<const BatchKey> keys,
      std::span<Status> statuses,
      const std::function<void(size_t i, std::string_view key,
                               std::string_view value)>& handle_result) const;

  // The approximate file offset where the data for key begins (or would
  // begin): the offset of the data block that may hold it; the end of the
  // data blocks for keys past the last one, or when the index cannot be
  // read.
  uint64_t ApproximateOffsetOf(std::string_view internal_key) const;

  const TableProperties& properties() const { return properties_; }
  const std::string& file_name() const { return file_name_; }
  uint64_t file_size() const { return file_size_; }
  // True when the table has a filter that parsed at Open.
  bool has_filter() const { return has_filter_; }
  // This table's prefix in the block cache's keys (0 without a cache).
  uint64_t cache_id() const { return cache_id_; }
  // True when Get narrows its index search with an IndexPrefixes digest:
  // the index is held by the table (not in the block cache) and the user
  // keys are ordered bytewise.
  bool has_index_prefixes() const { return index_prefixes_ != nullptr; }
  const IndexPrefixes* TEST_index_prefixes() const {
    return index_prefixes_.get();
  }

  // Filter statistics, since Open: lookups that consulted the filter, the
  // ones it answered "no" to (a data block read saved), and the ones it
  // let through whose block held no entry of the user key (false
  // positives, or keys absent in this table).
  uint64_t filter_checks() const {
    return filter_checks_.load(std::memory_order_relaxed);
  }
  uint64_t filter_negatives() const {
    return filter_negatives_.load(std::memory_order_relaxed);
  }
  uint64_t filter_false_positives() const {
    return filter_false_positives_.load(std::memory_order_relaxed);
  }

  // Makes *block hold the data block at handle (see the top of this file).
  // Corruption if the handle does not lie inside the data blocks' area.
  Status ReadDataBlock(const ReadOptions& options, const BlockHandle& handle,
                       BlockRef* block) const;

  // Makes *block hold the index block: borrowed from the table, or pinned
  // in the cache (read again after an eviction, and always inserted:
  // options.fill_cache does not apply to it).
  Status GetIndexBlock(const ReadOptions& options, BlockRef* block) const;

  // Table blocks hold internal keys: shorter keys are Corruption.
  static constexpr uint32_t kMinKeySize = 8;
  const Comparator* comparator() const { return options_.comparator; }

 private:
  Table(const TableOptions& options, std::string file_name,
        std::unique_ptr<RandomAccessFile> file, uint64_t file_size);

  // Reads and verifies a block from the file, counting the read.
  Status ReadFromFile(const BlockHandle& handle, BlockContents* contents) const;
  // ReadDataBlock without the area check: data and index blocks.
  Status ReadBlockCached(const ReadOptions& options, const BlockHandle& handle,
                         BlockRef* block) const;
  // The filter to consult, or nullptr (none, or unusable). With a cached
  // filter, *pin receives its handle, to release after use.
  const BloomFilterReader* GetFilter(Cache::Handle** pin) const;
  // Reads the filter block; nullptr if it cannot be read or parsed.
  std::unique_ptr<BloomFilterReader> ReadFilter() const;
  // Inserts the filter into the block cache; returns the pinned handle.
  Cache::Handle* InsertFilter(std::unique_ptr<BloomFilterReader> filter) const;
  void CountCacheLookup(bool hit) const;
  // Counts a lookup the filter was asked about, and whether it said no.
  void CountFilterCheck(bool negative) const;
  // Seeks index_iter (over the index block) to the entry of the data block
  // that may hold internal_key and decodes its handle. False when there is
  // none (past the last block; *s OK) or on corruption (*s says so).
  bool LocateBlock(BlockIter* index_iter, std::string_view internal_key,
                   BlockHandle* handle, Status* s) const;
  // Hands the first entry >= internal_key in block, if any, to
  // handle_result; *s gets the search's status. True if that entry's user
  // key is internal_key's.
  bool SearchBlock(
      const Block* block, std::string_view internal_key, Status* s,
      const std::function<void(std::string_view, std::string_view)>&
          handle_result) const;

  // Constant after Open.
  const TableOptions options_;
  const std::string file_name_;
  const std::unique_ptr<RandomAccessFile> file_;
  const uint64_t file_size_;
  TableProperties properties_;
  uint64_t data_end_offset_ = 0;  // where the data blocks end
  uint64_t cache_id_ = 0;
  // The index and filter live in options_.block_cache, not below.
  bool cache_meta_blocks_ = false;
  BlockHandle index_handle_;
  BlockHandle filter_handle_;
  bool has_filter_ = false;
  std::unique_ptr<Block> index_block_;             // null if cache_meta_blocks_
  std::unique_ptr<IndexPrefixes> index_prefixes_;  // null: not usable
  std::unique_ptr<BloomFilterReader> filter_;  // null: none, unusable, cached

  // Statistics; relaxed atomics, no ordering needed.
  mutable std::atomic<uint64_t> filter_checks_{0};
  mutable std::atomic<uint64_t> filter_negatives_{0};
  mutable std::atomic<uint64_t> filter_false_positives_{0};
};

}  // namespace shale

#endif  // SHALE_TABLE_TABLE_H_
