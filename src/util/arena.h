// Arena: bump allocation for a memtable's nodes, freed all at once.
//
// Thread safety: Allocate needs external synchronization (the memtable's
// single writer at a time); MemoryUsage may be read concurrently.
#ifndef SHALE_UTIL_ARENA_H_
#define SHALE_UTIL_ARENA_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "util/mutex.h"

namespace shale {

// bytes of memory aligned to `align` (a power of two that divides bytes),
// asked to be backed by transparent huge pages when
// align is ArenaRegionPool::kRegionBytes (best effort: without THP it is
// ordinary memory). Free with std::free. Throws std::bad_alloc on failure.
// For structures searched at random, where a TLB miss per step would add to
// the cache miss: the memtable's arena regions and its key index.
char* AllocateForRandomAccess(size_t bytes, size_t align);

// Keeps the 2 MiB huge-page regions of arenas that were destroyed, for the
// next arenas to carve their blocks from. A memtable's arena takes its
// memory fresh from the kernel otherwise, which zeroes every huge page it
// faults in (64 MiB per memtable) on the thread that writes: the DB's write
// path. Reused regions are neither zeroed nor faulted again.
//
// Holds at most max_bytes (rounded down to whole regions); a region given
// beyond that is freed. Thread safe: arenas die on whichever thread drops
// the last reference to their memtable.
class ArenaRegionPool {
 public:
  explicit ArenaRegionPool(size_t max_bytes);
  ~ArenaRegionPool();
  ArenaRegionPool(const ArenaRegionPool&) = delete;
  ArenaRegionPool& operator=(const ArenaRegionPool&) = delete;

  static constexpr size_t kRegionBytes = size_t{2} << 20;

  // A region (kRegionBytes, aligned to them) given back earlier, or nullptr.
  char* Take() EXCLUDES(mu_);
  // Keeps region (from std::aligned_alloc) for Take, or frees it when full.
  void Give(char* region) EXCLUDES(mu_);
  size_t BytesHeld() const EXCLUDES(mu_);

 private:
  const size_t max_regions_;
  mutable Mutex mu_;
  std::vector<char*> free_ GUARDED_BY(mu_);
};

class Arena {
 public:
  // block_size: bytes reserved at a time; small objects are carved out of
  // the current block, objects over a quarter of it get their own. pool, if
  // set, supplies the huge-page regions of a big arena and takes them back
  // when the arena is destroyed.
  explicit Arena(size_t block_size = kDefaultBlockSize,
                 std::shared_ptr<ArenaRegionPool> pool = nullptr)
      : block_size_(block_size < 1024 ? 1024 : block_size),
        pool_(std::move(pool)) {}
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns bytes bytes with no alignment promise. REQUIRES: bytes > 0.
  char* Allocate(size_t bytes) {
    if (bytes <= remaining_) {
      char* result = ptr_;
      ptr_ += bytes;
      remaining_ -= bytes;
      return result;
    }
    return AllocateFallback(bytes);
  }
  // Returns bytes aligned for any pointer or 8-byte integer.
  char* AllocateAligned(size_t bytes);

  // Bytes reserved from the system, including block slack.
  size_t MemoryUsage() const { return usage_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kDefaultBlockSize = 64 * 1024;
  const size_t block_size_;
  const std::shared_ptr<ArenaRegionPool> pool_;  // may be null
  char* AllocateFallback(size_t bytes);
  char* NewBlock(size_t bytes);

  // Carves a block of block_size_ bytes out of a 2 MiB region backed by a
  // transparent huge page (see NewBlock).
  char* CarveFromHugeRegion();

  struct FreeDeleter {
    void operator()(char* p) const;
  };

  char* ptr_ = nullptr;
  size_t remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char, FreeDeleter>> regions_;
  char* region_ptr_ = nullptr;  // the unused rest of the newest region
  size_t region_left_ = 0;
  std::atomic<size_t> usage_{0};
};

}  // namespace shale

#endif  // SHALE_UTIL_ARENA_H_
