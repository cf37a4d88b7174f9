#include "table/test_alloc_counter.h"

#include <cstdlib>
#include <new>

// Sanitizers bring their own operator new: leave it to them.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SHALE_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SHALE_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef SHALE_COUNT_ALLOCATIONS
#define SHALE_COUNT_ALLOCATIONS 1
#endif

namespace {
thread_local uint64_t allocations = 0;
}  // namespace

#if SHALE_COUNT_ALLOCATIONS
// The aligned forms keep their default definitions, which do not go
// through these.
void* operator new(std::size_t n) {
  allocations++;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace shale::test {

bool CountingAllocations() { return SHALE_COUNT_ALLOCATIONS != 0; }
uint64_t ThreadAllocations() { return allocations; }

}  // namespace shale::test
