// The LevelDB adapter.
//
// LevelDB has no API that counts the bytes it writes: Stats() sums the
// Write(MB) column of its "leveldb.stats" table (memtable flushes and
// compactions, in whole MB; the WAL is not in it). The harness's disk-write
// figure from /proc/self/io is the one to compare across engines.
#include <cstdio>
#include <sstream>

#include "engine.h"
#include "leveldb/cache.h"
#include "leveldb/db.h"
#include "leveldb/filter_policy.h"
#include "leveldb/options.h"

namespace shale_bench {
namespace {

class LevelIterator final : public EngineIterator {
 public:
  explicit LevelIterator(leveldb::Iterator* it) : it_(it) {}
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  void Seek(std::string_view target) override {
    it_->Seek(leveldb::Slice(target.data(), target.size()));
  }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  bool Valid() const override { return it_->Valid(); }
  std::string_view key() const override {
    leveldb::Slice k = it_->key();
    return {k.data(), k.size()};
  }
  std::string_view value() const override {
    leveldb::Slice v = it_->value();
    return {v.data(), v.size()};
  }
  std::string error() const override {
    leveldb::Status s = it_->status();
    return s.ok() ? std::string() : s.ToString();
  }

 private:
  std::unique_ptr<leveldb::Iterator> it_;
};

class LevelEngine final : public Engine {
 public:
  LevelEngine(leveldb::DB* db, leveldb::Cache* cache,
              const leveldb::FilterPolicy* filter, bool sync)
      : db_(db), cache_(cache), filter_(filter) {
    write_options_.sync = sync;
  }
  ~LevelEngine() override {
    db_.reset();  // before the cache and filter it uses
    delete cache_;
    delete filter_;
  }

  OpResult Put(std::string_view key, std::string_view value) override {
    return Result(db_->Put(write_options_, Slice(key), Slice(value)));
  }
  OpResult Delete(std::string_view key) override {
    return Result(db_->Delete(write_options_, Slice(key)));
  }
  OpResult Get(std::string_view key, std::string* value) override {
    return Result(db_->Get(leveldb::ReadOptions(), Slice(key), value));
  }
  std::unique_ptr<EngineIterator> NewIterator() override {
    return std::make_unique<LevelIterator>(
        db_->NewIterator(leveldb::ReadOptions()));
  }

  EngineStats Stats() override {
    EngineStats s;
    std::string text;
    if (!db_->GetProperty("leveldb.stats", &text)) return s;
    // Rows: "  L Files Size(MB) Time(sec) Read(MB) Write(MB)".
    std::istringstream in(text);
    std::string line;
    double mb = 0;
    bool any = false;
    while (std::getline(in, line)) {
      int level, files;
      double size, time, read, write;
      if (std::sscanf(line.c_str(), "%d %d %lf %lf %lf %lf", &level, &files,
                      &size, &time, &read, &write) == 6) {
        mb += write;
        any = true;
      }
    }
    if (any) {
      s.write_bytes = static_cast<int64_t>(mb * 1048576.0);
      s.write_bytes_scope = "flush+compaction, no WAL";
    }
    return s;
  }

  std::string DebugStats() override {
    std::string text;
    db_->GetProperty("leveldb.stats", &text);
    return text;
  }

 private:
  static leveldb::Slice Slice(std::string_view s) {
    return leveldb::Slice(s.data(), s.size());
  }
  static OpResult Result(const leveldb::Status& s) {
    if (s.ok()) return OpResult::kOk;
    if (s.IsNotFound()) return OpResult::kNotFound;
    SetLastEngineError(s.ToString());
    return OpResult::kError;
  }

  std::unique_ptr<leveldb::DB> db_;
  leveldb::Cache* cache_;
  const leveldb::FilterPolicy* filter_;
  leveldb::WriteOptions write_options_;
};

}  // namespace

std::string LevelDBVersion() {
  return std::to_string(leveldb::kMajorVersion) + "." +
         std::to_string(leveldb::kMinorVersion);
}

std::unique_ptr<Engine> OpenLevelDB(const std::string& dir,
                                    const EngineConfig& config,
                                    std::vector<std::string>* ignored,
                                    std::string* error) {
  leveldb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.write_buffer_size = config.write_buffer_size;
  if (config.compression == "none") {
    options.compression = leveldb::kNoCompression;
  } else if (config.compression == "snappy") {
    options.compression = leveldb::kSnappyCompression;
  } else {
    options.compression = leveldb::kNoCompression;
    ignored->push_back("compression=" + config.compression +
                       ": LevelDB has only snappy; writes uncompressed");
  }
  if (config.value_separation) {
    ignored->push_back("value_separation: LevelDB keeps values inline");
  }
  if (config.compaction_filter != "none") {
    ignored->push_back("compaction_filter: shale only");
  }
  leveldb::Cache* cache = leveldb::NewLRUCache(config.cache_size);
  const leveldb::FilterPolicy* filter =
      config.bloom_bits > 0 ? leveldb::NewBloomFilterPolicy(config.bloom_bits)
                            : nullptr;
  options.block_cache = cache;
  options.filter_policy = filter;

  leveldb::DB* db = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, dir, &db);
  if (!s.ok()) {
    delete cache;
    delete filter;
    *error = s.ToString();
    return nullptr;
  }
  return std::make_unique<LevelEngine>(db, cache, filter, config.sync);
}

}  // namespace shale_bench
