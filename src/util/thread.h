// Naming and de-prioritizing the calling thread (Linux; elsewhere no-ops).
#ifndef SHALE_UTIL_THREAD_H_
#define SHALE_UTIL_THREAD_H_

namespace shale {

// Names the calling thread as top, perf and gdb show it. Linux keeps at
// most 15 bytes; longer names are cut.
void SetCurrentThreadName(const char* name);

// Raises the calling thread's nice value by `delta` (0..19; the result is
// capped at 19), so the scheduler favours the process's other threads when
// the cores are busy. Lowering a priority needs no privilege; it cannot be
// raised back. Returns false if the system refused.
bool LowerCurrentThreadPriority(int delta);

}  // namespace shale

#endif  // SHALE_UTIL_THREAD_H_
