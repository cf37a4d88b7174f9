#include "util/kill_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>

#include "util/random.h"

namespace shale::kill_point {
namespace {

// Written by Configure before any point can be reached (the DB is opened
// afterwards), read by Reached; the atomic odds publish the rest.
std::atomic<uint32_t> armed_odds{0};
std::string armed_prefix;
std::mutex rnd_mu;
Random rnd(0);

}  // namespace

bool Enabled() {
#ifdef SHALE_KILL_POINTS
  return true;
#else
  return false;
#endif
}

void Configure(uint32_t odds, const std::string& prefix, uint64_t seed) {
  armed_odds.store(0);
  {
    std::lock_guard<std::mutex> l(rnd_mu);
    armed_prefix = prefix;
    rnd = Random(seed);
  }
  armed_odds.store(odds);
}

void Reached(const char* name) {
  uint32_t odds = armed_odds.load(std::memory_order_acquire);
  if (odds == 0) return;
  if (std::strncmp(name, armed_prefix.data(), armed_prefix.size()) != 0) {
    return;
  }
  bool kill;
  {
    std::lock_guard<std::mutex> l(rnd_mu);
    kill = rnd.OneIn(odds);
  }
  if (!kill) return;
  // write(2) rather than stdio: nothing buffered, nothing allocated.
  char msg[160];
  size_t n = 0;
  for (const char* p = "kill point "; *p != '\0'; p++) msg[n++] = *p;
  for (const char* p = name; *p != '\0' && n < sizeof(msg) - 1; p++) {
    msg[n++] = *p;
  }
  msg[n++] = '\n';
  ssize_t ignored = ::write(STDERR_FILENO, msg, n);
  (void)ignored;
  ::kill(::getpid(), SIGKILL);
  ::_exit(137);  // not reached: SIGKILL cannot be caught
}

}  // namespace shale::kill_point
