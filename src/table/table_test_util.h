// Helpers shared by the table tests: a model of a table's contents (a map
// ordered by the internal key comparator), random models, and building and
// opening a table over in-memory files. Tests only.
#ifndef SHALE_TABLE_TABLE_TEST_UTIL_H_
#define SHALE_TABLE_TABLE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "db/dbformat.h"
#include "shale/cache.h"
#include "table/table.h"
#include "table/table_builder.h"
#include "table/test_file.h"
#include "testing/test_util.h"
#include "util/compression.h"
#include "util/random.h"

namespace shale::test {

inline const InternalKeyComparator* TestInternalComparator() {
  static const InternalKeyComparator icmp(BytewiseComparator());
  return &icmp;
}

struct InternalKeyLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return TestInternalComparator()->Compare(a, b) < 0;
  }
};

// Internal key -> value, in table order.
using Model = std::map<std::string, std::string, InternalKeyLess>;

inline std::string IKey(std::string_view user_key, SequenceNumber seq,
                        ValueType type = kTypeValue) {
  std::string k;
  AppendInternalKey(&k, user_key, seq, type);
  return k;
}

// A user key from a small alphabet (so keys share prefixes and versions of
// one key are common); with `big`, sometimes many KiB long.
inline std::string RandomUserKey(Random* rnd, bool big) {
  if (big && rnd->OneIn(20))
    return RandomPrintable(rnd, 5000 + rnd->Uniform(20000));
  std::string k;
  const size_t len = rnd->Skewed(5);
  for (size_t i = 0; i < len; i++)
    k.push_back(static_cast<char>('a' + rnd->Uniform(4)));
  return k;
}

// A value of len bytes: random bytes (incompressible) or, half of the
// time, text-like runs of words that every codec shrinks.
inline std::string RandomValue(Random* rnd, size_t len) {
  if (rnd->OneIn(2)) return RandomBytes(rnd, len);
  static const char* const kWords[] = {"stone ", "layer ", "clay ",
                                       "silt ",  "bed ",   "shale "};
  std::string v;
  while (v.size() < len) v += kWords[rnd->Uniform(6)];
  v.resize(len);
  return v;
}

inline Model RandomModel(Random* rnd, size_t n, bool big) {
  Model m;
  for (size_t attempts = 0; m.size() < n && attempts < 4 * n + 100;
       attempts++) {
    const auto type = static_cast<ValueType>(rnd->Uniform(3));
    const SequenceNumber seq = rnd->OneIn(10)
                                   ? kMaxSequenceNumber - rnd->Uniform(3)
                                   : rnd->Uniform(1000);
    std::string value;
    if (type != kTypeDeletion) {
      value =
          RandomValue(rnd, big && rnd->OneIn(20) ? 10000 + rnd->Uniform(100000)
                                                 : rnd->Skewed(7));
    }
    m[IKey(RandomUserKey(rnd, big), seq, type)] = std::move(value);
  }
  return m;
}

inline TableOptions RandomTableOptions(Random* rnd) {
  TableOptions o;
  o.comparator = TestInternalComparator();
  o.block_size = 32 + rnd->Skewed(13);
  o.block_restart_interval = 1 + static_cast<int>(rnd->Skewed(5));
  o.bloom_bits_per_key =
      rnd->OneIn(4) ? 0 : 1 + static_cast<int>(rnd->Uniform(20));
  return o;
}

inline TableOptions DefaultTableOptions() {
  TableOptions o;
  o.comparator = TestInternalComparator();
  return o;
}

// The bytes of a table holding the model.
inline std::string BuildTable(const TableOptions& options, const Model& model,
                              TableProperties* props = nullptr) {
  StringSink sink;
  TableBuilder builder(options, &sink);
  for (const auto& [k, v] : model) builder.Add(k, v);
  EXPECT_EQ(builder.NumEntries(), model.size());
  Status s = builder.Finish();
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(builder.FileSize(), sink.contents().size());
  if (props != nullptr) *props = builder.properties();
  return sink.contents();
}

// Opens a table over bytes; *source (if given) is the file, owned by the
// table.
inline Status OpenTable(const TableOptions& options, std::string bytes,
                        std::unique_ptr<Table>* table,
                        StringSource** source = nullptr, bool borrow = false,
                        uint64_t file_size = UINT64_MAX) {
  if (file_size == UINT64_MAX) file_size = bytes.size();
  auto file = std::make_unique<StringSource>(std::move(bytes), borrow);
  if (source != nullptr) *source = file.get();
  return Table::Open(options, "test.sst", std::move(file), file_size, table);
}

// How tables are written and read in parameterized tests: a compression
// type and where blocks are cached.
enum class CacheMode {
  kNoCache,     // every block read from the file
  kDataBlocks,  // data blocks in the block cache
  kAllBlocks,   // data, index and filter blocks in the block cache
};

constexpr CompressionType kAllCompressionTypes[] = {
    CompressionType::kNone, CompressionType::kLZ4, CompressionType::kZstd,
    CompressionType::kSnappy};
constexpr CacheMode kAllCacheModes[] = {
    CacheMode::kNoCache, CacheMode::kDataBlocks, CacheMode::kAllBlocks};

using TableConfig = std::tuple<CompressionType, CacheMode>;

inline std::string TableConfigName(
    const ::testing::TestParamInfo<TableConfig>& info) {
  static const char* const kModes[] = {"NoCache", "CacheData", "CacheAll"};
  return std::string(CompressionTypeName(std::get<0>(info.param))) + "_" +
         kModes[static_cast<int>(std::get<1>(info.param))];
}

// Sets the compression and cache fields of *options for config; cache and
// stats must outlive the tables.
inline void ApplyTableConfig(const TableConfig& config, Cache* cache,
                             TableReadStats* stats, TableOptions* options) {
  options->compression = std::get<0>(config);
  const CacheMode mode = std::get<1>(config);
  options->block_cache = mode == CacheMode::kNoCache ? nullptr : cache;
  options->cache_index_and_filter_blocks = mode == CacheMode::kAllBlocks;
  options->read_stats = stats;
}

}  // namespace shale::test

#endif  // SHALE_TABLE_TABLE_TEST_UTIL_H_
