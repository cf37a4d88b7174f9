// shale-bench's command line: db_bench-style --name=value flags.
#ifndef SHALE_BENCH_FLAGS_H_
#define SHALE_BENCH_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engine.h"

namespace shale_bench {

struct Flags {
  std::vector<std::string> engines = {"shale", "rocksdb", "leveldb"};
  std::vector<std::string> benchmarks = {"fillseq", "fillrandom", "readrandom",
                                         "seekrandom"};
  int64_t num = 1000000;    // keys loaded by a fill
  int64_t reads = -1;       // ops of read benchmarks; -1 means num
  int64_t ycsb_e_ops = -1;  // ops of ycsb_e; -1 means reads/10
  int key_size = 16;
  int value_size = 100;
  double compression_ratio = 0.5;  // of generated values
  int threads = 1;
  int seek_nexts = 0;          // Next() calls after each seekrandom Seek
  int64_t writes_per_sec = 0;  // readwhilewriting's writer; 0 = unlimited
  int rounds = 1;              // engines run in turns, this many times
  uint64_t seed = 301;
  std::string db = "/tmp/shale-bench";
  std::string json;             // write results here when set
  std::string label;            // copied into every JSON object
  bool verify = false;          // check every value read
  bool keep_db = false;         // leave the DB directories behind
  bool verbose = false;         // print each engine's stats text
  double settle = 1.0;          // quiet seconds that end the settle wait
  double settle_timeout = 600;  // seconds to wait for background writes at most
  bool list_engines = false;    // print the engines built in and exit
  // benchmarks, with the k-th repeat of a name (k >= 2) labelled "name#k":
  // the names in results and JSON.
  std::vector<std::string> benchmark_labels;
  EngineConfig engine;  // --write_buffer_size, --cache_size, ...
};

// Fills *flags from argv. On error returns false with *error set. --help
// sets *help.
bool ParseFlags(int argc, char** argv, Flags* flags, bool* help,
                std::string* error);
std::string FlagsHelp();

}  // namespace shale_bench

#endif  // SHALE_BENCH_FLAGS_H_
