#include "util/arena.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace shale {

char* Arena::AllocateFallback(size_t bytes) {
  if (bytes > block_size_ / 4) {
    // Large objects get their own block so the current block's tail is kept.
    return NewBlock(bytes);
  }
  ptr_ = NewBlock(block_size_);
  remaining_ = block_size_;
  char* result = ptr_;
  ptr_ += bytes;
  remaining_ -= bytes;
  return result;
}

char* Arena::AllocateAligned(size_t bytes) {
  constexpr size_t kAlign =
      alignof(std::max_align_t) > 8 ? alignof(std::max_align_t) : 8;
  size_t mod = reinterpret_cast<uintptr_t>(ptr_) & (kAlign - 1);
  size_t slop = mod == 0 ? 0 : kAlign - mod;
  if (bytes + slop <= remaining_) {
    char* result = ptr_ + slop;
    ptr_ += bytes + slop;
    remaining_ -= bytes + slop;
    return result;
  }
  // New blocks come from operator new[] and are suitably aligned.
  return AllocateFallback(bytes);
}

namespace {
constexpr size_t kHugeRegion = ArenaRegionPool::kRegionBytes;
// Regions are used once an arena has reserved this much: a big memtable.
constexpr size_t kHugeAfterUsage = size_t{4} << 20;
}  // namespace

char* AllocateForRandomAccess(size_t bytes, size_t align) {
  void* mem = std::aligned_alloc(align, bytes);
  if (mem == nullptr) throw std::bad_alloc();
  if (align == ArenaRegionPool::kRegionBytes) {
    madvise(mem, bytes, MADV_HUGEPAGE);
  }
  return static_cast<char*>(mem);
}

ArenaRegionPool::ArenaRegionPool(size_t max_bytes)
    : max_regions_(max_bytes / kRegionBytes) {}

ArenaRegionPool::~ArenaRegionPool() {
  for (char* region : free_) std::free(region);
}

char* ArenaRegionPool::Take() {
  MutexLock l(&mu_);
  if (free_.empty()) return nullptr;
  char* region = free_.back();
  free_.pop_back();
  return region;
}

void ArenaRegionPool::Give(char* region) {
  {
    MutexLock l(&mu_);
    if (free_.size() < max_regions_) {
      free_.push_back(region);
      return;
    }
  }
  std::free(region);
}

size_t ArenaRegionPool::BytesHeld() const {
  MutexLock l(&mu_);
  return free_.size() * kRegionBytes;
}

Arena::~Arena() {
  if (pool_ == nullptr) return;
  for (auto& region : regions_) pool_->Give(region.release());
}

void Arena::FreeDeleter::operator()(char* p) const { std::free(p); }

char* Arena::CarveFromHugeRegion() {
  if (region_left_ < block_size_) {
    char* mem = pool_ != nullptr ? pool_->Take() : nullptr;
    // A memtable's skiplist search touches nodes all over the arena; with
    // 4 KiB pages nearly every step is a TLB miss as well as a cache miss.
    if (mem == nullptr) mem = AllocateForRandomAccess(kHugeRegion, kHugeRegion);
    regions_.emplace_back(mem);
    region_ptr_ = static_cast<char*>(mem);
    region_left_ = kHugeRegion;
  }
  char* block = region_ptr_;
  region_ptr_ += block_size_;
  region_left_ -= block_size_;
  return block;
}

char* Arena::NewBlock(size_t bytes) {
  if (bytes == block_size_ && kHugeRegion % block_size_ == 0 &&
      usage_.load(std::memory_order_relaxed) >= kHugeAfterUsage) {
    // Accounted as an ordinary block: a memtable still fills up at the same
    // usage.
    char* block = CarveFromHugeRegion();
    usage_.fetch_add(bytes + sizeof(char*), std::memory_order_relaxed);
    return block;
  }
  blocks_.emplace_back(new char[bytes]);
  usage_.fetch_add(bytes + sizeof(char*), std::memory_order_relaxed);
  return blocks_.back().get();
}

}  // namespace shale
