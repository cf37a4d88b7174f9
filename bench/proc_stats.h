// What the kernel says about this process and its files: the same
// measurement for every engine, whatever the engine reports about itself.
#ifndef SHALE_BENCH_PROC_STATS_H_
#define SHALE_BENCH_PROC_STATS_H_

#include <cstdint>
#include <string>

namespace shale_bench {

// From /proc/self/io: write_bytes counts pages this process dirtied for
// writing to storage (background threads included), read_bytes the bytes
// fetched from storage. All -1 if the file cannot be read.
struct ProcIo {
  int64_t read_bytes = -1;
  int64_t write_bytes = -1;
  int64_t wchar = -1;  // bytes passed to write(2) and friends
};
ProcIo ReadProcIo();

// Resets the peak resident set size (VmHWM) so that PeakRssBytes() measures
// from now; false if the kernel refuses.
bool ResetPeakRss();
int64_t PeakRssBytes();

// Bytes allocated on disk to the files under dir (st_blocks * 512).
int64_t DirBytes(const std::string& dir);

// Waits until /proc/self/io write_bytes stays unchanged for quiet_s, or
// timeout_s passed. Returns the seconds waited.
double WaitForWritesToSettle(double quiet_s, double timeout_s);

}  // namespace shale_bench

#endif  // SHALE_BENCH_PROC_STATS_H_
