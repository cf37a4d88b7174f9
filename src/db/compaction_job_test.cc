// CompactionJob without a DB: crafted inputs on a MemEnv, the files it
// writes and the edit it makes.
#include "db/compaction_job.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "db/compaction_test_util.h"
#include "table/table.h"

namespace shale::test {
namespace {

class CompactionJobTest : public JobTestBase {
 protected:
  CompactionJobTest() : icmp_(BytewiseComparator()) {
    EXPECT_TRUE(env_.CreateDir(kJobDb).ok());
  }

  CompactionJob::Options JobOptions(bool is_flush) {
    CompactionJob::Options o;
    o.env = &env_;
    o.dbname = kJobDb;
    o.is_flush = is_flush;
    o.table_options.comparator = &icmp_;
    o.table_options.block_size = 256;
    o.new_file_number = [this] { return next_file_++; };
    o.rules.user_comparator = BytewiseComparator();
    o.rules.now_ms = 1000;
    o.rules.separate_values = is_flush;
    o.vlog = VlogOptions();
    return o;
  }

  // The entries of table file `number`, as EntryText joined by spaces.
  std::string TableText(const FileMetaData& meta) {
    const std::string path = TableFileName(kJobDb, meta.number);
    uint64_t size = 0;
    EXPECT_TRUE(env_.GetFileSize(path, &size).ok());
    EXPECT_EQ(size, meta.file_size);
    std::unique_ptr<RandomAccessFile> file;
    EXPECT_TRUE(env_.NewRandomAccessFile(path, &file).ok());
    TableOptions options;
    options.comparator = &icmp_;
    std::unique_ptr<Table> table;
    Status s = Table::Open(options, path, std::move(file), size, &table);
    if (!s.ok()) return s.ToString();
    std::string out;
    auto iter = table->NewIterator(ReadOptions());
    for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
      if (!out.empty()) out += " ";
      out += EntryText(iter->key(), iter->value());
    }
    return out;
  }

  // The table and vlog files under the DB directory.
  std::set<std::string> DbFiles() {
    std::vector<std::string> children;
    EXPECT_TRUE(env_.GetChildren(kJobDb, &children).ok());
    return {children.begin(), children.end()};
  }

  InternalKeyComparator icmp_;
};

TEST_F(CompactionJobTest, FlushWritesOneTableAndItsVlog) {
  VectorIterator input(&icmp_,
                       {{IKey("a", 3, kTypeValue), "a3"},
                        {IKey("a", 2, kTypeValue), "a2"},
                        {IKey("b", 4, kTypeValue), "a long value b"},
                        {IKey("c", 5, kTypeDeletion), ""},
                        {IKey("d", 1, kTypeValue), "another long one"}});
  CompactionJob job(JobOptions(true));
  ASSERT_TRUE(job.Run(&input).ok());
  ASSERT_EQ(job.outputs().size(), 1u);
  const FileMetaData& meta = job.outputs()[0];
  EXPECT_EQ(TableText(meta),
            "a@3:VAL=a3 b@4:BLOB=->101:16 c@5:DEL d@1:BLOB=->101:43");
  EXPECT_EQ(meta.number, 100u);  // the table's number is taken first
  EXPECT_EQ(EntryText(meta.smallest, ""), "a@3:VAL=");
  EXPECT_EQ(EntryText(meta.largest, ""), "d@1:BLOB=<bad pointer>");
  EXPECT_EQ(meta.smallest_seq, 1u);
  EXPECT_EQ(meta.largest_seq, 5u);
  const uint64_t vlog_data = (12 + 1 + 14) + (12 + 1 + 16);
  EXPECT_EQ(meta.vlog_refs, (std::map<uint64_t, uint64_t>{{101, vlog_data}}));
  EXPECT_EQ(job.file_numbers(), (std::vector<uint64_t>{100, 101}));
  EXPECT_EQ(job.stats().entries.dropped, 1u);

  VersionEdit edit;
  job.AddOutputsTo(2, &edit);
  ASSERT_EQ(edit.new_files().size(), 1u);
  EXPECT_EQ(edit.new_files()[0].first, 2);
  ASSERT_EQ(edit.new_vlog_files().size(), 1u);
  EXPECT_EQ(edit.new_vlog_files()[0].number, 101u);
  EXPECT_EQ(edit.new_vlog_files()[0].records, 2u);
  EXPECT_EQ(edit.new_vlog_files()[0].data_bytes, vlog_data);
  EXPECT_TRUE(edit.vlog_garbage().empty());
  uint64_t vlog_size = 0;
  ASSERT_TRUE(env_.GetFileSize(VlogFileName(kJobDb, 101), &vlog_size).ok());
  EXPECT_EQ(job.stats().vlog_bytes_written, vlog_size);
  EXPECT_EQ(job.stats().bytes_written, vlog_size + meta.file_size);
  // Everything is durable: a crash loses nothing the edit names.
  auto clone = env_.CloneAfterCrash();
  uint64_t size = 0;
  EXPECT_TRUE(clone->GetFileSize(TableFileName(kJobDb, 100), &size).ok());
  EXPECT_EQ(size, meta.file_size);
  EXPECT_TRUE(clone->GetFileSize(VlogFileName(kJobDb, 101), &size).ok());
  EXPECT_EQ(size, vlog_size);
}

TEST_F(CompactionJobTest, OutputsEndBetweenUserKeys) {
  KVVector entries;
  for (int i = 0; i < 60; i++) {
    char key[16];
    std::snprintf(key, sizeof(key), "key%03d", i);
    // Three versions each, all seen by some snapshot.
    for (int v = 3; v >= 1; v--) {
      entries.emplace_back(IKey(key, 10 * i + v, kTypeValue),
                           std::string(40, 'a' + v));
    }
  }
  VectorIterator input(&icmp_, entries);
  auto o = JobOptions(false);
  o.max_output_file_size = 1000;
  std::vector<uint64_t> snapshots;
  for (int i = 0; i < 60; i++) {
    snapshots.push_back(10 * i + 1);
    snapshots.push_back(10 * i + 2);
  }
  o.rules.snapshots = snapshots;
  std::vector<std::string> stop_asked;
  o.should_stop_before = [&](std::string_view k) {
    stop_asked.emplace_back(ExtractUserKey(k));
    return ExtractUserKey(k) == "key050";
  };
  CompactionJob job(std::move(o));
  ASSERT_TRUE(job.Run(&input).ok());
  ASSERT_GT(job.outputs().size(), 3u);
  EXPECT_EQ(stop_asked.size(), entries.size());
  std::string all;
  std::string last_user_key;
  bool cut_at_050 = false;
  for (const FileMetaData& meta : job.outputs()) {
    const std::string text = TableText(meta);
    all += (all.empty() ? "" : " ") + text;
    std::string first(ExtractUserKey(meta.smallest));
    EXPECT_NE(first, last_user_key) << "a user key spans two files";
    EXPECT_EQ(text.substr(0, first.size()), first);
    cut_at_050 |= first == "key050";
    last_user_key = ExtractUserKey(meta.largest);
  }
  EXPECT_TRUE(cut_at_050);
  std::string expected;
  for (const auto& [k, v] : entries) {
    expected += (expected.empty() ? "" : " ") + EntryText(k, v);
  }
  EXPECT_EQ(all, expected);

  VersionEdit edit;
  job.AddOutputsTo(3, &edit);
  EXPECT_EQ(edit.new_files().size(), job.outputs().size());
  EXPECT_TRUE(edit.new_vlog_files().empty());
  EXPECT_EQ(job.file_numbers().size(), job.outputs().size());
}

TEST_F(CompactionJobTest, CompactionRecordsGarbageAndMoves) {
  auto ptrs = WriteVlog(7, {{"a", "value-of-a-1"}, {"a", "value-of-a-0"}});
  VectorIterator input(&icmp_, {{IKey("a", 2, kTypeBlobIndex), ptrs[0]},
                                {IKey("a", 1, kTypeBlobIndex), ptrs[1]}});
  auto o = JobOptions(false);
  o.vlog.collect = {7};
  CompactionJob job(std::move(o));
  ASSERT_TRUE(job.Run(&input).ok());
  ASSERT_EQ(job.outputs().size(), 1u);
  // The move took the job's first file number.
  EXPECT_EQ(TableText(job.outputs()[0]), "a@2:BLOB=->100:16");
  EXPECT_EQ(job.stats().values_moved, 1u);
  VersionEdit edit;
  job.AddOutputsTo(1, &edit);
  EXPECT_EQ(edit.vlog_garbage(),
            (std::map<uint64_t, uint64_t>{{7, 2 * (12 + 1 + 12)}}));
  ASSERT_EQ(edit.new_vlog_files().size(), 1u);
  EXPECT_EQ(edit.new_vlog_files()[0].data_bytes, 12 + 1 + 12u);
  EXPECT_EQ(job.outputs()[0].vlog_refs,
            (std::map<uint64_t, uint64_t>{{100, 12 + 1 + 12}}));
}

TEST_F(CompactionJobTest, NothingLeftWritesNothing) {
  VectorIterator input(&icmp_, {{IKey("a", 2, kTypeDeletion), ""},
                                {IKey("a", 1, kTypeValue), "a"}});
  auto o = JobOptions(false);
  o.rules.is_base_level_for_key = [](std::string_view) { return true; };
  CompactionJob job(std::move(o));
  ASSERT_TRUE(job.Run(&input).ok());
  EXPECT_TRUE(job.outputs().empty());
  EXPECT_TRUE(job.file_numbers().empty());
  EXPECT_TRUE(DbFiles().empty());
  EXPECT_EQ(env_.CallCount(FaultOp::kSyncDir), 0u);
}

TEST_F(CompactionJobTest, AFailedJobLeavesNoFile) {
  WriteVlog(7, {});
  const auto before = DbFiles();
  KVVector entries;
  for (int i = 0; i < 100; i++) {
    // Every tenth value large enough for the vlog.
    entries.emplace_back(IKey("k" + std::to_string(1000 + i), 1, kTypeValue),
                         std::string(i % 10 == 0 ? 50 : 30, 'x'));
  }
  struct Case {
    FaultSpec fault;
    bool verify_fails;
  };
  const Case cases[] = {
      {{FaultOp::kSync, ".sst", Status::Code::kIOError, 1}, false},
      {{FaultOp::kAppend, ".vlog", Status::Code::kNoSpace, 3}, false},
      {{FaultOp::kSyncDir, "", Status::Code::kIOError}, false},
      {{FaultOp::kOpen, ".sst", Status::Code::kIOError, 2}, false},
      {{}, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(FaultOpName(c.fault.op)) + " " +
                 c.fault.path_substring);
    env_.ClearFaults();
    if (!c.verify_fails) env_.InjectFault(c.fault);
    VectorIterator input(&icmp_, entries);
    auto o = JobOptions(true);
    o.table_options.block_size = 128;
    o.vlog.min_blob_size = 40;
    o.max_output_file_size = 1000;  // several outputs (not for a real flush)
    int verified = 0;
    o.verify_output = [&](const FileMetaData&) {
      return ++verified == 2 ? Status::Corruption("unreadable") : Status::OK();
    };
    if (!c.verify_fails) o.verify_output = nullptr;
    CompactionJob job(std::move(o));
    Status s = job.Run(&input);
    EXPECT_FALSE(s.ok());
    EXPECT_TRUE(job.outputs().empty());
    EXPECT_FALSE(job.file_numbers().empty());
    EXPECT_EQ(DbFiles(), before);
  }
  // And without a fault the same job succeeds, with several outputs.
  env_.ClearFaults();
  VectorIterator input(&icmp_, entries);
  auto o = JobOptions(true);
  o.table_options.block_size = 128;
  o.vlog.min_blob_size = 40;
  o.max_output_file_size = 1000;
  CompactionJob job(std::move(o));
  ASSERT_TRUE(job.Run(&input).ok());
  EXPECT_GE(job.outputs().size(), 3u);
  EXPECT_NE(job.stats().vlog_bytes_written, 0u);
}

}  // namespace
}  // namespace shale::test
