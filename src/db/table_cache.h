// TableCache: open table files, bounded by Options::max_open_files.
//
// Each entry holds an open file with its index and filter parsed, in an
// OpenFileCache (least recently used closed first; an evicted Table stays
// alive while an iterator still uses it, so eviction never invalidates a
// reader).
//
// Thread safety: all methods may be called concurrently.
#ifndef SHALE_DB_TABLE_CACHE_H_
#define SHALE_DB_TABLE_CACHE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "shale/env.h"
#include "shale/options.h"
#include "table/internal_iterator.h"
#include "table/table.h"
#include "table/table_options.h"
#include "util/open_file_cache.h"

namespace shale {

class TableCache {
 public:
  TableCache(std::string dbname, Env* env, const TableOptions& table_options,
             size_t capacity);
  TableCache(const TableCache&) = delete;
  TableCache& operator=(const TableCache&) = delete;

  // Opens (or finds) table file number, whose size is file_size.
  Status FindTable(uint64_t number, uint64_t file_size,
                   std::shared_ptr<Table>* table);

  // An iterator over the table's internal keys; an error iterator if the
  // file cannot be opened.
  std::unique_ptr<InternalIterator> NewIterator(const ReadOptions& options,
                                                uint64_t number,
                                                uint64_t file_size);

  // Calls handle(key, value) with the first entry >= internal_key in the
  // table, unless the filter rules the key out.
  Status Get(
      const ReadOptions& options, uint64_t number, uint64_t file_size,
      std::string_view internal_key,
      const std::function<void(std::string_view, std::string_view)>& handle);

  // Table::MultiGet on the table; if it cannot be opened, every status
  // gets the error.
  void MultiGet(const ReadOptions& options, uint64_t number, uint64_t file_size,
                std::span<const Table::BatchKey> keys,
                std::span<Status> statuses,
                const std::function<void(size_t i, std::string_view key,
                                         std::string_view value)>& handle);
  // Drops the entry for a deleted file.
  void Evict(uint64_t number);

 private:
  const std::string dbname_;
  Env* const env_;
  const TableOptions table_options_;
  OpenFileCache<Table> tables_;
};

}  // namespace shale

#endif  // SHALE_DB_TABLE_CACHE_H_
