#include "db/table_cache.h"

#include "db/filename.h"

namespace shale {

TableCache::TableCache(std::string dbname, Env* env,
                       const TableOptions& table_options, size_t capacity)
    : dbname_(std::move(dbname)),
      env_(env),
      table_options_(table_options),
      capacity_(capacity < 1 ? 1 : capacity) {}

Status TableCache::FindTable(uint64_t number, uint64_t file_size,
                             std::shared_ptr<Table>* table) {
  {
    MutexLock l(&mu_);
    auto it = map_.find(number);
    if (it != map_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru_pos);
      *table = it->second.table;
      return Status::OK();
    }
  }
  // Open without the lock: it reads the footer, index and filter.
  std::string fname = TableFileName(dbname_, number);
  std::unique_ptr<RandomAccessFile> file;
  Status s = env_->NewRandomAccessFile(fname, &file);
  if (!s.ok()) return s;
  std::unique_ptr<Table> opened;
  s = Table::Open(table_options_, fname, std::move(file), file_size, &opened);
  if (!s.ok()) return s;  // not cached: a repaired file can be retried

  MutexLock l(&mu_);
  auto it = map_.find(number);
  if (it != map_.end()) {  // another thread opened it meanwhile
    *table = it->second.table;
    return Status::OK();
  }
  lru_.push_front(number);
  std::shared_ptr<Table> shared(std::move(opened));
  map_.emplace(number, Entry{shared, lru_.begin()});
  *table = std::move(shared);
  while (map_.size() > capacity_) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
  return Status::OK();
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

void TableCache::Evict(uint64_t number) {
  MutexLock l(&mu_);
  auto it = map_.find(number);
  if (it == map_.end()) return;
  lru_.erase(it->second.lru_pos);
  map_.erase(it);
}

}  // namespace shale
