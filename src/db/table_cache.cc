#include "db/table_cache.h"

#include "db/filename.h"

namespace shale {

TableCache::TableCache(std::string dbname, Env* env,
                       const TableOptions& table_options, size_t capacity)
    : dbname_(std::move(dbname)),
      env_(env),
      table_options_(table_options),
      tables_(capacity) {}

Status TableCache::FindTable(uint64_t number, uint64_t file_size,
                             std::shared_ptr<Table>* table) {
  return tables_.Find(
      number,
      [&](std::unique_ptr<Table>* opened) {
        // Reads the footer, index and filter.
        std::string fname = TableFileName(dbname_, number);
        std::unique_ptr<RandomAccessFile> file;
        Status s = env_->NewRandomAccessFile(fname, &file);
        if (!s.ok()) return s;
        return Table::Open(table_options_, fname, std::move(file), file_size,
                           opened);
      },
      table);
}

std::unique_ptr<InternalIterator> TableCache::NewIterator(
    const ReadOptions& options, uint64_t number, uint64_t file_size) {
  std::shared_ptr<Table> table;
  Status s = FindTable(number, file_size, &table);
  if (!s.ok()) return NewEmptyIterator(s);
  auto iter = table->NewIterator(options);
  // The iterator borrows the table: keep it alive as long as the iterator.
  iter->RegisterCleanup([table] {});
  return iter;
}

Status TableCache::Get(
    const ReadOptions& options, uint64_t number, uint64_t file_size,
    std::string_view internal_key,
    const std::function<void(std::string_view, std::string_view)>& handle) {
  std::shared_ptr<Table> table;
  Status s = FindTable(number, file_size, &table);
  if (!s.ok()) return s;
  return table->Get(options, internal_key, handle);
}

void TableCache::MultiGet(
    const ReadOptions& options, uint64_t number, uint64_t file_size,
    std::span<const Table::BatchKey> keys, std::span<Status> statuses,
    const std::function<void(size_t, std::string_view, std::string_view)>&
        handle) {
  std::shared_ptr<Table> table;
  Status s = FindTable(number, file_size, &table);
  if (!s.ok()) {
    for (Status& status : statuses) status = s;
    return;
  }
  table->MultiGet(options, keys, statuses, handle);
}

void TableCache::Evict(uint64_t number) { tables_.Evict(number); }

}  // namespace shale
