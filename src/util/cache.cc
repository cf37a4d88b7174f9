#include "util/cache.h"

#include <cassert>
#include <cstring>
#include <new>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace shale {

namespace {

constexpr size_t kInitialSlots = 16;
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

// Entries start on a cache line: a hit reads the state, the value and the
// key, which for a block key (16 bytes) all fit in the first line.
constexpr std::align_val_t kEntryAlignment{64};
static_assert(sizeof(CacheEntry) == 48, "a block key should fit one line");

CacheEntry* NewEntry(std::string_view key, uint32_t shard, void* value,
                     size_t charge, Cache::Deleter deleter) {
  void* mem = ::operator new(sizeof(CacheEntry) + key.size(), kEntryAlignment);
  auto* e = new (mem) CacheEntry;
  e->state.store(0, std::memory_order_relaxed);
  e->value = value;
  e->charge = charge;
  e->deleter = deleter;
  e->next_garbage = nullptr;
  e->key_size = static_cast<uint32_t>(key.size());
  e->shard = static_cast<uint16_t>(shard);
  e->referenced.store(false, std::memory_order_relaxed);
  // The key's bytes follow the entry (CacheEntry::key).
  if (!key.empty()) {
    std::memcpy(reinterpret_cast<char*>(e + 1), key.data(), key.size());
  }
  return e;
}

void FreeEntry(CacheEntry* e) {
  assert(e->state.load(std::memory_order_relaxed) == 0);
  if (e->deleter != nullptr) e->deleter(e->key(), e->value);
  e->~CacheEntry();
  ::operator delete(e, kEntryAlignment);
}

// Frees a chain of entries linked through next_garbage.
void FreeChain(CacheEntry* garbage) {
  while (garbage != nullptr) {
    CacheEntry* next = garbage->next_garbage;
    FreeEntry(garbage);
    garbage = next;
  }
}

}  // namespace

// --- CacheEntryTable --------------------------------------------------------

CacheEntryTable::CacheEntryTable()
    : slots_(new Slot[kInitialSlots]()),
      mask_(kInitialSlots - 1),
      published_slots_(slots_.get()),
      published_mask_(mask_) {}

CacheEntryTable::~CacheEntryTable() = default;

size_t CacheEntryTable::Probe(std::string_view key, uint64_t hash) const {
  size_t i = hash & mask_;
  // At most half the slots are occupied: the run ends.
  while (slots_[i].entry != nullptr &&
         (slots_[i].hash != hash || slots_[i].entry->key() != key)) {
    i = (i + 1) & mask_;
  }
  return i;
}

CacheEntry* CacheEntryTable::Find(std::string_view key, uint64_t hash) const {
  return slots_[Probe(key, hash)].entry;
}

CacheEntry* CacheEntryTable::Insert(CacheEntry* entry, uint64_t hash) {
  Slot& slot = slots_[Probe(entry->key(), hash)];
  CacheEntry* old = slot.entry;
  slot.hash = hash;
  slot.entry = entry;
  if (old == nullptr && ++size_ > (mask_ + 1) / 2) Grow();
  return old;
}

CacheEntry* CacheEntryTable::Remove(std::string_view key, uint64_t hash) {
  const size_t i = Probe(key, hash);
  CacheEntry* e = slots_[i].entry;
  if (e != nullptr) RemoveAt(i);
  return e;
}

void CacheEntryTable::RemoveAt(size_t hole) {
  assert(slots_[hole].entry != nullptr);
  // Backward shift: each later entry of the run whose home slot is not
  // cyclically in (hole, j] would be unreachable past the hole; it moves
  // into the hole, which moves to where it was.
  size_t j = hole;
  while (true) {
    j = (j + 1) & mask_;
    if (slots_[j].entry == nullptr) break;
    const size_t home = slots_[j].hash & mask_;
    const bool stays =
        hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    hole = j;
  }
  slots_[hole] = Slot{0, nullptr};
  size_--;
}

void CacheEntryTable::Grow() {
  const size_t new_mask = 2 * (mask_ + 1) - 1;
  std::unique_ptr<Slot[]> fresh(new Slot[new_mask + 1]());
  for (size_t i = 0; i <= mask_; i++) {
    if (slots_[i].entry == nullptr) continue;
    size_t j = slots_[i].hash & new_mask;
    while (fresh[j].entry != nullptr) j = (j + 1) & new_mask;
    fresh[j] = slots_[i];
  }
  slots_ = std::move(fresh);
  mask_ = new_mask;
  published_slots_.store(slots_.get(), std::memory_order_relaxed);
  published_mask_.store(mask_, std::memory_order_relaxed);
}

// --- ClockCacheShard --------------------------------------------------------

ClockCacheShard::~ClockCacheShard() {
  WriterMutexLock l(&mu_);
  CacheEntry* garbage = nullptr;
  for (size_t i = 0; i < table_.slot_count(); i++) {
    CacheEntry* e = table_.at(i);
    if (e == nullptr) continue;
    // A pinned entry outliving its cache is a bug.
    assert(e->state.load(std::memory_order_relaxed) == CacheEntry::kInCache);
    e->state.store(0, std::memory_order_relaxed);
    e->next_garbage = garbage;
    garbage = e;
  }
  FreeChain(garbage);
}

void ClockCacheShard::Detach(CacheEntry* e, CacheEntry** garbage) {
  usage_.store(usage_.load(std::memory_order_relaxed) - e->charge);
  const uint64_t old =
      e->state.fetch_and(~CacheEntry::kInCache, std::memory_order_acq_rel);
  assert((old & CacheEntry::kInCache) != 0);
  if ((old & CacheEntry::kRefsMask) == 0) {
    e->next_garbage = *garbage;
    *garbage = e;
  }
}

void ClockCacheShard::EvictOverCapacity(CacheEntry** garbage) {
  // Two turns of the hand without an eviction clear every reference bit and
  // then meet every unpinned entry: after that, only pinned entries remain.
  const size_t max_idle = 2 * table_.slot_count();
  size_t idle = 0;
  while (usage_.load(std::memory_order_relaxed) > capacity_ &&
         idle < max_idle) {
    CacheEntry* e = table_.at(clock_hand_);
    const bool evict =
        e != nullptr && (e->state.load() & CacheEntry::kRefsMask) == 0 &&
        !e->referenced.exchange(false, std::memory_order_relaxed);
    if (!evict) {
      clock_hand_ = (clock_hand_ + 1) & (table_.slot_count() - 1);
      idle++;
      continue;
    }
    // The slot now holds the next entry of the run, if any: look at it
    // before moving on.
    table_.RemoveAt(clock_hand_);
    Detach(e, garbage);
    idle = 0;
  }
}

Cache::Handle* ClockCacheShard::Insert(CacheEntry* e, uint64_t hash) {
  CacheEntry* garbage = nullptr;
  {
    WriterMutexLock l(&mu_);
    if (e->charge > capacity_) {
      // Too large to keep: handed out alone. The old entry still goes, or
      // a Lookup would find the value this Insert replaced.
      e->state.store(1, std::memory_order_relaxed);
      CacheEntry* old = table_.Remove(e->key(), hash);
      if (old != nullptr) Detach(old, &garbage);
    } else {
      e->state.store(CacheEntry::kInCache | 1, std::memory_order_relaxed);
      usage_.store(usage_.load(std::memory_order_relaxed) + e->charge);
      const size_t slots = table_.slot_count();
      CacheEntry* old = table_.Insert(e, hash);
      if (old != nullptr) Detach(old, &garbage);
      // The table doubled: keep the hand at about the same point of the
      // turn.
      if (table_.slot_count() != slots) clock_hand_ *= 2;
      EvictOverCapacity(&garbage);
    }
  }
  FreeChain(garbage);
  return e;
}

Cache::Handle* ClockCacheShard::Lookup(std::string_view key, uint64_t hash) {
  ReaderMutexLock l(&mu_);
  CacheEntry* e = table_.Find(key, hash);
  if (e == nullptr) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  // In the table, so kInCache holds it: the count may rise without a race
  // against its freeing, which needs mu_ exclusively.
  e->state.fetch_add(1, std::memory_order_relaxed);
  // Set only when clear: a hot entry costs no second store per hit.
  if (!e->referenced.load(std::memory_order_relaxed)) {
    e->referenced.store(true, std::memory_order_relaxed);
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return e;
}

void ClockCacheShard::Release(CacheEntry* e) {
  // After the decrement e may be freed by another thread (if it unpinned an
  // entry still in the cache): e is not touched again.
  //
  // Sequentially consistent, with the usage_ load below and, in
  // EvictOverCapacity, the usage_ stores and the state load: either an
  // eviction running now sees this entry unpinned, or this thread sees the
  // usage it left over the capacity. (With acquire/release both could miss,
  // leaving the shard over its capacity with nothing pinned.)
  const uint64_t old = e->state.fetch_sub(1);
  assert((old & CacheEntry::kRefsMask) > 0);
  if (old == 1) {
    // The last handle of an entry that has left the cache.
    FreeEntry(e);
    return;
  }
  // Usage may have stayed over the capacity while pinned entries filled
  // the shard; an entry unpinned is the first chance to get back under it.
  if (old != (CacheEntry::kInCache | 1) || usage_.load() <= capacity_) {
    return;
  }
  CacheEntry* garbage = nullptr;
  {
    WriterMutexLock l(&mu_);
    EvictOverCapacity(&garbage);
  }
  FreeChain(garbage);
}

void ClockCacheShard::Erase(std::string_view key, uint64_t hash) {
  CacheEntry* garbage = nullptr;
  {
    WriterMutexLock l(&mu_);
    CacheEntry* e = table_.Remove(key, hash);
    if (e != nullptr) Detach(e, &garbage);
  }
  FreeChain(garbage);
}

size_t ClockCacheShard::pinned_usage() const {
  ReaderMutexLock l(&mu_);
  size_t total = 0;
  for (size_t i = 0; i < table_.slot_count(); i++) {
    const CacheEntry* e = table_.at(i);
    if (e != nullptr &&
        (e->state.load(std::memory_order_relaxed) & CacheEntry::kRefsMask)) {
      total += e->charge;
    }
  }
  return total;
}

// --- ClockCache -------------------------------------------------------------

ClockCache::ClockCache(size_t capacity, int shard_bits)
    : capacity_(capacity),
      shard_bits_(ChooseShardBits(capacity, shard_bits)),
      shard_capacity_((capacity >> shard_bits_) +
                      ((capacity & ((size_t{1} << shard_bits_) - 1)) != 0)),
      shards_(new ClockCacheShard[size_t{1} << shard_bits_]) {
  for (int i = 0; i < (1 << shard_bits_); i++) {
    shards_[i].SetCapacity(shard_capacity_);
  }
}

ClockCache::~ClockCache() = default;

uint64_t ClockCache::HashKey(std::string_view key) {
  return XXH3_64bits(key.data(), key.size());
}

Cache::Handle* ClockCache::Insert(std::string_view key, void* value,
                                  size_t charge, Deleter deleter) {
  const uint64_t hash = HashKey(key);
  const uint32_t shard = ShardIndex(hash);
  // Allocated before taking the shard's mutex, to keep it short.
  CacheEntry* e = NewEntry(key, shard, value, charge, deleter);
  return shards_[shard].Insert(e, hash);
}

Cache::Handle* ClockCache::Lookup(std::string_view key) {
  const uint64_t hash = HashKey(key);
  return shards_[ShardIndex(hash)].Lookup(key, hash);
}

void ClockCache::Prefetch(std::string_view key) {
  const uint64_t hash = HashKey(key);
  shards_[ShardIndex(hash)].Prefetch(hash);
}

void ClockCache::Release(Handle* handle) {
  auto* e = static_cast<CacheEntry*>(handle);
  shards_[e->shard].Release(e);
}

void ClockCache::Erase(std::string_view key) {
  const uint64_t hash = HashKey(key);
  shards_[ShardIndex(hash)].Erase(key, hash);
}

size_t ClockCache::GetUsage() const {
  size_t total = 0;
  for (int i = 0; i < (1 << shard_bits_); i++) total += shards_[i].usage();
  return total;
}

size_t ClockCache::TEST_pinned_usage() const {
  size_t total = 0;
  for (int i = 0; i < (1 << shard_bits_); i++) {
    total += shards_[i].pinned_usage();
  }
  return total;
}

uint64_t ClockCache::hits() const {
  uint64_t total = 0;
  for (int i = 0; i < (1 << shard_bits_); i++) total += shards_[i].hits();
  return total;
}

uint64_t ClockCache::misses() const {
  uint64_t total = 0;
  for (int i = 0; i < (1 << shard_bits_); i++) total += shards_[i].misses();
  return total;
}

std::shared_ptr<Cache> NewClockCache(size_t capacity, int shard_bits) {
  return std::make_shared<ClockCache>(capacity, shard_bits);
}

}  // namespace shale
