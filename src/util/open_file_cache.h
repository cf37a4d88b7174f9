// OpenFileCache<T>: files kept open, by file number, at most `capacity` of
// them, the least recently used closed first.
//
// The one policy behind the table cache (T = Table: the file with its index
// and filter parsed) and the vlog reader (T = RandomAccessFile), which both
// must bound the descriptors they hold (Options::max_open_files).
//
// - Find returns the cached T, or opens it with the caller's `open` outside
//   the lock (opening reads the file) and caches it. Two threads that miss
//   the same number may both open it; the first to return caches its copy,
//   the other uses that one and drops its own. A failed open is not cached,
//   so a repaired file can be retried.
// - Entries are shared: one evicted (by the bound, or by Evict when its file
//   is deleted) stays alive for whoever still holds it, so eviction never
//   invalidates a reader.
//
// Thread safety: every method may be called concurrently.
#ifndef SHALE_UTIL_OPEN_FILE_CACHE_H_
#define SHALE_UTIL_OPEN_FILE_CACHE_H_

#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>
#include <utility>

#include "shale/status.h"
#include "util/mutex.h"

namespace shale {

template <typename T>
class OpenFileCache {
 public:
  explicit OpenFileCache(size_t capacity)
      : capacity_(capacity < 1 ? 1 : capacity) {}
  OpenFileCache(const OpenFileCache&) = delete;
  OpenFileCache& operator=(const OpenFileCache&) = delete;

  // open: Status(std::unique_ptr<T>*), called without the lock on a miss.
  template <typename Open>
  Status Find(uint64_t number, Open&& open, std::shared_ptr<T>* out) {
    {
      MutexLock l(&mu_);
      if (FindLocked(number, out)) return Status::OK();
    }
    std::unique_ptr<T> opened;
    Status s = open(&opened);
    if (!s.ok()) return s;
    MutexLock l(&mu_);
    if (FindLocked(number, out)) return Status::OK();  // opened meanwhile
    lru_.push_front(number);
    std::shared_ptr<T> shared(std::move(opened));
    map_.emplace(number, Entry{shared, lru_.begin()});
    *out = std::move(shared);
    while (map_.size() > capacity_) {
      map_.erase(lru_.back());
      lru_.pop_back();
    }
    return Status::OK();
  }

  // Forgets number's entry (its file is being deleted).
  void Evict(uint64_t number) {
    MutexLock l(&mu_);
    auto it = map_.find(number);
    if (it == map_.end()) return;
    lru_.erase(it->second.lru_pos);
    map_.erase(it);
  }

  size_t size() const {
    MutexLock l(&mu_);
    return map_.size();
  }

 private:
  using LruList = std::list<uint64_t>;  // front = most recently used
  struct Entry {
    std::shared_ptr<T> value;
    LruList::iterator lru_pos;
  };

  bool FindLocked(uint64_t number, std::shared_ptr<T>* out) REQUIRES(mu_) {
    auto it = map_.find(number);
    if (it == map_.end()) return false;
    lru_.splice(lru_.begin(), lru_, it->second.lru_pos);
    *out = it->second.value;
    return true;
  }

  const size_t capacity_;
  mutable Mutex mu_;
  std::unordered_map<uint64_t, Entry> map_ GUARDED_BY(mu_);
  LruList lru_ GUARDED_BY(mu_);
};

}  // namespace shale

#endif  // SHALE_UTIL_OPEN_FILE_CACHE_H_
