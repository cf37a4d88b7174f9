// The shale adapter: how each harness option lands in shale::Options.
//
// The engine is growing (block cache, compression, value separation are being
// added). Options that shale::Options has are set; the ones it lacks are
// reported as ignored. Fields whose names are already agreed on
// (block_cache_capacity, compression + compression_per_level,
// enable_value_separation + min_blob_size) are detected at compile time, so
// they are mapped as soon as they land. Compression matters most: shale's
// planned default is LZ4, and leaving it on while the others run without
// compression would not be the same work.
#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <thread>

#include "engine.h"
#include "shale/db.h"

namespace shale_bench {
namespace {

class ShaleIterator final : public EngineIterator {
 public:
  explicit ShaleIterator(std::unique_ptr<shale::Iterator> it)
      : it_(std::move(it)) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view target) override { it_->Seek(target); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  bool Valid() const override { return it_->Valid(); }
  std::string_view key() const override { return it_->key(); }
  std::string_view value() const override { return it_->value(); }
  std::string error() const override {
    shale::Status s = it_->status();
    return s.ok() ? std::string() : s.ToString();
  }

 private:
  std::unique_ptr<shale::Iterator> it_;
};

// What shale says it wrote, from DB::GetStatsMap.
EngineStats StatsOf(shale::DB& db);

// Waits for flushes and compactions: DB::WaitForCompactions where the
// engine has it, else until no immutable memtable is left.
template <typename DB>
void WaitFor(DB& db, double timeout_s);

class ShaleEngine final : public Engine {
 public:
  ShaleEngine(std::unique_ptr<shale::DB> db, bool sync) : db_(std::move(db)) {
    write_options_.sync = sync;
  }

  OpResult Put(std::string_view key, std::string_view value) override {
    return Result(db_->Put(write_options_, key, value));
  }
  OpResult Delete(std::string_view key) override {
    return Result(db_->Delete(write_options_, key));
  }
  OpResult Get(std::string_view key, std::string* value) override {
    return Result(db_->Get(shale::ReadOptions(), key, value));
  }
  std::unique_ptr<EngineIterator> NewIterator() override {
    return std::make_unique<ShaleIterator>(
        db_->NewIterator(shale::ReadOptions()));
  }

  EngineStats Stats() override { return StatsOf(*db_); }

  void WaitForBackground(double timeout_s) override {
    WaitFor(*db_, timeout_s);
  }

  std::string DebugStats() override {
    std::string text;
    db_->GetProperty("shale.stats", &text);
    return text;
  }

 private:
  static OpResult Result(const shale::Status& s) {
    if (s.ok()) return OpResult::kOk;
    if (s.IsNotFound()) return OpResult::kNotFound;
    SetLastEngineError(s.ToString());
    return OpResult::kError;
  }

  std::unique_ptr<shale::DB> db_;
  shale::WriteOptions write_options_;
};

EngineStats StatsOf(shale::DB& db) {
  EngineStats stats;
  std::map<std::string, double> m;
  db.GetStatsMap(&m);
  if (!m.count("wal_bytes_written") || !m.count("flush_bytes_written"))
    return stats;
  double sum = m["wal_bytes_written"] + m["flush_bytes_written"];
  stats.write_bytes_scope = "WAL+flush";
  for (const char* extra : {"compaction_bytes_written", "blob_bytes_written",
                            "vlog_bytes_written", "gc_bytes_written"}) {
    if (auto it = m.find(extra); it != m.end()) {
      sum += it->second;
      stats.write_bytes_scope += '+';
      stats.write_bytes_scope.append(extra, std::strchr(extra, '_') - extra);
    }
  }
  stats.write_bytes = static_cast<int64_t>(sum);
  return stats;
}

template <typename DB>
void WaitFor(DB& db, double timeout_s) {
  if constexpr (requires { db.WaitForCompactions(); }) {
    (void)timeout_s;  // it returns when the work is done
    shale::Status s = db.WaitForCompactions();
    if (!s.ok()) SetLastEngineError(s.ToString());
  } else {
    std::string v;
    for (double waited = 0; waited < timeout_s; waited += 0.05) {
      if (!db.GetProperty("shale.num-immutable-mem-table", &v) || v == "0")
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

// Each Map* sets the field if this shale::Options has it, else says why not.
template <typename O>
void MapCache(O& o, const EngineConfig& c, std::vector<std::string>* ignored) {
  if constexpr (requires { o.block_cache_capacity = c.cache_size; }) {
    o.block_cache_capacity = c.cache_size;
  } else {
    ignored->push_back("cache_size: shale has no block cache yet");
  }
}

// --compression onto Options::compression (a CompressionType with kNone,
// kSnappy, kLZ4, kZstd), at every level.
template <typename O>
bool MapCompression(O& o, const EngineConfig& c,
                    std::vector<std::string>* ignored, std::string* error) {
  if constexpr (requires { o.compression; }) {
    using Type = decltype(o.compression);
    if (c.compression == "none")
      o.compression = Type::kNone;
    else if (c.compression == "snappy")
      o.compression = Type::kSnappy;
    else if (c.compression == "lz4")
      o.compression = Type::kLZ4;
    else if (c.compression == "zstd")
      o.compression = Type::kZstd;
    else {
      *error = "unknown compression '" + c.compression + "'";
      return false;
    }
    if constexpr (requires { o.compression_per_level.clear(); }) {
      o.compression_per_level.clear();
    }
  } else if (c.compression != "none") {
    ignored->push_back("compression=" + c.compression +
                       ": shale has no compression yet (writes uncompressed)");
  }
  return true;
}

template <typename O>
void MapValueSeparation(O& o, const EngineConfig& c,
                        std::vector<std::string>* ignored) {
  if constexpr (requires {
                  o.enable_value_separation = true;
                  o.min_blob_size = c.min_blob_size;
                }) {
    o.enable_value_separation = c.value_separation;
    o.min_blob_size = c.min_blob_size;
  } else if (c.value_separation) {
    ignored->push_back(
        "value_separation/min_blob_size: shale has no value separation yet");
  }
}
}  // namespace

std::unique_ptr<Engine> OpenShale(const std::string& dir,
                                  const EngineConfig& config,
                                  std::vector<std::string>* ignored,
                                  std::string* error) {
  shale::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.write_buffer_size = config.write_buffer_size;
  options.bloom_bits_per_key = config.bloom_bits;
  MapCache(options, config, ignored);
  MapValueSeparation(options, config, ignored);
  if (!MapCompression(options, config, ignored, error)) return nullptr;
  std::unique_ptr<shale::DB> db;
  shale::Status s = shale::DB::Open(options, dir, &db);
  if (!s.ok()) {
    *error = s.ToString();
    return nullptr;
  }
  return std::make_unique<ShaleEngine>(std::move(db), config.sync);
}

}  // namespace shale_bench
