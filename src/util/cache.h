// LRUCache: the Cache of include/shale/cache.h, sharded and byte-bounded.
//
// The cache is split into 2^shard_bits shards, each with its own mutex,
// entry table and LRU list; the top bits of a key's 64-bit hash pick the
// shard, the low bits the bucket inside it. A shard holds:
//
//   - an entry table: chained hashing over a power-of-two bucket array that
//     doubles when the entries outnumber the buckets. A Lookup hashes the
//     key once and compares stored hashes before keys; it never allocates.
//   - an LRU list of the entries no handle pins, oldest at the back.
//
// Invariants of a shard, each holding under its mutex:
//   1. An entry is in the table iff in_cache; usage is the sum of the
//      charges of the entries in the table.
//   2. An entry is in the LRU list iff in_cache and refs == 0.
//   3. An entry with !in_cache and refs == 0 no longer exists: its deleter
//      has run (outside the mutex) and its memory is freed.
//   4. usage <= capacity, except while pinned entries alone exceed it: an
//      insertion evicts unpinned entries oldest first until usage fits, and
//      a Release that unpins an entry while usage is over the capacity
//      evicts again. An entry whose charge exceeds the shard's capacity is
//      never put in the table (a Lookup never finds it); it is returned
//      pinned and freed by its last Release.
//
// Deleters run outside every mutex, so a deleter may use the cache.
//
// Thread safety: every method may be called concurrently.
#ifndef SHALE_UTIL_CACHE_H_
#define SHALE_UTIL_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "shale/cache.h"
#include "util/mutex.h"

namespace shale {

// One cached entry; its key is stored right after it in the same
// allocation.
struct CacheEntry : Cache::Handle {
  void* value;
  Cache::Deleter deleter;
  CacheEntry* next_in_bucket;  // the entry table's chain
  CacheEntry* lru_prev;        // meaningful while in the LRU list
  CacheEntry* lru_next;
  size_t charge;
  uint64_t hash;
  uint32_t refs;  // handles held by users; the cache's link is in_cache
  uint32_t key_size;
  bool in_cache;

  std::string_view key() const {
    return std::string_view(reinterpret_cast<const char*>(this + 1), key_size);
  }
};

// The entry table of one shard. Not thread-safe: the shard locks around it.
class CacheEntryTable {
 public:
  CacheEntryTable();
  CacheEntryTable(const CacheEntryTable&) = delete;
  CacheEntryTable& operator=(const CacheEntryTable&) = delete;
  ~CacheEntryTable();

  CacheEntry* Find(std::string_view key, uint64_t hash) const;
  // Adds entry; returns the entry with the same key it displaced, or
  // nullptr.
  CacheEntry* Insert(CacheEntry* entry);
  // Removes and returns the entry with key, or nullptr.
  CacheEntry* Remove(std::string_view key, uint64_t hash);
  size_t size() const { return size_; }
  // Calls fn(entry) for every entry; fn must not touch the table.
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (size_t b = 0; b <= mask_; b++) {
      for (CacheEntry* e = buckets_[b]; e != nullptr; e = e->next_in_bucket) {
        fn(e);
      }
    }
  }

 private:
  // The link pointing at the entry with key (or the null link ending its
  // chain).
  CacheEntry** FindLink(std::string_view key, uint64_t hash) const;
  void Grow();

  std::unique_ptr<CacheEntry*[]> buckets_;
  size_t mask_;  // number of buckets - 1
  size_t size_ = 0;
};

// One shard: a mutex, an entry table, an LRU list.
class alignas(64) LRUCacheShard {
 public:
  LRUCacheShard();
  LRUCacheShard(const LRUCacheShard&) = delete;
  LRUCacheShard& operator=(const LRUCacheShard&) = delete;
  // REQUIRES: no entry is pinned.
  ~LRUCacheShard();

  // Called once, before any other use.
  void SetCapacity(size_t capacity) { capacity_ = capacity; }

  // entry is allocated, with key, value, charge, deleter and hash set.
  Cache::Handle* Insert(CacheEntry* entry);
  Cache::Handle* Lookup(std::string_view key, uint64_t hash);
  void Release(CacheEntry* entry);
  void Erase(std::string_view key, uint64_t hash);

  size_t usage() const;
  // Charges of the entries pinned by handles, in the table or not.
  size_t pinned_usage() const;
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  void LruAppendNewest(CacheEntry* e) REQUIRES(mu_);
  static void LruUnlink(CacheEntry* e);
  // Takes e (in the table) out of the cache; if unpinned, chains it into
  // *garbage for freeing once the mutex is released.
  void Detach(CacheEntry* e, CacheEntry** garbage) REQUIRES(mu_);
  // Evicts unpinned entries, oldest first, while usage_ > capacity_.
  void EvictOverCapacity(CacheEntry** garbage) REQUIRES(mu_);

  // Constant after SetCapacity.
  size_t capacity_ = 0;

  mutable Mutex mu_;
  size_t usage_ GUARDED_BY(mu_) = 0;
  size_t pinned_usage_ GUARDED_BY(mu_) = 0;
  // Sentinel of the circular LRU list: lru_.lru_next is the oldest entry,
  // lru_.lru_prev the newest.
  CacheEntry lru_ GUARDED_BY(mu_);
  CacheEntryTable table_ GUARDED_BY(mu_);

  // Counted under mu_ but read without it: relaxed atomics.
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

class LRUCache final : public Cache {
 public:
  // shard_bits < 0: chosen from the capacity (see NewLRUCache).
  LRUCache(size_t capacity, int shard_bits);
  ~LRUCache() override;

  Handle* Insert(std::string_view key, void* value, size_t charge,
                 Deleter deleter) override;
  Handle* Lookup(std::string_view key) override;
  void Release(Handle* handle) override;
  void* Value(Handle* handle) override {
    return static_cast<CacheEntry*>(handle)->value;
  }
  void Erase(std::string_view key) override;
  uint64_t NewId() override {
    return next_id_.fetch_add(1, std::memory_order_relaxed);
  }
  size_t GetCapacity() const override { return capacity_; }
  size_t GetUsage() const override;
  uint64_t hits() const override;
  uint64_t misses() const override;

  // Test hooks.
  int TEST_num_shards() const { return 1 << shard_bits_; }
  // Charges of the entries currently pinned by a handle (in the cache or
  // not).
  size_t TEST_pinned_usage() const;
  size_t TEST_shard_capacity() const { return shard_capacity_; }

  // The hash used to place keys.
  static uint64_t HashKey(std::string_view key);

 private:
  LRUCacheShard& ShardFor(uint64_t hash) {
    return shards_[shard_bits_ == 0 ? 0 : hash >> (64 - shard_bits_)];
  }

  // Constant after construction.
  const size_t capacity_;
  const int shard_bits_;
  const size_t shard_capacity_;
  const std::unique_ptr<LRUCacheShard[]> shards_;

  std::atomic<uint64_t> next_id_{1};
};

}  // namespace shale

#endif  // SHALE_UTIL_CACHE_H_
