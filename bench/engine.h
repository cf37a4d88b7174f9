// The seam between the harness and a storage engine.
//
// Every engine (shale, RocksDB, LevelDB, RocksDB with BlobDB) is driven
// through this interface with the same options, so a workload is one piece of
// code run unchanged against each. An adapter lives in engine_<name>.cc and is
// compiled only when its library was found (see bench/sources.cmake).
//
// Thread safety: an Engine is used by many benchmark threads at once; every
// adapter forwards to an engine that is itself thread-safe. An EngineIterator
// belongs to one thread.
#ifndef SHALE_BENCH_ENGINE_H_
#define SHALE_BENCH_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shale_bench {

// The engine options the harness maps onto every engine the same way.
// docs/bench.md has the table of how each field lands in each engine.
struct EngineConfig {
  size_t write_buffer_size = 64u << 20;
  size_t cache_size = 64u << 20;     // block cache bytes
  int bloom_bits = 10;               // bits per key; 0 = no filter
  std::string compression = "none";  // none | snappy | lz4 | zstd
  bool sync = false;                 // fsync the WAL on every write
  bool value_separation = false;     // shale: key-value separation
  size_t min_blob_size = 512;        // threshold for separated values
  // none | keep: shale runs every flush and compaction through a
  // CompactionFilter that keeps every entry (its cost per entry).
  std::string compaction_filter = "none";
};

enum class OpResult { kOk, kNotFound, kError };

class EngineIterator {
 public:
  virtual ~EngineIterator() = default;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual void Seek(std::string_view target) = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual bool Valid() const = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Empty when the iterator has met no error.
  virtual std::string error() const = 0;
};

// What an engine says about its own I/O. -1 where it does not tell.
struct EngineStats {
  int64_t write_bytes = -1;       // bytes the engine reports having written
  std::string write_bytes_scope;  // what write_bytes covers ("WAL+flush")
};

class Engine {
 public:
  virtual ~Engine() = default;

  virtual OpResult Put(std::string_view key, std::string_view value) = 0;
  virtual OpResult Delete(std::string_view key) = 0;
  // *value is overwritten on kOk.
  virtual OpResult Get(std::string_view key, std::string* value) = 0;
  virtual std::unique_ptr<EngineIterator> NewIterator() = 0;

  // Cumulative since Open.
  virtual EngineStats Stats() = 0;
  // Returns once the engine reports no flush or compaction pending or
  // running, or after timeout_s. Engines that cannot tell return at once;
  // the harness also waits for the process's disk writes to go quiet.
  virtual void WaitForBackground(double timeout_s) { (void)timeout_s; }
  // A multi-line text from the engine (its stats property), for --verbose.
  virtual std::string DebugStats() { return {}; }
};

// The name of the last error, for messages after kError. Set by adapters.
void SetLastEngineError(std::string message);
std::string LastEngineError();

// The engines compiled into this binary, and for each missing one why.
std::vector<std::string> AvailableEngines();
std::vector<std::string> MissingEngines();  // "name: reason"

// How the baseline libraries were built: "release" (-O2 -DNDEBUG, from
// scripts/build_baselines.sh), "debian-asserts" (Debian's binaries), or
// "none".
std::string BaselineBuild(const std::string& engine);
std::string EngineVersion(const std::string& engine);

// Opens engine `name` on a fresh directory dir. Options an engine cannot
// honour are appended to *ignored as "option: reason" — never silently
// dropped. nullptr and *error set on failure.
std::unique_ptr<Engine> OpenEngine(const std::string& name,
                                   const std::string& dir,
                                   const EngineConfig& config,
                                   std::vector<std::string>* ignored,
                                   std::string* error);

// Adapters: one per file, declared here for the registry in engine.cc.
std::unique_ptr<Engine> OpenShale(const std::string& dir,
                                  const EngineConfig& config,
                                  std::vector<std::string>* ignored,
                                  std::string* error);
std::unique_ptr<Engine> OpenRocksDB(const std::string& dir,
                                    const EngineConfig& config, bool blob,
                                    std::vector<std::string>* ignored,
                                    std::string* error);
std::unique_ptr<Engine> OpenLevelDB(const std::string& dir,
                                    const EngineConfig& config,
                                    std::vector<std::string>* ignored,
                                    std::string* error);
std::string RocksDBVersion();
std::string LevelDBVersion();

}  // namespace shale_bench

#endif  // SHALE_BENCH_ENGINE_H_
