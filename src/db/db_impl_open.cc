// Opening, recovery and closing.
#include <algorithm>
#include <latch>
#include <memory>

#include "db/db_impl.h"
#include "db/file_util.h"
#include "db/filename.h"
#include "db/log_reader.h"
#include "db/write_batch_internal.h"
#include "util/thread.h"

namespace shale {

namespace {

// Table files kept open need a descriptor each; leave some for the rest.
size_t TableCacheSize(const Options& options) {
  return options.max_open_files > 20 ? options.max_open_files - 10 : 10;
}

}  // namespace

TableOptions DBImpl::TableOptionsFor(int level) const {
  TableOptions t;
  t.comparator = &internal_comparator_;
  t.block_size = options_.block_size;
  t.block_restart_interval = options_.block_restart_interval;
  t.bloom_bits_per_key = options_.bloom_bits_per_key;
  t.compression = options_.compression;
  const auto& per_level = options_.compression_per_level;
  if (!per_level.empty()) {
    t.compression = per_level[std::min<size_t>(level, per_level.size() - 1)];
  }
  t.block_cache = block_cache_.get();
  t.cache_index_and_filter_blocks = options_.cache_index_and_filter_blocks;
  // Not declared const: the stats are counters the tables bump.
  t.read_stats = const_cast<TableReadStats*>(&table_stats_);
  return t;
}

DBImpl::DBImpl(const Options& options, const std::string& dbname)
    : env_(options.env != nullptr ? options.env : Env::Default()),
      internal_comparator_(BytewiseComparator()),
      options_(options),
      dbname_(dbname),
      block_cache_(options.block_cache != nullptr
                       ? options.block_cache
                       : (options.block_cache_capacity > 0
                              ? NewClockCache(options.block_cache_capacity)
                              : nullptr)),
      arena_pool_(std::make_shared<ArenaRegionPool>(options.write_buffer_size)),
      table_cache_(std::make_unique<TableCache>(
          dbname, env_, TableOptionsFor(0), TableCacheSize(options))),
      vlog_reader_(std::make_unique<VlogReader>(
          dbname, env_, std::max<size_t>(16, TableCacheSize(options) / 2))),
      bg_cv_(&mu_),
      picker_(&internal_comparator_, options_) {
  {
    MutexLock p(&iterator_purge_->mu);
    iterator_purge_->db = this;
  }
  MutexLock l(&mu_);
  versions_ = std::make_unique<VersionSet>(dbname_, options_, env_,
                                           &internal_comparator_, &mu_);
}

DBImpl::~DBImpl() {
  {
    // Waits for a running iterator cleanup; later ones find no DB.
    MutexLock p(&iterator_purge_->mu);
    iterator_purge_->db = nullptr;
  }
  {
    MutexLock l(&mu_);
    shutting_down_ = true;
    bg_cv_.SignalAll();
  }
  for (std::thread& t : bg_threads_) t.join();
  MutexLock l(&mu_);
  if (log_ != nullptr) {
    // A clean close leaves every write durable.
    SyncWals(ClosedWalsToSync(), !logfile_dir_synced_, logfile_.get(),
             /*beside_writer=*/false)
        .PermitUncheckedError();
    unsynced_wals_.clear();
    logfile_->Close().PermitUncheckedError();
  }
  read_view_.reset();
  imm_.clear();
  mem_.reset();
  versions_.reset();
}

Status DB::Open(const Options& options, const std::string& dir,
                std::unique_ptr<DB>* out) {
  out->reset();
  if (options.level0_slowdown_writes_trigger <
          options.level0_file_num_compaction_trigger ||
      options.level0_stop_writes_trigger <
          options.level0_slowdown_writes_trigger ||
      options.max_bytes_for_level_multiplier < 1 ||
      options.target_file_size < 4096 || options.max_mem_compact_level < 0) {
    return Status::InvalidArgument(
        "options out of range (level0 compaction trigger <= slowdown "
        "trigger <= stop trigger, max_bytes_for_level_multiplier >= 1, "
        "target_file_size >= 4 KiB, max_mem_compact_level >= 0)");
  }
  if (options.write_buffer_size < 64 * 1024 ||
      options.max_write_buffer_number < 2 || options.block_size < 256 ||
      options.block_restart_interval < 1 || options.bloom_bits_per_key < 0) {
    return Status::InvalidArgument(
        "options out of range (write_buffer_size >= 64 KiB, "
        "max_write_buffer_number >= 2, block_size >= 256, "
        "block_restart_interval >= 1, bloom_bits_per_key >= 0)");
  }
  if (options.compaction_thread_nice < 0 ||
      options.compaction_thread_nice > 19) {
    return Status::InvalidArgument(
        "compaction_thread_nice must be between 0 and 19");
  }
  auto impl = std::make_unique<DBImpl>(options, dir);
  Status s = impl->Recover();
  if (!s.ok()) return s;
  // With several jobs one thread only flushes, so a long compaction never
  // delays a flush; with one, the thread does both, flushes first.
  const int jobs = std::max(1, options.max_background_jobs);
  DBImpl* db = impl.get();
  // Open returns once every thread has its name and priority.
  auto started = std::make_shared<std::latch>(jobs);
  if (jobs == 1) {
    db->bg_threads_.emplace_back([db, started] {
      SetCurrentThreadName("shale:bg");
      started->count_down();
      db->BackgroundThread(DBImpl::JobRole::kAny);
    });
  } else {
    db->bg_threads_.emplace_back([db, started] {
      SetCurrentThreadName("shale:flush");
      started->count_down();
      db->BackgroundThread(DBImpl::JobRole::kFlushOnly);
    });
    const int nice = options.compaction_thread_nice;
    for (int i = 1; i < jobs; i++) {
      db->bg_threads_.emplace_back([db, nice, started] {
        SetCurrentThreadName("shale:compact");
        // Best effort: a refusal leaves the thread at normal priority.
        LowerCurrentThreadPriority(nice);
        started->count_down();
        db->BackgroundThread(DBImpl::JobRole::kCompactionOnly);
      });
    }
  }
  started->wait();
  *out = std::move(impl);
  return Status::OK();
}

Status DBImpl::NewDB() {
  VersionEdit edit;
  edit.SetComparatorName(internal_comparator_.user_comparator()->Name());
  edit.SetLogNumber(0);
  edit.SetNextFileNumber(2);
  edit.SetLastSequence(0);
  const uint64_t manifest_number = 1;
  std::string manifest = DescriptorFileName(dbname_, manifest_number);
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(manifest, &file);
  if (!s.ok()) return s;
  {
    log::Writer writer(file.get());
    std::string record;
    EncodeEditGroup({&edit}, &record);
    s = writer.AddRecord(record);
    if (s.ok()) s = file->Sync();
    if (s.ok()) s = file->Close();
  }
  if (s.ok()) s = env_->SyncDir(dbname_);
  bool renamed = false;
  if (s.ok()) s = SetCurrentFile(env_, dbname_, manifest_number, &renamed);
  // Once CURRENT names it, the MANIFEST stays: the next open reads it.
  if (!s.ok() && !renamed) env_->RemoveFile(manifest).PermitUncheckedError();
  return s;
}

Status DBImpl::Recover() {
  MutexLock l(&mu_);
  Status s = env_->CreateDir(dbname_);
  if (!s.ok()) return s;
  s = env_->LockFile(LockFileName(dbname_), &db_lock_);
  if (!s.ok()) return s;

  if (!env_->FileExists(CurrentFileName(dbname_))) {
    if (!options_.create_if_missing) {
      return Status::InvalidArgument(
          dbname_, "does not exist (create_if_missing is false)");
    }
    s = NewDB();
    if (!s.ok()) return s;
  } else if (options_.error_if_exists) {
    return Status::InvalidArgument(dbname_, "exists (error_if_exists is true)");
  }

  s = versions_->Recover();
  if (!s.ok()) return s;

  // Every table the MANIFEST lists must be present; WALs at or after the
  // log number hold writes not yet in any table.
  std::vector<std::string> children;
  s = env_->GetChildren(dbname_, &children);
  if (!s.ok()) return s;
  std::set<uint64_t> expected;
  versions_->AddLiveFiles(&expected);
  std::vector<uint64_t> logs;
  for (const std::string& name : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    if (type == FileType::kTableFile || type == FileType::kVlogFile) {
      expected.erase(number);
    }
    if (type == FileType::kLogFile && number >= versions_->LogNumber()) {
      logs.push_back(number);
    }
  }
  if (!expected.empty()) {
    uint64_t missing = *expected.begin();
    return Status::Corruption("missing files the MANIFEST lists, e.g. " +
                              (versions_->current()->vlog_files().count(missing)
                                   ? VlogFileName(dbname_, missing)
                                   : TableFileName(dbname_, missing)));
  }
  if (options_.paranoid_checks) {
    auto v = versions_->current();
    for (int level = 0; level < kNumLevels; level++) {
      for (const auto& f : v->files(level)) {
        std::shared_ptr<Table> table;
        s = table_cache_->FindTable(f->number, f->file_size, &table);
        if (!s.ok()) return s;
      }
    }
  }

  SequenceNumber max_seq = versions_->LastSequence();
  s = RecoverLogFiles(std::move(logs), &max_seq);
  if (!s.ok()) return s;

  DeleteObsoleteFiles();
  InstallReadView();
  return Status::OK();
}

namespace {

class LogReporter : public log::Reader::Reporter {
 public:
  explicit LogReporter(Status* status) : status_(status) {}
  void Corruption(size_t /*bytes*/, const Status& s) override {
    if (status_->ok()) *status_ = s;
  }

 private:
  Status* status_;
};

// Adds a batch (a write group's, or one replayed from the WAL) to a
// memtable: all its entries at once (MemTable::Stage, AddStaged), or with
// Add when it holds one.
class MemTableInserter : public WriteBatch::Handler {
 public:
  MemTableInserter(SequenceNumber first, MemTable* mem, bool staged)
      : seq_(first), mem_(mem), staged_(staged) {}
  void Put(std::string_view key, std::string_view value,
           uint64_t expire_at_ms) override {
    Add(expire_at_ms ? kTypeValueWithExpiry : kTypeValue, key, value,
        expire_at_ms);
  }
  void Delete(std::string_view key) override { Add(kTypeDeletion, key, {}, 0); }

 private:
  void Add(ValueType type, std::string_view key, std::string_view value,
           uint64_t expire_at_ms) {
    if (staged_) {
      mem_->Stage(seq_++, type, key, value, expire_at_ms);
    } else {
      mem_->Add(seq_++, type, key, value, expire_at_ms);
    }
  }

  SequenceNumber seq_;
  MemTable* mem_;
  const bool staged_;
};

}  // namespace

Status InsertBatchIntoMemTable(const WriteBatch& batch, MemTable* mem) {
  const bool staged = WriteBatchInternal::Count(&batch) > 1;
  MemTableInserter inserter(WriteBatchInternal::Sequence(&batch), mem, staged);
  Status s = batch.Iterate(&inserter);
  // Even after a failed Iterate (a damaged batch): what was staged goes in,
  // as Add would have added it, and nothing stays staged for the next one.
  if (staged) mem->AddStaged();
  return s;
}

Status DBImpl::RecoverLogFiles(std::vector<uint64_t> logs,
                               SequenceNumber* max_seq) {
  std::sort(logs.begin(), logs.end());
  std::vector<VersionEdit> edits;
  std::shared_ptr<MemTable> mem;
  WalReplay replay;
  for (uint64_t number : logs) {
    versions_->MarkFileNumberUsed(number);
    Status s = RecoverLogFile(number, max_seq, &mem, &edits, &replay);
    if (!s.ok()) return s;
  }
  // What the logs held goes to a table now, so every old WAL becomes
  // obsolete in the same MANIFEST group that starts the new one.
  if (mem != nullptr && !mem->empty()) {
    edits.emplace_back();
    // Level 0 only: the tables recovered here go into one edit group, so the
    // current Version cannot tell whether they overlap each other.
    Status s = WriteLevel0Table(mem.get(), &edits.back(), /*recovering=*/true);
    if (!s.ok()) return s;
  }
  versions_->SetLastSequence(*max_seq);
  logged_sequence_ = *max_seq;

  uint64_t new_log = versions_->NewFileNumber();
  bool stray = false;
  Status s =
      CreateWal(new_log, logged_sequence_ + 1, 0, &logfile_, &log_, &stray);
  if (!s.ok()) return s;
  logfile_number_ = new_log;
  first_own_wal_ = new_log;
  // The new WAL's directory entry must be durable before the MANIFEST says
  // older WALs are obsolete.
  s = env_->SyncDir(dbname_);
  if (!s.ok()) return s;
  logfile_dir_synced_ = true;

  edits.emplace_back();
  edits.back().SetLogNumber(new_log);
  const std::string filter_name = options_.compaction_filter != nullptr
                                      ? options_.compaction_filter->Name()
                                      : "";
  if (filter_name != versions_->compaction_filter_name()) {
    // Which filters have been at work shows in the MANIFEST's history.
    edits.back().SetCompactionFilterName(filter_name);
  }
  std::vector<VersionEdit*> group;
  for (auto& e : edits) group.push_back(&e);
  s = versions_->LogAndApply(group, &mu_);
  for (const auto& e : edits) {
    for (const auto& [level, f] : e.new_files()) {
      pending_outputs_.erase(f.number);
    }
    for (const auto& v : e.new_vlog_files()) pending_outputs_.erase(v.number);
  }
  if (!s.ok()) return s;

  mem_ = NewMemTable();
  mem_->set_log_number(new_log);
  return Status::OK();
}

Status DBImpl::RecoverLogFile(uint64_t number, SequenceNumber* max_seq,
                              std::shared_ptr<MemTable>* mem,
                              std::vector<VersionEdit>* edits,
                              WalReplay* replay) {
  std::string fname = LogFileName(dbname_, number);
  std::unique_ptr<SequentialFile> file;
  Status s = env_->NewSequentialFile(fname, &file);
  if (!s.ok()) return s;

  const bool skip_any =
      options_.wal_recovery_mode == WalRecoveryMode::kSkipAnyCorruptedRecords;
  Status read_status;
  LogReporter reporter(&read_status);
  log::Reader reader(file.get(), &reporter, fname, options_.wal_recovery_mode,
                     number);
  std::string scratch;
  std::string_view record;
  WriteBatch batch;
  bool first = true;
  bool dropped_writes = false;  // after a gap: a write this WAL held
  while (reader.ReadRecord(&record, &scratch)) {
    s = WriteBatchInternal::SetContents(&batch, record);
    if (!s.ok()) {
      s = Status::Corruption(fname, s.message());
      if (skip_any) continue;
      return s;
    }
    const SequenceNumber seq = WriteBatchInternal::Sequence(&batch);
    const uint32_t count = WriteBatchInternal::Count(&batch);
    if (first && count == 0 && !skip_any && !replay->stopped) {
      // The start marker: sequences below seq were written to older WALs.
      // If those did not all survive, this WAL's writes must not be applied
      // (they would come back without earlier ones), nor any later WAL's.
      // With nothing replayed yet but an empty WAL, what that WAL held is
      // unknown; it had writes (the oldest live WAL always does), so they
      // were lost.
      if (replay->last ? *replay->last + 1 < seq : replay->saw_empty) {
        replay->stopped = true;
      }
    }
    first = false;
    if (replay->stopped) {
      dropped_writes |= count > 0;
      continue;
    }
    if (count == 0) {
      // A start marker (only one WAL's first record is ever empty).
      if (seq > 0) replay->Cover(seq - 1);
      continue;
    }
    if (*mem == nullptr) *mem = NewMemTable();
    s = InsertBatchIntoMemTable(batch, mem->get());
    if (!s.ok()) {
      s = Status::Corruption(fname, s.message());
      if (skip_any) continue;
      return s;
    }
    SequenceNumber last = seq + count - 1;
    if (last > *max_seq) *max_seq = last;
    replay->Cover(last);
    if ((*mem)->ApproximateMemoryUsage() > options_.write_buffer_size) {
      edits->emplace_back();
      s = WriteLevel0Table(mem->get(), &edits->back(), /*recovering=*/true);
      if (!s.ok()) return s;
      mem->reset();
    }
  }
  if (first) replay->saw_empty = true;
  if (!reader.status().ok() && !replay->stopped) return reader.status();
  if (!read_status.ok() && !skip_any && !replay->stopped) return read_status;
  if (dropped_writes) {
    if (options_.wal_recovery_mode == WalRecoveryMode::kAbsoluteConsistency) {
      return Status::Corruption(
          fname,
          "holds writes after ones an older WAL lost (power loss of "
          "unsynced writes, which kAbsoluteConsistency refuses)");
    }
    stats_.Add(DBStats::kWalsDroppedAtRecovery);
  }
  return Status::OK();
}

}  // namespace shale
