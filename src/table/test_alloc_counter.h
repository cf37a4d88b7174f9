// Counts heap allocations made through operator new by the calling thread,
// for tests that pin down allocation-free paths. Linking
// test_alloc_counter.cc replaces the global operator new/delete of the test
// binary (plain forwarding to malloc/free). Tests only.
#ifndef SHALE_TABLE_TEST_ALLOC_COUNTER_H_
#define SHALE_TABLE_TEST_ALLOC_COUNTER_H_

#include <cstdint>

namespace shale::test {

// False in sanitizer builds, which keep their own operator new: then
// ThreadAllocations stays 0.
bool CountingAllocations();
// operator new calls made by this thread so far.
uint64_t ThreadAllocations();

}  // namespace shale::test

#endif  // SHALE_TABLE_TEST_ALLOC_COUNTER_H_
