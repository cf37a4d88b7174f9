// Helpers shared by the tests (linked into test binaries only).
#ifndef SHALE_TESTING_TEST_UTIL_H_
#define SHALE_TESTING_TEST_UTIL_H_

#include <cstdint>
#include <string>

#include "util/random.h"

namespace shale::test {

// A random string of len bytes, any byte value.
std::string RandomBytes(Random* rnd, size_t len);
// A random string of len printable bytes.
std::string RandomPrintable(Random* rnd, size_t len);

// The seed for a randomized test: $SHALE_TEST_SEED if set, else from the
// clock. Tests print it (SCOPED_TRACE) so a failure can be replayed.
uint64_t TestSeed();

// A fresh, empty directory under $TMPDIR (or /tmp) for a test's real files.
std::string NewTempDir(const std::string& name);

}  // namespace shale::test

#endif  // SHALE_TESTING_TEST_UTIL_H_
