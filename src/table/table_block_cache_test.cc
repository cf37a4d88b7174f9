// Tables read through the block cache, and compressed tables: what is read
// from the file and what is not, pinning while iterators hold blocks,
// eviction, fill_cache, verify_checksums, cached index and filter blocks,
// read statistics, compression ratios, and the cost of a cache hit.
#include <gtest/gtest.h>

#include <ctime>

#include "table/table.h"
#include "table/table_test_util.h"
#include "table/test_alloc_counter.h"
#include "util/cache.h"
#include "util/coding.h"

namespace shale {
namespace {

using test::IKey;
using test::Model;

// 2000 keys with text-like values of 100 bytes: about 60 data blocks of
// 4 KiB, each compressible.
Model TextModel() {
  Random rnd(77);
  Model m;
  for (int i = 0; i < 2000; i++) {
    std::string v;
    while (v.size() < 100) v += rnd.OneIn(2) ? "pebble " : "gravel ";
    v.resize(100);
    m[IKey("key" + std::to_string(100000 + i), 1)] = v;
  }
  return m;
}

struct OpenedTable {
  std::unique_ptr<Table> table;
  test::StringSource* source = nullptr;
};

OpenedTable Open(const TableOptions& options, const Model& model) {
  OpenedTable t;
  Status s = test::OpenTable(options, test::BuildTable(options, model),
                             &t.table, &t.source);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return t;
}

// Reads every entry with a scan; true if it matched the model.
bool ScanMatches(const Table& table, const Model& model,
                 const ReadOptions& ro = ReadOptions()) {
  auto it = table.NewIterator(ro);
  auto p = model.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++p) {
    if (p == model.end() || it->key() != p->first || it->value() != p->second) {
      return false;
    }
  }
  return p == model.end() && it->status().ok();
}

// Get of an existing entry; the value, or "<error>" / "<none>".
std::string GetValue(const Table& table, const std::string& ikey,
                     const ReadOptions& ro = ReadOptions()) {
  std::string found = "<none>";
  Status s = table.Get(ro, ikey, [&](std::string_view k, std::string_view v) {
    if (k == ikey) found = v;
  });
  return s.ok() ? found : "<error>";
}

double ThreadCpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

TableOptions BaseOptions(Cache* cache, TableReadStats* stats) {
  TableOptions o = test::DefaultTableOptions();
  o.block_cache = cache;
  o.read_stats = stats;
  return o;
}

TEST(TableBlockCacheTest, HitsDoNotReadTheFile) {
  auto cache = NewClockCache(8 << 20);
  TableReadStats stats;
  const Model model = TextModel();
  OpenedTable t = Open(BaseOptions(cache.get(), &stats), model);
  const uint64_t blocks = t.table->properties().num_data_blocks;
  ASSERT_GT(blocks, 20u);
  const uint64_t reads0 = t.source->reads();
  EXPECT_EQ(stats.block_reads.load(), 3u);  // properties, index, filter

  ASSERT_TRUE(ScanMatches(*t.table, model));
  EXPECT_EQ(t.source->reads() - reads0, blocks);
  EXPECT_EQ(stats.block_cache_misses.load(), blocks);
  EXPECT_EQ(stats.block_cache_hits.load(), 0u);
  EXPECT_EQ(stats.block_reads.load(), 3 + blocks);
  EXPECT_EQ(stats.bytes_read.load(),
            t.table->file_size() - kFooterSize);  // every block once

  // Everything again, and every key by Get: all hits.
  ASSERT_TRUE(ScanMatches(*t.table, model));
  for (const auto& [k, v] : model) ASSERT_EQ(GetValue(*t.table, k), v);
  EXPECT_EQ(t.source->reads() - reads0, blocks);
  EXPECT_EQ(stats.block_cache_hits.load(), blocks + model.size());
  EXPECT_EQ(cache->hits(), stats.block_cache_hits.load());
  EXPECT_GT(cache->GetUsage(), t.table->properties().raw_data_size / 2);

  // Bloom statistics: absent keys are mostly ruled out.
  const uint64_t checked0 = stats.bloom_checked.load();
  for (int i = 0; i < 1000; i++) {
    EXPECT_EQ(GetValue(*t.table, IKey("nope" + std::to_string(i), 1)),
              "<none>");
  }
  EXPECT_EQ(stats.bloom_checked.load() - checked0, 1000u);
  EXPECT_GT(stats.bloom_useful.load(), 950u);
}

TEST(TableBlockCacheTest, FillCacheFalseDoesNotInsert) {
  auto cache = NewClockCache(8 << 20);
  const Model model = TextModel();
  OpenedTable t = Open(BaseOptions(cache.get(), nullptr), model);
  const uint64_t blocks = t.table->properties().num_data_blocks;
  ReadOptions no_fill;
  no_fill.fill_cache = false;
  const uint64_t reads0 = t.source->reads();
  ASSERT_TRUE(ScanMatches(*t.table, model, no_fill));
  ASSERT_TRUE(ScanMatches(*t.table, model, no_fill));
  EXPECT_EQ(cache->GetUsage(), 0u);
  EXPECT_EQ(t.source->reads() - reads0, 2 * blocks);
  // Blocks already cached are still used by such reads.
  const std::string k = model.begin()->first;
  EXPECT_EQ(GetValue(*t.table, k), model.begin()->second);
  EXPECT_GT(cache->GetUsage(), 0u);
  const uint64_t reads1 = t.source->reads();
  EXPECT_EQ(GetValue(*t.table, k, no_fill), model.begin()->second);
  EXPECT_EQ(t.source->reads(), reads1);
}

// A cache that holds about two blocks, and three iterators walking the
// table in different directions: each keeps its block pinned while the
// others evict everything unpinned.
TEST(TableBlockCacheTest, TinyCacheEvictsWhileIteratorsHoldBlocks) {
  const Model model = TextModel();
  for (CompressionType type : test::kAllCompressionTypes) {
    SCOPED_TRACE(std::string(CompressionTypeName(type)));
    auto cache = NewClockCache(9000, 0);
    auto* clock = static_cast<ClockCache*>(cache.get());
    TableOptions options = BaseOptions(cache.get(), nullptr);
    options.compression = type;
    OpenedTable t = Open(options, model);
    auto a = t.table->NewIterator(ReadOptions());
    auto b = t.table->NewIterator(ReadOptions());
    auto c = t.table->NewIterator(ReadOptions());
    a->SeekToFirst();
    b->SeekToLast();
    c->Seek(std::next(model.begin(), 1000)->first);
    auto pa = model.begin();
    auto pb = std::prev(model.end());
    auto pc = std::next(model.begin(), 1000);
    size_t max_usage = 0;
    for (int step = 0; step < 999; step++) {
      ASSERT_TRUE(a->Valid() && b->Valid() && c->Valid()) << step;
      ASSERT_EQ(a->key(), pa->first);
      ASSERT_EQ(a->value(), pa->second);
      ASSERT_EQ(b->key(), pb->first);
      ASSERT_EQ(b->value(), pb->second);
      ASSERT_EQ(c->key(), pc->first);
      ASSERT_EQ(c->value(), pc->second);
      a->Next();
      ++pa;
      b->Prev();
      --pb;
      if (step % 2 == 0) {
        c->Next();
        ++pc;
      } else {
        c->Prev();
        --pc;
        c->Next();
        ++pc;
      }
      max_usage = std::max(max_usage, cache->GetUsage());
    }
    // At most the three pinned blocks beyond the capacity.
    EXPECT_LE(max_usage, 9000u + 3 * 4500);
    EXPECT_GT(clock->TEST_pinned_usage(), 0u);
    a.reset();
    b.reset();
    c.reset();
    EXPECT_EQ(clock->TEST_pinned_usage(), 0u);
    EXPECT_LE(cache->GetUsage(), 9000u);
  }
}

TEST(TableBlockCacheTest, IndexAndFilterInTheCache) {
  auto cache = NewClockCache(1 << 20, 0);
  auto* clock = static_cast<ClockCache*>(cache.get());
  TableReadStats stats;
  TableOptions options = BaseOptions(cache.get(), &stats);
  options.cache_index_and_filter_blocks = true;
  const Model model = TextModel();
  OpenedTable t = Open(options, model);
  ASSERT_TRUE(t.table->has_filter());
  // Index and filter are charged to the cache, unpinned.
  const size_t meta = cache->GetUsage();
  EXPECT_GE(meta, t.table->properties().index_size +
                      t.table->properties().filter_size);
  EXPECT_EQ(clock->TEST_pinned_usage(), 0u);
  for (const auto& [k, v] : model) ASSERT_EQ(GetValue(*t.table, k), v);
  const uint64_t reads = t.source->reads();

  // Push everything out with other entries (4 MiB of them, never looked
  // up): the clock hand's first turn only clears the reference bits the
  // reads above set on the index, filter and blocks, a later one evicts
  // them. Reads find no index or filter in the cache and read them again.
  for (int i = 0; i < 1024; i++) {
    cache->Release(
        cache->Insert("filler" + std::to_string(i), nullptr, 4096, nullptr));
  }
  EXPECT_EQ(GetValue(*t.table, model.begin()->first), model.begin()->second);
  EXPECT_EQ(t.source->reads() - reads, 3u);  // filter, index, data block
  // An iterator pins the index while it lives.
  {
    auto it = t.table->NewIterator(ReadOptions());
    EXPECT_GE(clock->TEST_pinned_usage(), t.table->properties().index_size);
    it->SeekToFirst();
    EXPECT_TRUE(it->Valid());
  }
  EXPECT_EQ(clock->TEST_pinned_usage(), 0u);
  const uint64_t middle =
      t.table->ApproximateOffsetOf(std::next(model.begin(), 1000)->first);
  EXPECT_GT(middle, t.table->properties().data_size / 4);
  EXPECT_LT(middle, t.table->properties().data_size * 3 / 4);

  // Closing the table erases its index and filter.
  const size_t before = cache->GetUsage();
  const uint64_t meta_bytes =
      t.table->properties().index_size + t.table->properties().filter_size;
  t.table.reset();
  EXPECT_LE(cache->GetUsage(), before - meta_bytes);
}

// verify_checksums re-checks cached blocks: damage to a cached block's
// memory is caught, the entry dropped, and the next read is right again.
TEST(TableBlockCacheTest, VerifyChecksumsCoversCachedBlocks) {
  for (CompressionType type : test::kAllCompressionTypes) {
    SCOPED_TRACE(std::string(CompressionTypeName(type)));
    auto cache = NewClockCache(8 << 20);
    TableOptions options = BaseOptions(cache.get(), nullptr);
    options.compression = type;
    const Model model = TextModel();
    OpenedTable t = Open(options, model);
    const auto& [k, v] = *model.begin();
    ASSERT_EQ(GetValue(*t.table, k), v);  // caches the first data block

    // The first data block is at offset 0; its cache key is the table's id
    // and that offset.
    char key[16];
    EncodeFixed64(key, t.table->cache_id());
    EncodeFixed64(key + 8, 0);
    Cache::Handle* h = cache->Lookup(std::string_view(key, 16));
    ASSERT_NE(h, nullptr);
    // CachedBlock starts with its Block.
    auto* block = static_cast<Block*>(cache->Value(h));
    char* byte = const_cast<char*>(block->data().data()) + 20;
    *byte ^= 0x40;  // inside the first value
    cache->Release(h);

    ReadOptions verify;
    verify.verify_checksums = true;
    EXPECT_NE(GetValue(*t.table, k), v);  // unchecked: damage goes unseen
    Status s =
        t.table->Get(verify, k, [](std::string_view, std::string_view) {});
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(s.ToString(),
              "Corruption: test.sst: cached block checksum mismatch");
    // Dropped from the cache: read again from the file.
    EXPECT_EQ(GetValue(*t.table, k, verify), v);
    EXPECT_EQ(GetValue(*t.table, k), v);
  }
}

TEST(TableBlockCacheTest, TablesShareOneCache) {
  auto cache = NewClockCache(1 << 20, 2);
  const Model model = TextModel();
  Model other;
  for (const auto& [k, v] : model) other[k] = v + "!";  // same offsets nearly
  OpenedTable t1 = Open(BaseOptions(cache.get(), nullptr), model);
  OpenedTable t2 = Open(BaseOptions(cache.get(), nullptr), other);
  EXPECT_NE(t1.table->cache_id(), t2.table->cache_id());
  for (int round = 0; round < 2; round++) {
    ASSERT_TRUE(ScanMatches(*t1.table, model));
    ASSERT_TRUE(ScanMatches(*t2.table, other));
  }
  for (const auto& [k, v] : model) {
    ASSERT_EQ(GetValue(*t1.table, k), v);
    ASSERT_EQ(GetValue(*t2.table, k), v + "!");
  }
}

class TableCompressionTest : public ::testing::TestWithParam<CompressionType> {
};

TEST_P(TableCompressionTest, Ratios) {
  const CompressionType type = GetParam();
  TableOptions options = test::DefaultTableOptions();
  options.compression = type;
  // Text: every block compressed (unless kNone).
  TableProperties props;
  const Model text = TextModel();
  test::BuildTable(options, text, &props);
  EXPECT_EQ(props.compression_name, CompressionTypeName(type));
  std::printf("%-6s text: %llu raw -> %llu stored bytes\n",
              props.compression_name.c_str(),
              static_cast<unsigned long long>(props.raw_data_size),
              static_cast<unsigned long long>(props.data_size));
  if (type == CompressionType::kNone) {
    EXPECT_EQ(props.data_size, props.raw_data_size);
  } else {
    EXPECT_LT(props.data_size, props.raw_data_size / 2);
  }
  // Noise: nothing shrinks by 1/8, every block is stored raw.
  Random rnd(5);
  Model noise;
  for (int i = 0; i < 500; i++) {
    noise[IKey("k" + std::to_string(1000 + i), 1)] =
        test::RandomBytes(&rnd, 300);
  }
  test::BuildTable(options, noise, &props);
  EXPECT_EQ(props.data_size, props.raw_data_size);
  std::unique_ptr<Table> table;
  ASSERT_TRUE(
      test::OpenTable(options, test::BuildTable(options, noise), &table).ok());
  EXPECT_TRUE(ScanMatches(*table, noise));
  // Properties survive the round trip through the file.
  ASSERT_TRUE(
      test::OpenTable(options, test::BuildTable(options, text), &table).ok());
  EXPECT_EQ(table->properties().compression_name, CompressionTypeName(type));
  EXPECT_TRUE(ScanMatches(*table, text));
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, TableCompressionTest,
    ::testing::ValuesIn(test::kAllCompressionTypes),
    [](const ::testing::TestParamInfo<CompressionType>& info) {
      return std::string(CompressionTypeName(info.param));
    });

// The hit path: a Get whose blocks are all cached allocates nothing and
// reads nothing; its cost (thread CPU time) is printed, not asserted, next
// to the uncached path's (an in-memory file: no syscall in that figure).
TEST(TableBlockCacheTest, HitPathGet) {
  const Model model = TextModel();
  std::vector<std::string> keys;
  for (const auto& entry : model) keys.push_back(entry.first);
  for (CompressionType type : {CompressionType::kNone, CompressionType::kLZ4}) {
    for (bool use_cache : {true, false}) {
      auto cache = NewClockCache(8 << 20);
      TableOptions options =
          BaseOptions(use_cache ? cache.get() : nullptr, nullptr);
      options.compression = type;
      OpenedTable t = Open(options, model);
      ASSERT_TRUE(ScanMatches(*t.table, model));  // warm the cache
      uint64_t sum = 0;
      const std::function<void(std::string_view, std::string_view)> cb =
          [&](std::string_view, std::string_view v) { sum += v.size(); };
      const ReadOptions ro;
      Random rnd(1);
      constexpr int kOps = 300000;
      const uint64_t allocs0 = test::ThreadAllocations();
      const uint64_t reads0 = t.source->reads();
      const double start = ThreadCpuNanos();
      for (int i = 0; i < kOps; i++) {
        Status s = t.table->Get(ro, keys[rnd.Uniform(keys.size())], cb);
        if (!s.ok()) ADD_FAILURE() << s.ToString();
      }
      const double ns = ThreadCpuNanos() - start;
      const uint64_t allocs = test::ThreadAllocations() - allocs0;
      std::printf("Get, %s, %s: %.0f ns/op, %.2f allocations/op\n",
                  std::string(CompressionTypeName(type)).c_str(),
                  use_cache ? "cache hit" : "no cache", ns / kOps,
                  static_cast<double>(allocs) / kOps);
      EXPECT_EQ(sum, 100u * kOps);
      if (!use_cache && test::CountingAllocations()) {
        EXPECT_GT(allocs, 0u);  // the counter works
      }
      if (use_cache) {
        EXPECT_EQ(allocs, 0u);
        EXPECT_EQ(t.source->reads(), reads0);
      }
    }
  }
}

}  // namespace
}  // namespace shale
