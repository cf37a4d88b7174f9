// Turns per-round results into the human table and the JSON file.
#ifndef SHALE_BENCH_REPORT_H_
#define SHALE_BENCH_REPORT_H_

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "flags.h"
#include "runner.h"

namespace shale_bench {

// What is known about one engine of the run.
struct EngineInfo {
  std::string baseline_build;  // release | debian-asserts | this-tree
  std::string version;
  std::vector<std::string> ignored;  // options it could not honour
};

// One engine x benchmark, over all rounds.
struct Row {
  std::string engine, benchmark;
  std::vector<const BenchResult*> rounds;
  Histogram hist;  // merged over rounds

  double OpsPerSec() const;  // mean over rounds
  // ops / (timed seconds + background_seconds), mean over rounds: the rate
  // of a write benchmark counting the flushes and compactions it left
  // behind, which an engine that defers compaction does not show in
  // OpsPerSec. Equals OpsPerSec for reads.
  double SustainedOpsPerSec() const;
  double MBPerSec() const;        // user bytes moved per second, mean
  double WriteAmp() const;        // disk write bytes / user bytes written; -1
  double EngineWriteAmp() const;  // the engine's own count; -1
  int64_t Sum(int64_t BenchResult::*field) const;  // -1 if any is -1
  double Seconds() const;
  int64_t Last(int64_t BenchResult::*field) const;
  int64_t Max(int64_t BenchResult::*field) const;
};

// Rows in benchmark order, engines in --engine order within each.
std::vector<Row> Aggregate(const std::vector<BenchResult>& results,
                           const Flags& flags);

void PrintTable(std::FILE* out, const std::vector<Row>& rows,
                const Flags& flags,
                const std::map<std::string, EngineInfo>& engines);

bool WriteJson(const std::string& path, const std::vector<Row>& rows,
               const Flags& flags,
               const std::map<std::string, EngineInfo>& engines,
               std::string* error);

}  // namespace shale_bench

#endif  // SHALE_BENCH_REPORT_H_
