// ClockCache: the Cache of include/shale/cache.h, sharded, byte-bounded,
// evicting by CLOCK (second chance).
//
// The cache is split into 2^shard_bits shards, each with its own
// reader-writer mutex, entry table and clock hand; the top bits of a key's
// 64-bit hash pick the shard, the low bits the home slot inside it.
//
// The entry table is open addressing with linear probing over a
// power-of-two array of slots, each holding an entry's hash beside a pointer
// to it, at most half full (it doubles before that). A Lookup compares the
// hashes in the slots and touches only the entry whose hash matches: one
// cache line for the slots, one for the entry (allocated 64-byte aligned,
// with a block key it fits one line). Removal shifts the following slots of
// the probe run back (no tombstones).
//
// A hit takes the shard's mutex in shared mode, adds one to the entry's
// reference count and sets its reference bit, both atomics; Release is a
// single atomic decrement. Neither moves the entry or writes anything but the
// entry itself and the mutex. Insert, Erase and eviction hold the mutex
// exclusively.
//
// Eviction (CLOCK): while the usage is over the capacity, the clock hand
// walks the slots. An entry pinned by a handle is passed over; an entry whose
// reference bit is set loses the bit and is passed over (its second chance);
// an entry without it is evicted. A new entry starts without the bit, so an
// entry looked up since the hand last passed it outlives every entry not
// looked up since then that the hand meets first, and one-time entries (a
// scan) go before a working set that is looked up again. This is not LRU
// order: among entries with the same bit, the slot order decides.
//
// An entry's state is one atomic word: the number of handles held (low
// bits) and kInCache, set while the entry is in the table. Whoever clears
// the last of the two frees the entry: a Release that drops the count to 0
// after the entry left the cache, or the thread that takes an unpinned entry
// out of the table. Only Lookup (shared mode) and Insert (exclusive) add
// handles, and only to an entry in the table, so while the mutex is held
// exclusively an unpinned entry in the table stays unpinned.
//
// Invariants of a shard, each holding while no thread holds its mutex
// exclusively:
//   1. An entry is in the table iff its kInCache bit is set; usage is the
//      sum of the charges of the entries in the table.
//   2. An entry with neither kInCache nor a handle no longer exists: its
//      deleter has run (outside the mutex) and its memory is freed.
//   3. usage <= capacity, except while pinned entries alone exceed it: an
//      insertion evicts unpinned entries until usage fits, and a Release
//      that unpins an entry while usage is over the capacity evicts again.
//      An entry whose charge exceeds the shard's capacity is never put in
//      the table (a Lookup never finds it); it is returned pinned and freed
//      by its last Release.
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
  // CacheEntry::state: kInCache | handles held.
  static constexpr uint64_t kInCache = uint64_t{1} << 63;
  static constexpr uint64_t kRefsMask = kInCache - 1;

  std::atomic<uint64_t> state;
  void* value;
  size_t charge;
  Cache::Deleter deleter;
  // Chains entries to free once the shard's mutex is released; meaningful
  // only in such a chain.
  CacheEntry* next_garbage;
  uint32_t key_size;
  uint16_t shard;  // index of the shard holding the entry
  // The CLOCK bit: set by a Lookup, cleared by the passing hand.
  std::atomic<bool> referenced;

  std::string_view key() const {
    return std::string_view(reinterpret_cast<const char*>(this + 1), key_size);
  }
};

// The entry table of one shard. Not thread-safe: the shard locks around it
// (Find in shared mode, the rest exclusively).
class CacheEntryTable {
 public:
  CacheEntryTable();
  CacheEntryTable(const CacheEntryTable&) = delete;
  CacheEntryTable& operator=(const CacheEntryTable&) = delete;
  ~CacheEntryTable();

  CacheEntry* Find(std::string_view key, uint64_t hash) const;
  // Starts loading the slot Find(..., hash) probes first. Safe without the
  // shard's mutex: it reads the published copy of the slot array's address
  // and mask, and a stale pair only prefetches a useless address (a
  // prefetch never faults).
  void Prefetch(uint64_t hash) const {
    __builtin_prefetch(
        published_slots_.load(std::memory_order_relaxed) +
        (hash & published_mask_.load(std::memory_order_relaxed)));
  }
  // Adds entry under hash; returns the entry with the same key it
  // displaced, or nullptr. May double the slots (see slot_count).
  CacheEntry* Insert(CacheEntry* entry, uint64_t hash);
  // Removes and returns the entry with key, or nullptr.
  CacheEntry* Remove(std::string_view key, uint64_t hash);
  // Removes the entry in slot i, shifting the rest of its probe run back:
  // slot i may then hold another entry. REQUIRES: slot i is occupied.
  void RemoveAt(size_t i);

  size_t size() const { return size_; }
  size_t slot_count() const { return mask_ + 1; }
  // The entry in slot i, or nullptr. REQUIRES: i < slot_count().
  CacheEntry* at(size_t i) const { return slots_[i].entry; }

 private:
  struct Slot {
    uint64_t hash;
    CacheEntry* entry;  // nullptr: empty
  };

  // The slot holding key, or the empty slot ending its probe run.
  size_t Probe(std::string_view key, uint64_t hash) const;
  void Grow();

  std::unique_ptr<Slot[]> slots_;
  size_t mask_;  // number of slots - 1
  size_t size_ = 0;
  // slots_.get() and mask_ as of the last Grow, for Prefetch.
  std::atomic<const Slot*> published_slots_;
  std::atomic<size_t> published_mask_;
};

// One shard: a reader-writer mutex, an entry table, a clock hand.
class alignas(64) ClockCacheShard {
 public:
  ClockCacheShard() = default;
  ClockCacheShard(const ClockCacheShard&) = delete;
  ClockCacheShard& operator=(const ClockCacheShard&) = delete;
  // REQUIRES: no entry is pinned.
  ~ClockCacheShard();

  // Called once, before any other use.
  void SetCapacity(size_t capacity) { capacity_ = capacity; }

  // entry is allocated, with key, value, charge, deleter and shard set.
  Cache::Handle* Insert(CacheEntry* entry, uint64_t hash);
  Cache::Handle* Lookup(std::string_view key, uint64_t hash);
  // No lock: see CacheEntryTable::Prefetch.
  void Prefetch(uint64_t hash) const NO_THREAD_SAFETY_ANALYSIS {
    table_.Prefetch(hash);
  }
  void Release(CacheEntry* entry);
  void Erase(std::string_view key, uint64_t hash);

  size_t usage() const { return usage_.load(std::memory_order_relaxed); }
  // Charges of the entries in the table that a handle pins.
  size_t pinned_usage() const;
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  // Clears e's kInCache (e has just left the table) and subtracts its
  // charge; if no handle pins it, chains it into *garbage for freeing once
  // the mutex is released.
  void Detach(CacheEntry* e, CacheEntry** garbage) REQUIRES(mu_);
  // Moves the clock hand, evicting, while usage_ > capacity_ and an
  // unpinned entry remains.
  void EvictOverCapacity(CacheEntry** garbage) REQUIRES(mu_);

  // Constant after SetCapacity.
  size_t capacity_ = 0;

  mutable SharedMutex mu_;
  CacheEntryTable table_ GUARDED_BY(mu_);
  size_t clock_hand_ GUARDED_BY(mu_) = 0;  // a slot index
  // Written with mu_ held exclusively; read without it (Release's check,
  // GetUsage).
  std::atomic<size_t> usage_{0};

  // Counted under a shared mu_: relaxed atomics.
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

class ClockCache final : public Cache {
 public:
  // shard_bits < 0: chosen from the capacity (see NewClockCache).
  ClockCache(size_t capacity, int shard_bits);
  ~ClockCache() override;

  Handle* Insert(std::string_view key, void* value, size_t charge,
                 Deleter deleter) override;
  Handle* Lookup(std::string_view key) override;
  void Prefetch(std::string_view key) override;
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
  // Charges of the entries in the cache that a handle pins (an entry erased
  // or replaced while pinned no longer counts).
  size_t TEST_pinned_usage() const;
  size_t TEST_shard_capacity() const { return shard_capacity_; }

  // The hash used to place keys.
  static uint64_t HashKey(std::string_view key);

 private:
  uint32_t ShardIndex(uint64_t hash) const {
    return shard_bits_ == 0 ? 0
                            : static_cast<uint32_t>(hash >> (64 - shard_bits_));
  }

  // Constant after construction.
  const size_t capacity_;
  const int shard_bits_;
  const size_t shard_capacity_;
  const std::unique_ptr<ClockCacheShard[]> shards_;

  std::atomic<uint64_t> next_id_{1};
};

}  // namespace shale

#endif  // SHALE_UTIL_CACHE_H_
