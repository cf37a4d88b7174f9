// The registry of engines compiled into shale-bench.
//
// SHALE_BENCH_HAVE_ROCKSDB / _LEVELDB and the SHALE_BENCH_*_BUILD strings are
// set by bench/sources.cmake from what it found.
#include "engine.h"

namespace shale_bench {

namespace {
thread_local std::string last_error;
}  // namespace

void SetLastEngineError(std::string message) {
  last_error = std::move(message);
}
std::string LastEngineError() { return last_error; }

std::vector<std::string> AvailableEngines() {
  std::vector<std::string> names = {"shale"};
#ifdef SHALE_BENCH_HAVE_ROCKSDB
  names.push_back("rocksdb");
  names.push_back("rocksdb-blob");
#endif
#ifdef SHALE_BENCH_HAVE_LEVELDB
  names.push_back("leveldb");
#endif
  return names;
}

std::vector<std::string> MissingEngines() {
  std::vector<std::string> missing;
#ifndef SHALE_BENCH_HAVE_ROCKSDB
  missing.push_back(
      "rocksdb, rocksdb-blob: not built in (no librocksdb found when "
      "configuring; install librocksdb-dev or run scripts/build_baselines.sh)");
#endif
#ifndef SHALE_BENCH_HAVE_LEVELDB
  missing.push_back(
      "leveldb: not built in (no libleveldb found when configuring; install "
      "libleveldb-dev or run scripts/build_baselines.sh)");
#endif
  return missing;
}

std::string BaselineBuild(const std::string& engine) {
  if (engine == "shale") return "this-tree";
#ifdef SHALE_BENCH_HAVE_ROCKSDB
  if (engine.rfind("rocksdb", 0) == 0) return SHALE_BENCH_ROCKSDB_BUILD;
#endif
#ifdef SHALE_BENCH_HAVE_LEVELDB
  if (engine == "leveldb") return SHALE_BENCH_LEVELDB_BUILD;
#endif
  return "none";
}

std::string EngineVersion(const std::string& engine) {
#ifdef SHALE_BENCH_HAVE_ROCKSDB
  if (engine.rfind("rocksdb", 0) == 0) return RocksDBVersion();
#endif
#ifdef SHALE_BENCH_HAVE_LEVELDB
  if (engine == "leveldb") return LevelDBVersion();
#endif
  (void)engine;
  return "";
}

std::unique_ptr<Engine> OpenEngine(const std::string& name,
                                   const std::string& dir,
                                   const EngineConfig& config,
                                   std::vector<std::string>* ignored,
                                   std::string* error) {
  if (name == "shale") return OpenShale(dir, config, ignored, error);
#ifdef SHALE_BENCH_HAVE_ROCKSDB
  if (name == "rocksdb") return OpenRocksDB(dir, config, false, ignored, error);
  if (name == "rocksdb-blob")
    return OpenRocksDB(dir, config, true, ignored, error);
#endif
#ifdef SHALE_BENCH_HAVE_LEVELDB
  if (name == "leveldb") return OpenLevelDB(dir, config, ignored, error);
#endif
  *error = "engine '" + name + "' is not built into this shale-bench";
  return nullptr;
}

}  // namespace shale_bench
