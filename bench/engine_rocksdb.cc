// The RocksDB adapter (plain leveled, and the integrated BlobDB variant).
//
// Everything not named here stays at RocksDB's defaults (leveled compaction,
// max_background_jobs 2, 4 KiB blocks): the point is to compare against
// RocksDB as people get it, with the shared options set alike.
#include <chrono>
#include <thread>

#include "engine.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"
#include "rocksdb/version.h"

namespace shale_bench {
namespace {

class RocksIterator final : public EngineIterator {
 public:
  explicit RocksIterator(rocksdb::Iterator* it) : it_(it) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view target) override {
    it_->Seek(rocksdb::Slice(target.data(), target.size()));
  }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  bool Valid() const override { return it_->Valid(); }
  std::string_view key() const override {
    rocksdb::Slice k = it_->key();
    return {k.data(), k.size()};
  }
  std::string_view value() const override {
    rocksdb::Slice v = it_->value();
    return {v.data(), v.size()};
  }
  std::string error() const override {
    rocksdb::Status s = it_->status();
    return s.ok() ? std::string() : s.ToString();
  }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksEngine final : public Engine {
 public:
  RocksEngine(rocksdb::DB* db, std::shared_ptr<rocksdb::Statistics> stats,
              bool sync)
      : db_(db), stats_(std::move(stats)) {
    write_options_.sync = sync;
  }
  ~RocksEngine() override {
    rocksdb::Status s = db_->Close();
    (void)s;
  }

  OpResult Put(std::string_view key, std::string_view value) override {
    return Result(db_->Put(write_options_, Slice(key), Slice(value)));
  }
  OpResult Delete(std::string_view key) override {
    return Result(db_->Delete(write_options_, Slice(key)));
  }
  OpResult Get(std::string_view key, std::string* value) override {
    return Result(db_->Get(rocksdb::ReadOptions(), Slice(key), value));
  }
  std::unique_ptr<EngineIterator> NewIterator() override {
    return std::make_unique<RocksIterator>(
        db_->NewIterator(rocksdb::ReadOptions()));
  }

  EngineStats Stats() override {
    EngineStats s;
    // Flush and compaction bytes come from RocksDB's per-thread I/O
    // counters, so blob files written by a flush or compaction are in them.
    s.write_bytes = static_cast<int64_t>(
        stats_->getTickerCount(rocksdb::WAL_FILE_BYTES) +
        stats_->getTickerCount(rocksdb::FLUSH_WRITE_BYTES) +
        stats_->getTickerCount(rocksdb::COMPACT_WRITE_BYTES));
    s.write_bytes_scope = "WAL+flush+compaction";
    return s;
  }

  void WaitForBackground(double timeout_s) override {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(int64_t(timeout_s * 1000));
    const char* props[] = {
        "rocksdb.num-running-compactions", "rocksdb.num-running-flushes",
        "rocksdb.compaction-pending", "rocksdb.mem-table-flush-pending"};
    while (std::chrono::steady_clock::now() < deadline) {
      bool busy = false;
      for (const char* p : props) {
        uint64_t v = 0;
        if (db_->GetIntProperty(p, &v) && v != 0) busy = true;
      }
      if (!busy) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  std::string DebugStats() override {
    std::string text;
    db_->GetProperty("rocksdb.stats", &text);
    return text;
  }

 private:
  static rocksdb::Slice Slice(std::string_view s) {
    return rocksdb::Slice(s.data(), s.size());
  }
  static OpResult Result(const rocksdb::Status& s) {
    if (s.ok()) return OpResult::kOk;
    if (s.IsNotFound()) return OpResult::kNotFound;
    SetLastEngineError(s.ToString());
    return OpResult::kError;
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> stats_;
  rocksdb::WriteOptions write_options_;
};

bool ParseCompression(const std::string& name, rocksdb::CompressionType* t) {
  if (name == "none")
    *t = rocksdb::kNoCompression;
  else if (name == "snappy")
    *t = rocksdb::kSnappyCompression;
  else if (name == "lz4")
    *t = rocksdb::kLZ4Compression;
  else if (name == "zstd")
    *t = rocksdb::kZSTD;
  else
    return false;
  return true;
}

}  // namespace

std::string RocksDBVersion() {
  return std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR) +
         "." + std::to_string(ROCKSDB_PATCH);
}

std::unique_ptr<Engine> OpenRocksDB(const std::string& dir,
                                    const EngineConfig& config, bool blob,
                                    std::vector<std::string>* ignored,
                                    std::string* error) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.write_buffer_size = config.write_buffer_size;
  rocksdb::CompressionType compression;
  if (!ParseCompression(config.compression, &compression)) {
    *error = "unknown compression '" + config.compression + "'";
    return nullptr;
  }
  // Every level alike, so the option means the same as in the other engines.
  options.compression = compression;
  options.compression_per_level.clear();
  options.bottommost_compression = rocksdb::kDisableCompressionOption;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(config.cache_size);
  if (config.bloom_bits > 0) {
    table.filter_policy.reset(
        rocksdb::NewBloomFilterPolicy(config.bloom_bits, false));
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  // Tickers only (no timers): the cheapest statistics level.
  options.statistics = rocksdb::CreateDBStatistics();
  options.statistics->set_stats_level(rocksdb::StatsLevel::kExceptTimers);

  if (blob) {
    options.enable_blob_files = true;
    options.min_blob_size = config.min_blob_size;
    options.blob_compression_type = compression;
    // Without garbage collection BlobDB never reclaims overwritten values.
    options.enable_blob_garbage_collection = true;
  } else if (config.value_separation) {
    ignored->push_back(
        "value_separation: plain rocksdb keeps values inline (use "
        "rocksdb-blob for BlobDB)");
  }
  if (config.compaction_filter != "none") {
    ignored->push_back("compaction_filter: shale only");
  }

  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (!s.ok()) {
    *error = s.ToString();
    return nullptr;
  }
  return std::make_unique<RocksEngine>(db, options.statistics, config.sync);
}

}  // namespace shale_bench
