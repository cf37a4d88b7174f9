// Table: an open, immutable sstable (layout in table/format.h).
//
// Open reads the footer, the index, the filter and the properties into
// memory; data blocks are read (pread + checksum) on every access. All data
// block reads go through ReadDataBlock, the one place a block cache will
// plug in.
//
// Errors: damage found on disk is a Corruption whose message starts with
// the file name; I/O errors come from the file as they are. A table never
// returns a wrong entry for damaged input: it fails the call instead. The
// one exception by design is the filter: a damaged filter is ignored (every
// key "may match"), which costs reads but loses nothing.
//
// Thread safety: a Table is immutable after Open; Get, NewIterator and the
// accessors may be called concurrently. Each iterator is used by one thread.
#ifndef SHALE_TABLE_TABLE_H_
#define SHALE_TABLE_TABLE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "shale/status.h"
#include "table/block.h"
#include "table/bloom.h"
#include "table/format.h"
#include "table/internal_iterator.h"
#include "table/table_options.h"
#include "table/table_properties.h"

namespace shale {

class RandomAccessFile;

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
  ~Table();

  // An iterator over the table's entries, bidirectional. It must not
  // outlive the table. An unreadable data block stops it: it turns invalid
  // with the error in status() (it never skips the block). fill_cache is
  // ignored until the block cache exists.
  std::unique_ptr<InternalIterator> NewIterator(bool fill_cache = true) const;

  // Point lookup. If the filter rules out ExtractUserKey(internal_key),
  // returns OK without reading anything. Otherwise finds the one data block
  // that may hold internal_key and, if it holds an entry >= internal_key,
  // calls handle_result(entry_key, entry_value) once with the first such
  // entry; the caller checks that the user key matches. The views are valid
  // only during the call. Returns OK (found or not) or the read's error.
  // REQUIRES: internal_key.size() >= 8.
  Status Get(
      std::string_view internal_key,
      const std::function<void(std::string_view key, std::string_view value)>&
          handle_result) const;

  // The approximate file offset where the data for key begins (or would
  // begin): the offset of the data block that may hold it; the end of the
  // data blocks for keys past the last one.
  uint64_t ApproximateOffsetOf(std::string_view internal_key) const;

  const TableProperties& properties() const { return properties_; }
  const std::string& file_name() const { return file_name_; }
  uint64_t file_size() const { return file_size_; }
  // True when the table has a filter that parsed.
  bool has_filter() const { return filter_ != nullptr; }

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

  // Reads the data block at handle. The seam for the block cache: a cache
  // lookup/insert goes here and nowhere else.
  Status ReadDataBlock(const BlockHandle& handle,
                       std::shared_ptr<const Block>* block) const;

  // Internals for the table iterator.
  // Table blocks hold internal keys: shorter keys are Corruption.
  static constexpr uint32_t kMinKeySize = 8;
  const Comparator* comparator() const { return options_.comparator; }
  const Block& index_block() const { return *index_block_; }

 private:
  Table(const TableOptions& options, std::string file_name,
        std::unique_ptr<RandomAccessFile> file, uint64_t file_size);

  // Constant after Open.
  const TableOptions options_;
  const std::string file_name_;
  const std::unique_ptr<RandomAccessFile> file_;
  const uint64_t file_size_;
  std::unique_ptr<Block> index_block_;
  std::unique_ptr<BloomFilterReader> filter_;  // null: none or unusable
  TableProperties properties_;
  uint64_t data_end_offset_ = 0;  // where the data blocks end

  // Statistics; relaxed atomics, no ordering needed.
  mutable std::atomic<uint64_t> filter_checks_{0};
  mutable std::atomic<uint64_t> filter_negatives_{0};
  mutable std::atomic<uint64_t> filter_false_positives_{0};
};

}  // namespace shale

#endif  // SHALE_TABLE_TABLE_H_
