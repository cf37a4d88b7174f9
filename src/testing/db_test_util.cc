#include "testing/db_test_util.h"

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/stored_value.h"
#include "table/table.h"

namespace shale::test {

DBTestBase::DBTestBase() : env_(std::make_unique<MemEnv>()) {
  options_.create_if_missing = true;
  options_.env = env_.get();
  options_.write_buffer_size = 256 << 10;
  Reopen();
}

DBTestBase::~DBTestBase() { db_.reset(); }

Options DBTestBase::CurrentOptions() const { return options_; }

DBImpl* DBTestBase::impl() { return static_cast<DBImpl*>(db_.get()); }

void DBTestBase::CheckGarbageIsExact() {
  // Background work (a GC or space compaction scheduled by a reopen)
  // would delete tables under the recount: settle it and hold it off.
  ASSERT_TRUE(db_->WaitForCompactions().ok());
  impl()->TEST_PauseCompactions(true);
  CountGarbage();
  impl()->TEST_PauseCompactions(false);
}

void DBTestBase::CountGarbage() {
  std::map<uint64_t, uint64_t> referenced;
  InternalKeyComparator icmp(BytewiseComparator());
  const auto manifest_refs = impl()->TEST_TableVlogRefs();
  for (uint64_t number : impl()->TEST_CurrentTables()) {
    std::map<uint64_t, uint64_t> table_refs;
    const std::string path = TableFileName(dbname_, number);
    uint64_t size;
    ASSERT_TRUE(env_->GetFileSize(path, &size).ok());
    std::unique_ptr<RandomAccessFile> file;
    ASSERT_TRUE(env_->NewRandomAccessFile(path, &file).ok());
    TableOptions topts;
    topts.comparator = &icmp;
    std::unique_ptr<Table> table;
    ASSERT_TRUE(Table::Open(topts, path, std::move(file), size, &table).ok());
    auto iter = table->NewIterator(ReadOptions());
    for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
      ParsedInternalKey k;
      ASSERT_TRUE(ParseInternalKey(iter->key(), &k));
      if (!IsBlobIndex(k.type)) continue;
      StoredValue stored;
      ASSERT_TRUE(stored.Parse(k.type, iter->value()));
      ValuePointer ptr;
      ASSERT_TRUE(stored.DecodePointer(&ptr));
      referenced[ptr.file_number] += ptr.RecordSize(k.user_key.size());
      table_refs[ptr.file_number] += ptr.RecordSize(k.user_key.size());
    }
    EXPECT_EQ(manifest_refs.at(number), table_refs) << "table " << number;
  }
  auto files = impl()->TEST_VlogFiles();
  for (const auto& [number, meta] : files) {
    EXPECT_EQ(meta.data_bytes - meta.garbage_bytes, referenced[number])
        << "vlog " << number;
  }
  for (const auto& [number, bytes] : referenced) {
    EXPECT_TRUE(files.count(number)) << "pointer into unlisted vlog " << number;
  }
}

Status DBTestBase::TryReopenOn(std::unique_ptr<MemEnv> clone) {
  db_.reset();
  env_ = std::move(clone);
  options_.env = env_.get();
  return TryOpen(options_);
}

Status DBTestBase::TryOpen(const Options& options) {
  db_.reset();
  return DB::Open(options, dbname_, &db_);
}

void DBTestBase::Reopen(const Options& options) {
  Status s = TryOpen(options);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

Status DBTestBase::Put(std::string_view k, std::string_view v, bool sync) {
  WriteOptions wo;
  wo.sync = sync;
  return db_->Put(wo, k, v);
}

Status DBTestBase::Delete(std::string_view k) {
  return db_->Delete(WriteOptions(), k);
}

std::string DBTestBase::Get(std::string_view k, const Snapshot* snapshot) {
  ReadOptions ro;
  ro.snapshot = snapshot;
  std::string value;
  Status s = db_->Get(ro, k, &value);
  if (s.IsNotFound()) return "NOT_FOUND";
  if (!s.ok()) return s.ToString();
  return value;
}

std::string DBTestBase::Contents(const Snapshot* snapshot) {
  ReadOptions ro;
  ro.snapshot = snapshot;
  auto iter = db_->NewIterator(ro);
  std::string r;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    if (!r.empty()) r += ",";
    r.append(iter->key());
    r += "=";
    r.append(iter->value());
  }
  if (!iter->status().ok()) r += "[" + iter->status().ToString() + "]";
  return r;
}

std::string DBTestBase::ContentsReverse(const Snapshot* snapshot) {
  ReadOptions ro;
  ro.snapshot = snapshot;
  auto iter = db_->NewIterator(ro);
  std::vector<std::string> items;
  for (iter->SeekToLast(); iter->Valid(); iter->Prev()) {
    items.push_back(std::string(iter->key()) + "=" +
                    std::string(iter->value()));
  }
  std::string r;
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    if (!r.empty()) r += ",";
    r += *it;
  }
  if (!iter->status().ok()) r += "[" + iter->status().ToString() + "]";
  return r;
}

int DBTestBase::NumFilesAtLevel(int level) {
  std::string v;
  EXPECT_TRUE(
      db_->GetProperty("shale.num-files-at-level" + std::to_string(level), &v));
  return std::stoi(v);
}

}  // namespace shale::test
