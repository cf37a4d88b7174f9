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

namespace shale {

class Arena {
 public:
  // block_size: bytes reserved at a time; small objects are carved out of
  // the current block, objects over a quarter of it get their own.
  explicit Arena(size_t block_size = kDefaultBlockSize)
      : block_size_(block_size < 1024 ? 1024 : block_size) {}
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
