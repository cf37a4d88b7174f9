// shale-stress: an expected-state stress test of the engine. See
// docs/testing.md for how the crash tests drive it, and --help for flags.
#include <chrono>
#include <cstdio>

#include "tools/stress/stress_flags.h"
#include "tools/stress/stress_test.h"

int main(int argc, char** argv) {
  shale::stress::StressFlags flags;
  bool exit_now = false;
  if (!shale::stress::ParseFlags(argc, argv, &flags, &exit_now)) return 2;
  if (exit_now) return 0;
  if (flags.seed == 0) {
    flags.seed = static_cast<uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());
  }
  shale::stress::StressTest test(flags);
  return test.Run();
}
