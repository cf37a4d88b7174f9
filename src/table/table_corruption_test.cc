// Damaged tables: every flipped byte, every truncation and random
// overwrites. Opening must fail with Corruption, or every read must return
// the model's data or a Corruption: never a crash, never a wrong entry.
#include <gtest/gtest.h>

#include "table/block.h"
#include "table/format.h"
#include "table/table.h"
#include "table/table_test_util.h"
#include "util/coding.h"

namespace shale {
namespace {

using test::Model;

enum class Outcome { kOpenFailed, kReadFailed, kAllGood };

// Opens bytes as a table of file_size bytes and reads everything, checking
// each answer against the model.
Outcome CheckDamaged(const TableOptions& options, const std::string& bytes,
                     uint64_t file_size, const Model& model) {
  std::unique_ptr<Table> table;
  Status s = test::OpenTable(options, bytes, &table, nullptr, false, file_size);
  if (!s.ok()) {
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(s.message().rfind("test.sst: ", 0), 0u) << s.ToString();
    return Outcome::kOpenFailed;
  }
  bool failed = false;
  auto expect_corruption = [&](const Status& st) {
    if (st.ok()) return;
    EXPECT_TRUE(st.IsCorruption()) << st.ToString();
    failed = true;
  };

  // A forward scan yields a prefix of the model, then ends or fails.
  auto it = table->NewIterator(ReadOptions());
  auto p = model.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++p) {
    if (p == model.end()) {
      ADD_FAILURE() << "extra entry";
      return Outcome::kReadFailed;
    }
    EXPECT_EQ(it->key(), p->first);
    EXPECT_EQ(it->value(), p->second);
  }
  if (it->status().ok()) {
    EXPECT_TRUE(p == model.end());
  }
  expect_corruption(it->status());

  // A backward scan yields a suffix.
  auto r = model.rbegin();
  for (it->SeekToLast(); it->Valid(); it->Prev(), ++r) {
    if (r == model.rend()) {
      ADD_FAILURE() << "extra entry";
      return Outcome::kReadFailed;
    }
    EXPECT_EQ(it->key(), r->first);
    EXPECT_EQ(it->value(), r->second);
  }
  if (it->status().ok()) {
    EXPECT_TRUE(r == model.rend());
  }
  expect_corruption(it->status());

  // Every key is found (Get and Seek) unless the read fails.
  for (const auto& entry : model) {
    const std::string& k = entry.first;
    const std::string& v = entry.second;
    bool called = false;
    Status st = table->Get(ReadOptions(), k,
                           [&](std::string_view fk, std::string_view fv) {
                             called = true;
                             EXPECT_EQ(fk, k);
                             EXPECT_EQ(fv, v);
                           });
    if (st.ok()) {
      EXPECT_TRUE(called);
    }
    expect_corruption(st);

    it->Seek(k);
    if (it->Valid()) {
      EXPECT_EQ(it->key(), k);
      EXPECT_EQ(it->value(), v);
    } else {
      EXPECT_FALSE(it->status().ok());
      expect_corruption(it->status());
    }
  }
  return failed ? Outcome::kReadFailed : Outcome::kAllGood;
}

struct SmallTable {
  TableOptions options;
  Model model;
  std::string bytes;
  BlockHandle filter;
};

// The sweeps run for every compression type and cache mode; values are
// half compressible (test::RandomValue) so that compressed tables hold both
// compressed and raw blocks.
class TableCorruptionTest : public ::testing::TestWithParam<test::TableConfig> {
 protected:
  TableOptions Configure(TableOptions options) {
    test::ApplyTableConfig(GetParam(), cache_.get(), nullptr, &options);
    return options;
  }
  SmallTable MakeSmallTable(uint64_t seed);

  std::shared_ptr<Cache> cache_ = NewClockCache(16 << 10, 0);
};

SmallTable TableCorruptionTest::MakeSmallTable(uint64_t seed) {
  Random rnd(seed);
  SmallTable t;
  t.options = Configure(test::DefaultTableOptions());
  t.options.block_size = 256;
  t.options.block_restart_interval = 4;
  t.model = test::RandomModel(&rnd, 120, false);
  t.bytes = test::BuildTable(t.options, t.model);
  Footer footer;
  EXPECT_TRUE(footer
                  .DecodeFrom(std::string_view(t.bytes).substr(t.bytes.size() -
                                                               kFooterSize),
                              "test.sst")
                  .ok());
  t.filter = footer.filter_handle;
  return t;
}

TEST_P(TableCorruptionTest, EveryFlippedByte) {
  const SmallTable t = MakeSmallTable(11);
  ASSERT_GT(t.filter.size(), 0u);
  std::printf("table of %zu bytes, %zu entries\n", t.bytes.size(),
              t.model.size());
  ASSERT_EQ(CheckDamaged(t.options, t.bytes, t.bytes.size(), t.model),
            Outcome::kAllGood);
  int counts[3] = {0, 0, 0};
  for (size_t i = 0; i < t.bytes.size(); i++) {
    for (char mask : {'\x01', '\x80'}) {
      SCOPED_TRACE("byte " + std::to_string(i));
      std::string bad = t.bytes;
      bad[i] ^= mask;
      const Outcome o = CheckDamaged(t.options, bad, bad.size(), t.model);
      counts[static_cast<int>(o)]++;
      // Only damage to the filter may go unnoticed (the filter is then
      // dropped, which costs reads but returns the same answers).
      const bool in_filter =
          i >= t.filter.offset() &&
          i < t.filter.offset() + t.filter.size() + kBlockTrailerSize;
      if (!in_filter) {
        EXPECT_NE(o, Outcome::kAllGood);
      }
      if (::testing::Test::HasFailure()) return;
    }
  }
  std::printf("open failed %d, read failed %d, unnoticed (filter) %d\n",
              counts[0], counts[1], counts[2]);
}

TEST_P(TableCorruptionTest, EveryTruncation) {
  const SmallTable t = MakeSmallTable(12);
  for (size_t len = 0; len < t.bytes.size(); len++) {
    SCOPED_TRACE("length " + std::to_string(len));
    const std::string cut = t.bytes.substr(0, len);
    EXPECT_EQ(CheckDamaged(t.options, cut, len, t.model), Outcome::kOpenFailed);
    // The size the caller believes in is larger than the file.
    EXPECT_EQ(CheckDamaged(t.options, cut, t.bytes.size(), t.model),
              Outcome::kOpenFailed);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST_P(TableCorruptionTest, RandomOverwrites) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  for (int round = 0; round < 15; round++) {
    TableOptions options = Configure(test::RandomTableOptions(&rnd));
    options.block_size = std::min<size_t>(options.block_size, 1024);
    const Model model = test::RandomModel(&rnd, 1 + rnd.Uniform(300), false);
    const std::string bytes = test::BuildTable(options, model);
    for (int damage = 0; damage < 40; damage++) {
      std::string bad = bytes;
      const size_t start = rnd.Uniform(bad.size());
      const size_t len =
          std::min<size_t>(1 + rnd.Skewed(8), bad.size() - start);
      if (rnd.OneIn(3)) {
        std::fill_n(bad.begin() + start, len, '\0');  // a hole
      } else {
        for (size_t i = start; i < start + len; i++) {
          bad[i] = static_cast<char>(rnd.Uniform(256));
        }
      }
      CheckDamaged(options, bad, bad.size(), model);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

// The handles of every block of a table: the footer's and the index's.
std::vector<BlockHandle> AllBlocks(const std::string& bytes) {
  Footer footer;
  EXPECT_TRUE(footer
                  .DecodeFrom(std::string_view(bytes).substr(bytes.size() -
                                                             kFooterSize),
                              "test.sst")
                  .ok());
  std::vector<BlockHandle> handles = {footer.index_handle,
                                      footer.properties_handle};
  if (footer.filter_handle.size() > 0) handles.push_back(footer.filter_handle);
  BlockContents contents;
  contents.data = std::string_view(bytes).substr(footer.index_handle.offset(),
                                                 footer.index_handle.size());
  Block index(std::move(contents));
  BlockIter it;
  it.Init(test::TestInternalComparator(), &index, "test.sst");
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::string_view v = it.value();
    BlockHandle h;
    EXPECT_TRUE(h.DecodeFrom(&v));
    handles.push_back(h);
  }
  return handles;
}

// Blocks damaged with their checksums recomputed (what a writer bug would
// leave): the parsers alone stand between the bytes and memory safety.
// Answers may be wrong here, but nothing may crash or loop, and errors are
// Corruption (or InvalidArgument for a changed comparator name).
TEST_P(TableCorruptionTest, DamageBehindValidChecksums) {
  const uint64_t seed = test::TestSeed();
  SCOPED_TRACE("seed=" + std::to_string(seed));
  Random rnd(seed);
  for (int round = 0; round < 10; round++) {
    TableOptions options = Configure(test::RandomTableOptions(&rnd));
    options.block_size = std::min<size_t>(options.block_size, 1024);
    const Model model = test::RandomModel(&rnd, 1 + rnd.Uniform(300), false);
    const std::string bytes = test::BuildTable(options, model);
    const std::vector<BlockHandle> blocks = AllBlocks(bytes);
    for (int damage = 0; damage < 100; damage++) {
      std::string bad = bytes;
      const BlockHandle& h = blocks[rnd.Uniform(blocks.size())];
      if (h.size() == 0) continue;
      for (int i = 0, n = 1 + rnd.Uniform(3); i < n; i++) {
        const size_t pos = h.offset() + rnd.Uniform(h.size());
        bad[pos] = rnd.OneIn(2) ? static_cast<char>(rnd.Uniform(256))
                                : static_cast<char>(bad[pos] ^ 0x80);
      }
      // The block keeps its stored type: compressed contents now decode
      // to garbage, or fail to decode.
      const std::string_view contents(bad.data() + h.offset(), h.size());
      const auto type =
          static_cast<CompressionType>(bad[h.offset() + h.size()]);
      EncodeBlockTrailer(contents, type, bad.data() + h.offset() + h.size());

      std::unique_ptr<Table> table;
      Status s = test::OpenTable(options, bad, &table);
      if (!s.ok()) {
        EXPECT_TRUE(s.IsCorruption() || s.IsInvalidArgument()) << s.ToString();
        continue;
      }
      auto ok_or_corrupt = [](const Status& st) {
        EXPECT_TRUE(st.ok() || st.IsCorruption()) << st.ToString();
      };
      auto it = table->NewIterator(ReadOptions());
      int steps = 0;
      for (it->SeekToFirst(); it->Valid() && steps < 100000; it->Next())
        steps++;
      ok_or_corrupt(it->status());
      for (it->SeekToLast(); it->Valid() && steps < 200000; it->Prev()) steps++;
      ok_or_corrupt(it->status());
      for (const auto& [k, v] : model) {
        ok_or_corrupt(table->Get(ReadOptions(), k,
                                 [](std::string_view, std::string_view) {}));
        it->Seek(k);
        if (it->Valid()) it->Next();
        if (it->Valid()) it->Prev();
        ok_or_corrupt(it->status());
        table->ApproximateOffsetOf(k);
      }
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(TableCorruptionBasicTest, NotATable) {
  const TableOptions options = test::DefaultTableOptions();
  std::unique_ptr<Table> table;
  Status s = test::OpenTable(options, std::string(1000, 'x'), &table);
  EXPECT_EQ(s.ToString(),
            "Corruption: test.sst: not an sstable (bad magic number)");
  s = test::OpenTable(options, "short", &table);
  EXPECT_EQ(s.ToString(),
            "Corruption: test.sst: file too short to be an sstable");
}

INSTANTIATE_TEST_SUITE_P(
    Configs, TableCorruptionTest,
    ::testing::Combine(::testing::ValuesIn(test::kAllCompressionTypes),
                       ::testing::ValuesIn(test::kAllCacheModes)),
    test::TableConfigName);

}  // namespace
}  // namespace shale
