#include "util/arena.h"

#include <cstdint>

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

char* Arena::NewBlock(size_t bytes) {
  blocks_.emplace_back(new char[bytes]);
  usage_.fetch_add(bytes + sizeof(char*), std::memory_order_relaxed);
  return blocks_.back().get();
}

}  // namespace shale
