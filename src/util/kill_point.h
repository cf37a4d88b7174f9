// Kill points: named places in the engine's write paths where a whitebox
// crash test may end the process, so that recovery is exercised right
// between two steps that a crash at a random time would rarely separate
// (a table synced but not yet in the MANIFEST, a MANIFEST record written
// but not synced, ...).
//
//   SHALE_KILL_POINT("wal.append.before");
//
// compiles to nothing unless the build defines SHALE_KILL_POINTS (the CMake
// option of the same name; only the crash-test build sets it). In such a
// build a point does nothing until kill_point::Configure arms it; then each
// time a point whose name starts with the configured prefix is reached, the
// process sends itself SIGKILL with probability 1/odds: no destructor, no
// flush of user-space buffers runs, exactly as `kill -9` from outside.
//
// Names are "<path>.<step>"; docs/testing.md lists every point and where
// it sits. Thread safety: points may be reached from any thread;
// Configure must be called before the DB is opened.
#ifndef SHALE_UTIL_KILL_POINT_H_
#define SHALE_UTIL_KILL_POINT_H_

#include <cstdint>
#include <string>

#ifdef SHALE_KILL_POINTS
#define SHALE_KILL_POINT(name) ::shale::kill_point::Reached(name)
#else
#define SHALE_KILL_POINT(name) \
  do {                         \
  } while (0)
#endif

namespace shale::kill_point {

// True when the build compiled the points in (SHALE_KILL_POINTS).
bool Enabled();

// Arms the points whose names start with prefix ("" arms all): each hit
// kills with probability 1/odds; odds 0 disarms. seed makes the choice of
// hit repeatable for a given sequence of hits.
void Configure(uint32_t odds, const std::string& prefix, uint64_t seed);

// Called by SHALE_KILL_POINT. Prints "kill point <name>" to stderr before
// dying, so the crash driver can count which points fired.
void Reached(const char* name);

}  // namespace shale::kill_point

#endif  // SHALE_UTIL_KILL_POINT_H_
