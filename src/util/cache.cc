#include "util/cache.h"

#include <cassert>
#include <cstring>
#include <new>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace shale {

namespace {

constexpr size_t kInitialBuckets = 16;
constexpr size_t kMinAutoShardCapacity = size_t{512} << 10;
constexpr int kMaxAutoShardBits = 6;
constexpr int kMaxShardBits = 16;

int ChooseShardBits(size_t capacity, int shard_bits) {
  if (shard_bits >= 0)
    return shard_bits > kMaxShardBits ? kMaxShardBits : shard_bits;
  int bits = 0;
  while (bits < kMaxAutoShardBits &&
         (capacity >> (bits + 1)) >= kMinAutoShardCapacity) {
    bits++;
  }
  return bits;
}

CacheEntry* NewEntry(std::string_view key, uint64_t hash, void* value,
                     size_t charge, Cache::Deleter deleter) {
  void* mem = ::operator new(sizeof(CacheEntry) + key.size());
  auto* e = new (mem) CacheEntry;
  e->value = value;
  e->deleter = deleter;
  e->next_in_bucket = nullptr;
  e->lru_prev = e->lru_next = nullptr;
  e->charge = charge;
  e->hash = hash;
  e->refs = 0;
  e->key_size = static_cast<uint32_t>(key.size());
  e->in_cache = false;
  if (!key.empty()) std::memcpy(e + 1, key.data(), key.size());
  return e;
}

void FreeEntry(CacheEntry* e) {
  assert(e->refs == 0 && !e->in_cache);
  if (e->deleter != nullptr) e->deleter(e->key(), e->value);
  e->~CacheEntry();
  ::operator delete(e);
}

// Frees a chain of entries linked through next_in_bucket.
void FreeChain(CacheEntry* garbage) {
  while (garbage != nullptr) {
    CacheEntry* next = garbage->next_in_bucket;
    FreeEntry(garbage);
    garbage = next;
  }
}

}  // namespace

// --- CacheEntryTable --------------------------------------------------------

CacheEntryTable::CacheEntryTable()
    : buckets_(new CacheEntry*[kInitialBuckets]()),
      mask_(kInitialBuckets - 1) {}

CacheEntryTable::~CacheEntryTable() = default;

CacheEntry** CacheEntryTable::FindLink(std::string_view key,
                                       uint64_t hash) const {
  CacheEntry** link = &buckets_[hash & mask_];
  while (*link != nullptr && ((*link)->hash != hash || (*link)->key() != key)) {
    link = &(*link)->next_in_bucket;
  }
  return link;
}

CacheEntry* CacheEntryTable::Find(std::string_view key, uint64_t hash) const {
  return *FindLink(key, hash);
}

CacheEntry* CacheEntryTable::Insert(CacheEntry* entry) {
  CacheEntry** link = FindLink(entry->key(), entry->hash);
  CacheEntry* old = *link;
  // Take the old entry's place in its chain.
  entry->next_in_bucket = old == nullptr ? nullptr : old->next_in_bucket;
  *link = entry;
  if (old == nullptr && ++size_ > mask_ + 1) Grow();
  return old;
}

CacheEntry* CacheEntryTable::Remove(std::string_view key, uint64_t hash) {
  CacheEntry** link = FindLink(key, hash);
  CacheEntry* e = *link;
  if (e != nullptr) {
    *link = e->next_in_bucket;
    size_--;
  }
  return e;
}

void CacheEntryTable::Grow() {
  const size_t new_mask = 2 * (mask_ + 1) - 1;
  std::unique_ptr<CacheEntry*[]> fresh(new CacheEntry*[new_mask + 1]());
  for (size_t b = 0; b <= mask_; b++) {
    CacheEntry* e = buckets_[b];
    while (e != nullptr) {
      CacheEntry* next = e->next_in_bucket;
      CacheEntry** head = &fresh[e->hash & new_mask];
      e->next_in_bucket = *head;
      *head = e;
      e = next;
    }
  }
  buckets_ = std::move(fresh);
  mask_ = new_mask;
}

// --- LRUCacheShard ----------------------------------------------------------

LRUCacheShard::LRUCacheShard() {
  MutexLock l(&mu_);
  lru_.lru_next = lru_.lru_prev = &lru_;
}

LRUCacheShard::~LRUCacheShard() {
  MutexLock l(&mu_);
  CacheEntry* garbage = nullptr;
  table_.ForEach([&](CacheEntry* e) {
    assert(e->refs == 0);  // a pinned entry outlives its cache: a bug
    e->in_cache = false;
    e->lru_next = garbage;  // the table's links are in use while iterating
    garbage = e;
  });
  while (garbage != nullptr) {
    CacheEntry* next = garbage->lru_next;
    FreeEntry(garbage);
    garbage = next;
  }
}

void LRUCacheShard::LruAppendNewest(CacheEntry* e) {
  e->lru_next = &lru_;
  e->lru_prev = lru_.lru_prev;
  e->lru_prev->lru_next = e;
  lru_.lru_prev = e;
}

void LRUCacheShard::LruUnlink(CacheEntry* e) {
  e->lru_next->lru_prev = e->lru_prev;
  e->lru_prev->lru_next = e->lru_next;
  e->lru_next = e->lru_prev = nullptr;
}

void LRUCacheShard::Detach(CacheEntry* e, CacheEntry** garbage) {
  assert(e->in_cache);
  e->in_cache = false;
  usage_ -= e->charge;
  if (e->refs == 0) {
    LruUnlink(e);
    e->next_in_bucket = *garbage;
    *garbage = e;
  }
}

void LRUCacheShard::EvictOverCapacity(CacheEntry** garbage) {
  while (usage_ > capacity_ && lru_.lru_next != &lru_) {
    CacheEntry* oldest = lru_.lru_next;
    CacheEntry* removed = table_.Remove(oldest->key(), oldest->hash);
    assert(removed == oldest);
    (void)removed;
    Detach(oldest, garbage);
  }
}

Cache::Handle* LRUCacheShard::Insert(CacheEntry* e) {
  CacheEntry* garbage = nullptr;
  {
    MutexLock l(&mu_);
    e->refs = 1;
    pinned_usage_ += e->charge;
    if (e->charge > capacity_) {
      // Too large to keep: handed out alone. The old entry still goes, or
      // a Lookup would find the value this Insert replaced.
      e->in_cache = false;
      CacheEntry* old = table_.Remove(e->key(), e->hash);
      if (old != nullptr) Detach(old, &garbage);
    } else {
      e->in_cache = true;
      usage_ += e->charge;
      CacheEntry* old = table_.Insert(e);
      if (old != nullptr) Detach(old, &garbage);
      EvictOverCapacity(&garbage);
    }
  }
  FreeChain(garbage);
  return e;
}

Cache::Handle* LRUCacheShard::Lookup(std::string_view key, uint64_t hash) {
  MutexLock l(&mu_);
  CacheEntry* e = table_.Find(key, hash);
  if (e == nullptr) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  if (e->refs++ == 0) {
    LruUnlink(e);
    pinned_usage_ += e->charge;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return e;
}

void LRUCacheShard::Release(CacheEntry* e) {
  CacheEntry* garbage = nullptr;
  {
    MutexLock l(&mu_);
    assert(e->refs > 0);
    if (--e->refs > 0) return;
    pinned_usage_ -= e->charge;
    if (e->in_cache) {
      LruAppendNewest(e);
      // Usage may have stayed over the capacity while pinned entries filled
      // the shard; this entry is the first chance to get back under it.
      EvictOverCapacity(&garbage);
    } else {
      e->next_in_bucket = nullptr;
      garbage = e;
    }
  }
  FreeChain(garbage);
}

void LRUCacheShard::Erase(std::string_view key, uint64_t hash) {
  CacheEntry* garbage = nullptr;
  {
    MutexLock l(&mu_);
    CacheEntry* e = table_.Remove(key, hash);
    if (e != nullptr) Detach(e, &garbage);
  }
  FreeChain(garbage);
}

size_t LRUCacheShard::usage() const {
  MutexLock l(&mu_);
  return usage_;
}

size_t LRUCacheShard::pinned_usage() const {
  MutexLock l(&mu_);
  return pinned_usage_;
}

// --- LRUCache ---------------------------------------------------------------

LRUCache::LRUCache(size_t capacity, int shard_bits)
    : capacity_(capacity),
      shard_bits_(ChooseShardBits(capacity, shard_bits)),
      shard_capacity_((capacity >> shard_bits_) +
                      ((capacity & ((size_t{1} << shard_bits_) - 1)) != 0)),
      shards_(new LRUCacheShard[size_t{1} << shard_bits_]) {
  for (int i = 0; i < (1 << shard_bits_); i++) {
    shards_[i].SetCapacity(shard_capacity_);
  }
}

LRUCache::~LRUCache() = default;

uint64_t LRUCache::HashKey(std::string_view key) {
  return XXH3_64bits(key.data(), key.size());
}

Cache::Handle* LRUCache::Insert(std::string_view key, void* value,
                                size_t charge, Deleter deleter) {
  const uint64_t hash = HashKey(key);
  // Allocated before taking the shard's mutex, to keep it short.
  CacheEntry* e = NewEntry(key, hash, value, charge, deleter);
  return ShardFor(hash).Insert(e);
}

Cache::Handle* LRUCache::Lookup(std::string_view key) {
  const uint64_t hash = HashKey(key);
  return ShardFor(hash).Lookup(key, hash);
}

void LRUCache::Release(Handle* handle) {
  auto* e = static_cast<CacheEntry*>(handle);
  ShardFor(e->hash).Release(e);
}

void LRUCache::Erase(std::string_view key) {
  const uint64_t hash = HashKey(key);
  ShardFor(hash).Erase(key, hash);
}

size_t LRUCache::GetUsage() const {
  size_t total = 0;
  for (int i = 0; i < (1 << shard_bits_); i++) total += shards_[i].usage();
  return total;
}

size_t LRUCache::TEST_pinned_usage() const {
  size_t total = 0;
  for (int i = 0; i < (1 << shard_bits_); i++) {
    total += shards_[i].pinned_usage();
  }
  return total;
}

uint64_t LRUCache::hits() const {
  uint64_t total = 0;
  for (int i = 0; i < (1 << shard_bits_); i++) total += shards_[i].hits();
  return total;
}

uint64_t LRUCache::misses() const {
  uint64_t total = 0;
  for (int i = 0; i < (1 << shard_bits_); i++) total += shards_[i].misses();
  return total;
}

std::shared_ptr<Cache> NewLRUCache(size_t capacity, int shard_bits) {
  return std::make_shared<LRUCache>(capacity, shard_bits);
}

}  // namespace shale
