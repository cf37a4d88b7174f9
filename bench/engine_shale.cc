// The shale adapter: how each harness option lands in shale::Options.
// Every harness option has a shale counterpart, so nothing is reported as
// ignored; compression is set at every level, as the other engines do.
#include <cstring>
#include <map>
#include <memory>
#include <string>

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

// --compaction_filter=keep: asked about every entry, with its value, and
// keeps it; what a filter costs when it changes nothing.
class KeepEverythingFilter final : public shale::CompactionFilter {
 public:
  const char* Name() const override { return "shale-bench.keep"; }
  Decision Filter(const Context& /*ctx*/, std::string_view /*user_key*/,
                  std::string_view /*value*/,
                  std::string* /*new_value*/) override {
    return Decision::kKeep;
  }
};

// What shale says it wrote, from DB::GetStatsMap.
EngineStats StatsOf(shale::DB& db);

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

  // WaitForCompactions returns when no flush or compaction is due (or the
  // DB holds a background error), so no timeout is needed.
  void WaitForBackground(double /*timeout_s*/) override {
    shale::Status s = db_->WaitForCompactions();
    if (!s.ok()) SetLastEngineError(s.ToString());
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

// --compression onto Options::compression, at every level.
bool MapCompression(shale::Options& o, const EngineConfig& c,
                    std::string* error) {
  if (c.compression == "none") {
    o.compression = shale::CompressionType::kNone;
  } else if (c.compression == "snappy") {
    o.compression = shale::CompressionType::kSnappy;
  } else if (c.compression == "lz4") {
    o.compression = shale::CompressionType::kLZ4;
  } else if (c.compression == "zstd") {
    o.compression = shale::CompressionType::kZstd;
  } else {
    *error = "unknown compression '" + c.compression + "'";
    return false;
  }
  o.compression_per_level.clear();
  return true;
}
}  // namespace

std::unique_ptr<Engine> OpenShale(const std::string& dir,
                                  const EngineConfig& config,
                                  std::vector<std::string>* /*ignored*/,
                                  std::string* error) {
  shale::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.write_buffer_size = config.write_buffer_size;
  options.bloom_bits_per_key = config.bloom_bits;
  options.block_cache_capacity = config.cache_size;
  options.enable_value_separation = config.value_separation;
  options.min_blob_size = config.min_blob_size;
  if (config.compaction_filter == "keep") {
    options.compaction_filter = std::make_shared<KeepEverythingFilter>();
  }
  if (!MapCompression(options, config, error)) return nullptr;
  std::unique_ptr<shale::DB> db;
  shale::Status s = shale::DB::Open(options, dir, &db);
  if (!s.ok()) {
    *error = s.ToString();
    return nullptr;
  }
  return std::make_unique<ShaleEngine>(std::move(db), config.sync);
}

}  // namespace shale_bench
