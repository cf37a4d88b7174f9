#include "util/thread.h"

#include <algorithm>
#include <cerrno>
#include <string>

#if defined(__linux__)
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace shale {

void SetCurrentThreadName(const char* name) {
#if defined(__linux__)
  std::string cut(name);
  cut.resize(std::min<size_t>(cut.size(), 15));
  pthread_setname_np(pthread_self(), cut.c_str());
#else
  (void)name;
#endif
}

bool LowerCurrentThreadPriority(int delta) {
  if (delta <= 0) return true;
#if defined(__linux__)
  // On Linux, PRIO_PROCESS with a thread id changes that thread alone.
  const id_t tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, tid);
  if (current == -1 && errno != 0) return false;
  return ::setpriority(PRIO_PROCESS, tid, std::min(19, current + delta)) == 0;
#else
  return false;
#endif
}

}  // namespace shale
