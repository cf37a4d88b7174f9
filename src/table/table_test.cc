#include "table/table.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "table/table_test_util.h"

namespace shale {
namespace {

using test::IKey;
using test::Model;

// Checks that it sits on `pos` of the model (or is invalid at end()).
void ExpectAt(const InternalIterator& it, const Model& model,
              Model::const_iterator pos) {
  ASSERT_TRUE(it.status().ok()) << it.status().ToString();
  if (pos == model.end()) {
    ASSERT_FALSE(it.Valid());
    return;
  }
  ASSERT_TRUE(it.Valid());
  ASSERT_EQ(it.key(), pos->first);
  ASSERT_EQ(it.value(), pos->second);
}

// Checks the table's contents against the model: scans both ways, random
// seeks and steps, point lookups, offsets.
void CheckTable(const Table& table, const Model& model, Random* rnd,
                const ReadOptions& ro = ReadOptions()) {
  auto it = table.NewIterator(ro);
  // Forward and backward scans.
  it->SeekToFirst();
  for (auto p = model.begin(); p != model.end(); ++p, it->Next()) {
    ExpectAt(*it, model, p);
  }
  ExpectAt(*it, model, model.end());
  it->SeekToLast();
  for (auto p = model.rbegin(); p != model.rend(); ++p, it->Prev()) {
    ExpectAt(*it, model, std::prev(p.base()));
  }
  ExpectAt(*it, model, model.end());

  auto random_target = [&]() {
    if (!model.empty() && rnd->OneIn(2)) {
      auto p = model.begin();
      std::advance(p, rnd->Uniform(model.size()));
      std::string_view uk = ExtractUserKey(p->first);
      switch (rnd->Uniform(3)) {
        case 0:
          return p->first;
        case 1:
          return IKey(uk, kMaxSequenceNumber, kValueTypeForSeek);
        default:
          return IKey(uk, rnd->Uniform(1000), kTypeValue);
      }
    }
    return IKey(test::RandomUserKey(rnd, false), rnd->Uniform(1000),
                static_cast<ValueType>(rnd->Uniform(3)));
  };

  // A random walk.
  auto pos = model.end();
  for (int step = 0; step < 500; step++) {
    switch (rnd->Uniform(6)) {
      case 0: {
        const std::string target = random_target();
        it->Seek(target);
        pos = model.lower_bound(target);
        break;
      }
      case 1:
        it->SeekToFirst();
        pos = model.begin();
        break;
      case 2:
        it->SeekToLast();
        pos = model.empty() ? model.end() : std::prev(model.end());
        break;
      case 3:
      case 4:
        if (pos != model.end()) {
          it->Next();
          ++pos;
        }
        break;
      default:
        if (pos != model.end()) {
          it->Prev();
          pos = pos == model.begin() ? model.end() : std::prev(pos);
        }
        break;
    }
    ExpectAt(*it, model, pos);
  }

  // Point lookups: a reported entry is always the first >= target; when
  // that entry has the target's user key it is always reported.
  for (int i = 0; i < 300; i++) {
    const std::string target = random_target();
    auto expected = model.lower_bound(target);
    bool called = false;
    Status s =
        table.Get(ro, target, [&](std::string_view k, std::string_view v) {
          called = true;
          ASSERT_NE(expected, model.end());
          EXPECT_EQ(k, expected->first);
          EXPECT_EQ(v, expected->second);
        });
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (expected != model.end() &&
        ExtractUserKey(expected->first) == ExtractUserKey(target)) {
      EXPECT_TRUE(called);
    }
  }

  // Offsets grow with the key and stay inside the data.
  uint64_t last = 0;
  for (const auto& [k, v] : model) {
    const uint64_t off = table.ApproximateOffsetOf(k);
    EXPECT_GE(off, last);
    last = off;
  }
  EXPECT_LE(table.ApproximateOffsetOf(IKey("\xff\xff\xff\xff", 0)),
            table.file_size());
  EXPECT_GE(table.ApproximateOffsetOf(IKey("\xff\xff\xff\xff", 0)), last);
}

void CheckProperties(const TableProperties& p, const Model& model) {
  uint64_t deletions = 0, key_bytes = 0, value_bytes = 0;
  uint64_t smallest = UINT64_MAX, largest = 0;
  for (const auto& [k, v] : model) {
    const uint64_t tag = ExtractTag(k);
    deletions += (tag & 0xff) == kTypeDeletion;
    key_bytes += k.size();
    value_bytes += v.size();
    smallest = std::min(smallest, tag >> 8);
    largest = std::max(largest, tag >> 8);
  }
  EXPECT_EQ(p.num_entries, model.size());
  EXPECT_EQ(p.num_deletions, deletions);
  EXPECT_EQ(p.raw_key_size, key_bytes);
  EXPECT_EQ(p.raw_value_size, value_bytes);
  if (!model.empty()) {
    EXPECT_EQ(p.smallest_seqno, smallest);
    EXPECT_EQ(p.largest_seqno, largest);
    EXPECT_GE(p.num_data_blocks, 1u);
  }
  EXPECT_EQ(p.comparator_name, "shale.InternalKeyComparator");
  EXPECT_LE(p.data_size, p.raw_data_size);
}

// The tests below run for every compression type and cache mode. The cache
// is small (32 KiB, one shard) so that evictions happen, and blocks larger
// than it take the not-retained path.
class TableConfigTest : public ::testing::TestWithParam<test::TableConfig> {
 protected:
  TableOptions Configure(TableOptions options) {
    test::ApplyTableConfig(GetParam(), cache_.get(), &stats_, &options);
    return options;
  }
  CompressionType compression() const { return std::get<0>(GetParam()); }
  bool cached() const {
    return std::get<1>(GetParam()) != test::CacheMode::kNoCache;
  }

  // Declared before any table, so destroyed after them.
  std::shared_ptr<Cache> cache_ = NewClockCache(32 << 10, 0);
  TableReadStats stats_;
};

TEST_P(TableConfigTest, RandomizedAgainstModel) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  for (int round = 0; round < 40; round++) {
    SCOPED_TRACE("round=" + std::to_string(round));
    const TableOptions options = Configure(test::RandomTableOptions(&rnd));
    ReadOptions ro;
    ro.fill_cache = !rnd.OneIn(4);
    ro.verify_checksums = rnd.OneIn(3);
    const Model model =
        test::RandomModel(&rnd, rnd.Skewed(12), /*big=*/rnd.OneIn(8));
    TableProperties built;
    std::string bytes = test::BuildTable(options, model, &built);
    std::unique_ptr<Table> table;
    // Reads with either copying or memory-borrowing files.
    Status s = test::OpenTable(options, std::move(bytes), &table, nullptr,
                               /*borrow=*/rnd.OneIn(2));
    ASSERT_TRUE(s.ok()) << s.ToString();
    CheckProperties(table->properties(), model);
    EXPECT_EQ(table->properties().num_data_blocks, built.num_data_blocks);
    EXPECT_EQ(table->has_filter(), options.bloom_bits_per_key > 0);
    EXPECT_EQ(table->properties().compression_name,
              CompressionTypeName(compression()));
    EXPECT_EQ(table->properties().raw_data_size, built.raw_data_size);
    CheckTable(*table, model, &rnd, ro);
  }
}

TEST_P(TableConfigTest, EmptyTable) {
  Random rnd(1);
  const Model model;
  const TableOptions options = Configure(test::DefaultTableOptions());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(
      test::OpenTable(options, test::BuildTable(options, model), &table).ok());
  EXPECT_EQ(table->properties().num_entries, 0u);
  EXPECT_EQ(table->properties().num_data_blocks, 0u);
  EXPECT_EQ(table->properties().raw_data_size, 0u);
  auto it = table->NewIterator(ReadOptions());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(table->ApproximateOffsetOf(IKey("a", 1)), 0u);
  CheckTable(*table, model, &rnd);
}

TEST_P(TableConfigTest, SingleKey) {
  Random rnd(2);
  Model model;
  model[IKey("key", 7)] = "value";
  const TableOptions options = Configure(test::DefaultTableOptions());
  std::unique_ptr<Table> table;
  ASSERT_TRUE(
      test::OpenTable(options, test::BuildTable(options, model), &table).ok());
  CheckTable(*table, model, &rnd);
  bool called = false;
  ASSERT_TRUE(table
                  ->Get(ReadOptions(),
                        IKey("key", kMaxSequenceNumber, kValueTypeForSeek),
                        [&](std::string_view k, std::string_view v) {
                          called = true;
                          EXPECT_EQ(k, IKey("key", 7));
                          EXPECT_EQ(v, "value");
                        })
                  .ok());
  EXPECT_TRUE(called);
}

TEST_P(TableConfigTest, HugeKeysAndValues) {
  Random rnd(3);
  Model model;
  for (int i = 0; i < 20; i++) {
    std::string uk = test::RandomPrintable(&rnd, i % 3 == 0 ? 10000 : 10);
    model[IKey(uk, i)] = test::RandomBytes(&rnd, i % 2 == 0 ? 200000 : 3);
  }
  TableOptions options = Configure(test::DefaultTableOptions());
  options.block_size = 4096;
  std::unique_ptr<Table> table;
  ASSERT_TRUE(
      test::OpenTable(options, test::BuildTable(options, model), &table).ok());
  CheckProperties(table->properties(), model);
  CheckTable(*table, model, &rnd);
}

TEST_P(TableConfigTest, VersionsOfOneKeyAcrossBlocks) {
  // Many versions of one user key, spread over many tiny blocks: lookups at
  // every sequence number find the right version.
  Random rnd(4);
  Model model;
  for (SequenceNumber seq = 1; seq <= 500; seq += 2) {
    model[IKey("k", seq)] = std::to_string(seq);
  }
  TableOptions options = Configure(test::DefaultTableOptions());
  options.block_size = 64;
  std::unique_ptr<Table> table;
  ASSERT_TRUE(
      test::OpenTable(options, test::BuildTable(options, model), &table).ok());
  EXPECT_GT(table->properties().num_data_blocks, 20u);
  for (SequenceNumber snap = 0; snap <= 502; snap++) {
    std::string found;
    ASSERT_TRUE(table
                    ->Get(ReadOptions(), IKey("k", snap, kValueTypeForSeek),
                          [&](std::string_view k, std::string_view v) {
                            if (ExtractUserKey(k) == "k") found = v;
                          })
                    .ok());
    // The newest version with seq <= snap.
    SequenceNumber want = 0;
    for (SequenceNumber seq = 1; seq <= 499 && seq <= snap; seq += 2) {
      want = seq;
    }
    EXPECT_EQ(found, want == 0 ? "" : std::to_string(want)) << snap;
  }
  CheckTable(*table, model, &rnd);
}

TEST(TableTest, FilterSkipsDataBlockReads) {
  Model model;
  for (int i = 0; i < 2000; i++)
    model[IKey("key" + std::to_string(i), i)] = "v";
  const TableOptions options = test::DefaultTableOptions();
  std::unique_ptr<Table> table;
  test::StringSource* source;
  ASSERT_TRUE(test::OpenTable(options, test::BuildTable(options, model), &table,
                              &source)
                  .ok());
  ASSERT_TRUE(table->has_filter());
  const uint64_t reads_before = source->reads();
  int calls = 0;
  for (int i = 0; i < 10000; i++) {
    ASSERT_TRUE(table
                    ->Get(ReadOptions(),
                          IKey("absent" + std::to_string(i), kMaxSequenceNumber,
                               kValueTypeForSeek),
                          [&](std::string_view k, std::string_view) {
                            calls++;
                            EXPECT_NE(ExtractUserKey(k).substr(0, 6), "absent");
                          })
                    .ok());
  }
  const uint64_t passed = table->filter_checks() - table->filter_negatives();
  EXPECT_EQ(table->filter_checks(), 10000u);
  EXPECT_LT(passed, 200u);  // ~1% false positives
  EXPECT_EQ(table->filter_false_positives(), passed);
  // Only the lookups the filter let through read a block.
  EXPECT_EQ(source->reads() - reads_before, passed);

  // Present keys are never filtered out.
  for (int i = 0; i < 2000; i++) {
    bool called = false;
    ASSERT_TRUE(
        table
            ->Get(ReadOptions(),
                  IKey("key" + std::to_string(i), kMaxSequenceNumber,
                       kValueTypeForSeek),
                  [&](std::string_view, std::string_view) { called = true; })
            .ok());
    ASSERT_TRUE(called) << i;
  }
  EXPECT_EQ(table->filter_false_positives(), passed);
}

// Point lookups narrowed by the index digest (IndexPrefixes) answer as the
// whole index search does: the same table read with the index in the block
// cache (no digest) is the reference. Keys share a long prefix, then differ
// in bytes including 0, around the 8 bytes the digest keeps.
TEST(TableTest, IndexPrefixesAnswerAsTheWholeIndex) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  auto user_key = [&] {
    std::string u = "user:000000";
    const size_t len = rnd.Uniform(14);
    for (size_t i = 0; i < len; i++) u.push_back("\0\1ab"[rnd.Uniform(4)]);
    return u;
  };
  Model model;
  for (int i = 0; i < 3000; i++) {
    model[IKey(user_key(), rnd.Uniform(5))] = std::string(rnd.Uniform(40), 'v');
  }
  TableOptions options = test::DefaultTableOptions();
  options.block_size = 64 + rnd.Uniform(200);  // many index entries
  const std::string bytes = test::BuildTable(options, model);
  std::shared_ptr<Cache> cache = NewClockCache(1 << 20, 0);  // outlives both
  std::unique_ptr<Table> narrowed, whole;
  ASSERT_TRUE(test::OpenTable(options, bytes, &narrowed).ok());
  TableOptions cached = options;
  cached.block_cache = cache.get();
  cached.cache_index_and_filter_blocks = true;
  ASSERT_TRUE(test::OpenTable(cached, bytes, &whole).ok());
  ASSERT_TRUE(narrowed->has_index_prefixes());
  ASSERT_FALSE(whole->has_index_prefixes());
  auto get = [](const Table& t, const std::string& target) {
    std::string found = "(none)";
    EXPECT_TRUE(t.Get(ReadOptions(), target,
                      [&](std::string_view k, std::string_view v) {
                        found = std::string(k) + "=" + std::string(v);
                      })
                    .ok());
    return found;
  };
  for (int i = 0; i < 5000; i++) {
    std::string u =
        rnd.OneIn(3)
            ? std::string(ExtractUserKey(
                  std::next(model.begin(), rnd.Uniform(model.size()))->first))
            : user_key();
    if (rnd.OneIn(20)) u = rnd.OneIn(2) ? "user" : "zzz";
    const std::string target =
        IKey(u, rnd.Uniform(6), static_cast<ValueType>(rnd.Uniform(2)));
    ASSERT_EQ(get(*narrowed, target), get(*whole, target)) << i;
    auto expected = model.lower_bound(target);
    if (expected != model.end() &&
        ExtractUserKey(expected->first) == ExtractUserKey(target)) {
      EXPECT_EQ(get(*narrowed, target),
                expected->first + "=" + expected->second);
    }
  }
}

// A table of keys like the server benchmark's (key:%012d): the digest
// narrows every lookup to a single index entry, the last index entry (the
// short successor "l") notwithstanding.
TEST(TableTest, IndexPrefixesNarrowToOneEntry) {
  Model model;
  for (int i = 0; i < 20000; i++) {
    char u[32];
    std::snprintf(u, sizeof(u), "key:%012d", i * 3);
    model[IKey(u, 7)] = std::string(100, 'v');
  }
  const TableOptions options = test::DefaultTableOptions();
  std::unique_ptr<Table> table;
  ASSERT_TRUE(
      test::OpenTable(options, test::BuildTable(options, model), &table).ok());
  const IndexPrefixes* digest = table->TEST_index_prefixes();
  ASSERT_NE(digest, nullptr);
  ASSERT_GT(digest->num_restarts(), 500u);
  for (int i = 0; i < 60000; i += 7) {
    char u[32];
    std::snprintf(u, sizeof(u), "key:%012d", i);
    uint32_t left, right;
    digest->Narrow(u, &left, &right);
    EXPECT_EQ(left, right) << u;
  }
  Random rnd(3);
  CheckTable(*table, model, &rnd);
}

TEST(TableTest, NoFilter) {
  Model model;
  for (int i = 0; i < 100; i++) model[IKey("key" + std::to_string(i), i)] = "v";
  TableOptions options = test::DefaultTableOptions();
  options.bloom_bits_per_key = 0;
  std::unique_ptr<Table> table;
  ASSERT_TRUE(
      test::OpenTable(options, test::BuildTable(options, model), &table).ok());
  EXPECT_FALSE(table->has_filter());
  EXPECT_EQ(table->properties().filter_size, 0u);
  Random rnd(5);
  CheckTable(*table, model, &rnd);
  EXPECT_EQ(table->filter_checks(), 0u);
}

class OtherComparator final : public Comparator {
 public:
  int Compare(std::string_view a, std::string_view b) const override {
    return a.compare(b);
  }
  const char* Name() const override { return "other"; }
  void FindShortestSeparator(std::string*, std::string_view) const override {}
  void FindShortSuccessor(std::string*) const override {}
};

TEST(TableTest, ComparatorMismatch) {
  Model model;
  model[IKey("a", 1)] = "v";
  const std::string bytes =
      test::BuildTable(test::DefaultTableOptions(), model);
  OtherComparator other;
  TableOptions options = test::DefaultTableOptions();
  options.comparator = &other;
  std::unique_ptr<Table> table;
  Status s = test::OpenTable(options, bytes, &table);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(table, nullptr);
}

TEST_P(TableConfigTest, ReadErrorsStopIteration) {
  Model model;
  for (int i = 0; i < 1000; i++) {
    model[IKey("key" + std::to_string(1000 + i), i)] = std::string(50, 'v');
  }
  const TableOptions options = Configure(test::DefaultTableOptions());
  std::unique_ptr<Table> table;
  test::StringSource* source;
  ASSERT_TRUE(test::OpenTable(options, test::BuildTable(options, model), &table,
                              &source)
                  .ok());
  auto it = table->NewIterator(ReadOptions());
  it->SeekToFirst();
  auto p = model.begin();
  for (int i = 0; i < 10; i++, ++p, it->Next()) ExpectAt(*it, model, p);
  source->set_fail_reads(true);
  // Entries of the held block remain readable; the next block read fails
  // and stops the iterator instead of skipping the block.
  for (; it->Valid(); ++p, it->Next()) {
    ASSERT_NE(p, model.end());
    ASSERT_EQ(it->key(), p->first);
  }
  EXPECT_TRUE(it->status().IsIOError());
  EXPECT_NE(p, model.end());
  Status s = table->Get(ReadOptions(), p->first,
                        [](std::string_view, std::string_view) {
                          ADD_FAILURE() << "no entry expected";
                        });
  EXPECT_TRUE(s.IsIOError());
  // A new seek retries.
  source->set_fail_reads(false);
  it->Seek(p->first);
  ExpectAt(*it, model, p);
  it->SeekToLast();
  ExpectAt(*it, model, std::prev(model.end()));
}

TEST(TableTest, BuilderReportsAppendFailure) {
  test::StringSink sink;
  TableBuilder builder(test::DefaultTableOptions(), &sink);
  builder.Add(IKey("a", 1), "v");
  sink.set_fail_appends(true);
  for (int i = 0; i < 1000; i++) {
    builder.Add(IKey("b" + std::to_string(1000 + i), 1), std::string(100, 'x'));
  }
  EXPECT_TRUE(builder.status().IsIOError());
  EXPECT_TRUE(builder.Finish().IsIOError());
}

TEST(TableTest, AbandonWritesNoFooter) {
  test::StringSink sink;
  TableBuilder builder(test::DefaultTableOptions(), &sink);
  for (int i = 0; i < 1000; i++) {
    builder.Add(IKey("b" + std::to_string(1000 + i), 1), std::string(100, 'x'));
  }
  builder.Abandon();
  std::unique_ptr<Table> table;
  EXPECT_TRUE(
      test::OpenTable(test::DefaultTableOptions(), sink.contents(), &table)
          .IsCorruption());
}

TEST_P(TableConfigTest, ConcurrentReaders) {
  Random rnd(6);
  const Model model = test::RandomModel(&rnd, 3000, false);
  TableOptions options = Configure(test::DefaultTableOptions());
  options.block_size = 256;
  std::unique_ptr<Table> table;
  ASSERT_TRUE(
      test::OpenTable(options, test::BuildTable(options, model), &table).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; t++) {
    threads.emplace_back([&, t] {
      Random r(100 + t);
      CheckTable(*table, model, &r);
    });
  }
  for (auto& th : threads) th.join();
}

INSTANTIATE_TEST_SUITE_P(
    Configs, TableConfigTest,
    ::testing::Combine(::testing::ValuesIn(test::kAllCompressionTypes),
                       ::testing::ValuesIn(test::kAllCacheModes)),
    test::TableConfigName);

}  // namespace
}  // namespace shale
