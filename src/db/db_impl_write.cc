// The write path: writers queue, the front one leads a group, appends the
// group to the WAL once, syncs once if any member asked for it, applies it
// to the memtable and wakes the others.
#include <algorithm>
#include <chrono>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/write_batch_internal.h"
#include "util/kill_point.h"

namespace shale {

struct DBImpl::Writer {
  explicit Writer(Mutex* mu) : cv(mu) {}

  WriteBatch* batch = nullptr;   // kBatch only
  CheckpointPin* pin = nullptr;  // kCheckpoint only
  WriteKind kind = WriteKind::kBatch;
  bool sync = false;
  bool done = false;
  Status status;
  CondVar cv;
};

namespace {

// Put and Delete reuse one batch per thread, so a single-key write allocates
// nothing once the buffer has grown. A thread is inside at most one write at
// a time, so the batch is never shared; a large value's buffer is released
// afterwards rather than kept per thread.
class ThreadBatch {
 public:
  ThreadBatch() { batch_.Clear(); }
  ~ThreadBatch() {
    if (WriteBatchInternal::Contents(&batch_).size() > kKeepBytes) {
      batch_ = WriteBatch();
    }
  }
  WriteBatch* get() { return &batch_; }

 private:
  static constexpr size_t kKeepBytes = 1 << 20;
  static thread_local WriteBatch batch_;
};
thread_local WriteBatch ThreadBatch::batch_;

}  // namespace

Status DBImpl::Put(const WriteOptions& options, std::string_view key,
                   std::string_view value) {
  ThreadBatch batch;
  batch.get()->Put(key, value, options.expire_at_ms);
  return WriteInternal(options, batch.get(), WriteKind::kBatch);
}

Status DBImpl::Delete(const WriteOptions& options, std::string_view key) {
  ThreadBatch batch;
  batch.get()->Delete(key);
  return WriteInternal(options, batch.get(), WriteKind::kBatch);
}

Status DBImpl::Write(const WriteOptions& options, WriteBatch* batch) {
  if (batch == nullptr) return Status::InvalidArgument("Write: null batch");
  if (batch->Count() == 0) return Status::OK();
  return WriteInternal(options, batch, WriteKind::kBatch);
}

Status DBImpl::SyncWAL() {
  Status s = SyncWalBesideWriters();
  if (s.IsNotSupported()) {
    // The Env cannot sync beside an appending writer: take a turn in the
    // queue instead.
    WriteOptions options;
    options.sync = true;
    return WriteInternal(options, nullptr, WriteKind::kSyncOnly);
  }
  return s;
}

Status DBImpl::SyncWalBesideWriters() {
  // Every write acknowledged before this call has reached the OS in one of
  // these WALs (obsolete ones are in tables). They are synced beside the
  // writers, not in the write queue: a full WAL's fsync takes tens of
  // milliseconds, and writers would stall behind it.
  std::vector<ClosedWal> closed;
  std::shared_ptr<WritableFile> active;
  uint64_t active_number;
  bool sync_dir;
  {
    MutexLock l(&mu_);
    if (!bg_error_.ok()) return bg_error_;
    closed = ClosedWalsToSync();
    active = logfile_;
    active_number = logfile_number_;
    sync_dir = !logfile_dir_synced_;
  }
  Status s = SyncWals(closed, sync_dir, active.get(), /*beside_writer=*/true);
  if (s.IsNotSupported()) return s;
  MutexLock l(&mu_);
  if (!s.ok()) {
    // After a failed fsync the kernel may have dropped the dirty pages; a
    // later sync could succeed without them. Writes stop until Resume.
    RecordBackgroundError(s);
    return s;
  }
  ForgetSyncedWals(closed);
  if (sync_dir && logfile_number_ == active_number) logfile_dir_synced_ = true;
  return Status::OK();
}

Status DBImpl::Resume() {
  return WriteInternal(WriteOptions(), nullptr, WriteKind::kResume);
}

Status DBImpl::WriteInternal(const WriteOptions& options, WriteBatch* batch,
                             WriteKind kind, CheckpointPin* pin) {
  if (batch != nullptr) {
    stats_.Add(DBStats::kUserBytesWritten, WriteBatchInternal::ByteSize(batch));
    stats_.Add(DBStats::kWrites);
  }
  Writer w(&mu_);
  w.batch = batch;
  w.kind = kind;
  w.pin = pin;
  w.sync = options.sync || kind == WriteKind::kSyncOnly;

  MutexLock l(&mu_);
  writers_.push_back(&w);
  while (!w.done && &w != writers_.front()) w.cv.Wait();
  if (w.done) return w.status;

  // This writer leads: it alone touches the WAL until it hands over.
  Status s;
  Writer* last_writer = &w;
  if (kind == WriteKind::kResume) {
    s = ResumeAsLeader();
  } else if (kind == WriteKind::kCheckpoint) {
    s = PinForCheckpoint(w.pin);
  } else {
    s = MakeRoomForWrite(kind == WriteKind::kSwitchMemTable);
  }
  if (s.ok() && (kind == WriteKind::kBatch || kind == WriteKind::kSyncOnly)) {
    WriteBatch* group = BuildBatchGroup(&last_writer);
    bool sync = false;
    for (Writer* member : writers_) {
      sync |= member->sync;
      if (member == last_writer) break;
    }
    SequenceNumber last_sequence = versions_->LastSequence();
    MemTable* mem = mem_.get();
    uint32_t count = group == nullptr ? 0 : WriteBatchInternal::Count(group);
    // A sync vouches for every earlier write, so it covers the WALs earlier
    // switches left unsynced too.
    std::vector<ClosedWal> closed;
    if (sync) closed = ClosedWalsToSync();
    const bool sync_dir = sync && !logfile_dir_synced_;

    mu_.Unlock();
    if (group != nullptr && count > 0) {
      WriteBatchInternal::SetSequence(group, last_sequence + 1);
      std::string_view contents = WriteBatchInternal::Contents(group);
      SHALE_KILL_POINT("wal.append.before");
      s = log_->AddRecord(contents);
      stats_.Add(DBStats::kWalBytesWritten, contents.size());
    }
    SHALE_KILL_POINT("wal.append.after");
    if (s.ok() && sync) {
      s = SyncWals(closed, sync_dir, logfile_.get(), /*beside_writer=*/false);
    }
    SHALE_KILL_POINT("wal.sync.after");
    bool wal_failed = !s.ok();
    if (s.ok() && count > 0) s = InsertBatchIntoMemTable(*group, mem);
    mu_.Lock();

    if (wal_failed) {
      // The WAL may now end in a partial record; appending after it would
      // turn a torn tail into corruption in the middle. Stop writing until
      // Resume starts a new WAL. The group's sequence numbers are burned:
      // its record may have reached the old WAL whole (a failed sync), and
      // recovery must never see two writes with one sequence number.
      RecordBackgroundError(s);
      versions_->SetLastSequence(last_sequence + count);
    } else if (s.ok()) {
      versions_->SetLastSequence(last_sequence + count);
      logged_sequence_ = last_sequence + count;
      if (sync) {
        ForgetSyncedWals(closed);
        logfile_dir_synced_ = true;
      }
      stats_.Add(DBStats::kWriteGroups);
    }
    if (group == &group_batch_) group_batch_.Clear();
  }

  while (true) {
    Writer* ready = writers_.front();
    writers_.pop_front();
    if (ready != &w) {
      ready->status = s;
      ready->done = true;
      ready->cv.Signal();
    }
    if (ready == last_writer) break;
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();
  return s;
}

Status DBImpl::ResumeAsLeader() {
  if (bg_error_.ok()) return Status::OK();
  // Let running background work end first: it may still fail and set the
  // error again, which must not be lost.
  while (flush_running_ || !running_.empty()) bg_cv_.Wait();
  Status previous = bg_error_;
  bg_error_ = Status::OK();
  Status s = ReplaceWal();
  if (!s.ok()) {
    bg_error_ = s;
    return s;
  }
  // Retry the flushes that failed; the cause is gone only if they succeed.
  bg_cv_.SignalAll();
  while (!imm_.empty() && bg_error_.ok() && !shutting_down_.load()) {
    bg_cv_.Wait();
  }
  if (bg_error_.ok()) {
    // A failed MANIFEST write may have left its record in the old MANIFEST,
    // naming files the current Version does not: write a fresh MANIFEST
    // (LogAndApply starts one after a failure) before deleting anything.
    VersionEdit edit;
    Status ms = versions_->LogAndApply({&edit}, &mu_);
    if (!ms.ok()) {
      RecordBackgroundError(ms);
    } else {
      DeleteObsoleteFiles();
    }
  }
  return bg_error_;
}

// Combines the batches of the writers at the front of the queue into one.
// Sync-only writers ride along (the group syncs for them); a memtable switch
// request ends the group. Returns the leader's own batch when it is alone
// (no copy), group_batch_ otherwise, or nullptr when nobody brought data.
WriteBatch* DBImpl::BuildBatchGroup(Writer** last_writer) {
  Writer* first = writers_.front();
  WriteBatch* result = first->batch;
  size_t size =
      result == nullptr ? 0 : WriteBatchInternal::ByteSize(first->batch);
  // Small writes grow the group less, so a lone small write is not held up.
  size_t max_size = 1 << 20;
  if (size <= (128 << 10)) max_size = size + (128 << 10);

  *last_writer = first;
  auto it = writers_.begin();
  for (++it; it != writers_.end(); ++it) {
    Writer* w = *it;
    if (w->kind != WriteKind::kBatch && w->kind != WriteKind::kSyncOnly) break;
    if (w->batch != nullptr) {
      size += WriteBatchInternal::ByteSize(w->batch);
      if (size > max_size) break;
      if (result == nullptr) {
        result = w->batch;
      } else {
        if (result != &group_batch_) {
          group_batch_.Clear();
          WriteBatchInternal::Append(&group_batch_, result);
          result = &group_batch_;
        }
        WriteBatchInternal::Append(&group_batch_, w->batch);
      }
    }
    *last_writer = w;
  }
  return result;
}

Status DBImpl::MakeRoomForWrite(bool force) {
  bool allow_delay = !force;
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    const int l0_runs = versions_->Level0Runs();
    if (allow_delay && l0_runs >= options_.level0_slowdown_writes_trigger) {
      // Level 0 is close to the stop trigger: give compaction a
      // millisecond of head start on every write group rather than stop
      // writes for seconds later. Once per group.
      allow_delay = false;
      uint64_t start = env_->NowMicros();
      mu_.Unlock();
      env_->SleepForMicros(1000);
      mu_.Lock();
      stats_.Add(DBStats::kSlowdowns);
      stats_.Add(DBStats::kStallMicros, env_->NowMicros() - start);
      continue;
    }
    // An empty memtable is never switched, whatever its arena reserved.
    if (mem_->empty()) return Status::OK();
    if (!force && mem_->ApproximateMemoryUsage() < options_.write_buffer_size) {
      return Status::OK();
    }
    const bool memtables_full =
        static_cast<int>(imm_.size()) >= options_.max_write_buffer_number - 1;
    if (memtables_full || l0_runs >= options_.level0_stop_writes_trigger) {
      // Flushing or compaction lags: wait until it catches up.
      uint64_t start = env_->NowMicros();
      stats_.Add(DBStats::kStops);
      bg_cv_.Wait();
      stats_.Add(DBStats::kStallMicros, env_->NowMicros() - start);
      continue;
    }
    Status s = SwitchMemTable();
    if (!s.ok()) return s;
    force = false;
  }
}

Status DBImpl::SwitchMemTable() {
  // The old WAL is left unsynced: a later sync covers it (unsynced_wals_),
  // and recovery stops where a power loss cut it (the new WAL's start
  // marker tells). Syncing it here would stall every writer for the fsync
  // of a full WAL (docs/bench.md, 2026-11-22).
  uint64_t new_number = versions_->NewFileNumber();
  const SequenceNumber next = logged_sequence_ + 1;
  std::shared_ptr<WritableFile> new_file;
  std::unique_ptr<log::Writer> new_log;
  pending_outputs_.insert(new_number);
  uint64_t reuse = 0;
  if (!recycled_wals_.empty()) {
    reuse = recycled_wals_.front();
    recycled_wals_.pop_front();
    wal_being_reused_ = reuse;
  }
  bool stray = false;
  mu_.Unlock();
  Status s = CreateWal(new_number, next, reuse, &new_file, &new_log, &stray);
  SHALE_KILL_POINT("wal.switch.created");
  mu_.Lock();
  wal_being_reused_ = 0;
  pending_outputs_.erase(new_number);
  if (stray) stray_wals_.push_back(new_number);
  if (!s.ok()) {
    RecordBackgroundError(s);
    return s;
  }
  unsynced_wals_.push_back({logfile_number_, std::move(logfile_)});
  logfile_ = std::move(new_file);
  log_ = std::move(new_log);
  logfile_number_ = new_number;
  logfile_dir_synced_ = false;
  imm_.push_back(std::move(mem_));
  mem_ = NewMemTable();
  mem_->set_log_number(new_number);
  InstallReadView();
  bg_cv_.SignalAll();
  return Status::OK();
}

size_t DBImpl::WalsToRecycle() const {
  // Under kAbsoluteConsistency a torn write over an older WAL's bytes is
  // damage short of the file's end, which that mode refuses.
  if (options_.wal_recovery_mode == WalRecoveryMode::kAbsoluteConsistency) {
    return 0;
  }
  return options_.recycle_log_file_num;
}

Status DBImpl::CreateWal(uint64_t number, SequenceNumber next, uint64_t reuse,
                         std::shared_ptr<WritableFile>* file,
                         std::unique_ptr<log::Writer>* log, bool* stray) {
  *stray = false;
  const std::string fname = LogFileName(dbname_, number);
  std::unique_ptr<WritableFile> created;
  Status s;
  if (reuse != 0) {
    // The old WAL's records stay in the file past what this one writes; they
    // carry the old number, so the reader ends this WAL where they begin.
    const std::string old_name = LogFileName(dbname_, reuse);
    s = env_->ReuseWritableFile(old_name, fname, &created);
    if (s.ok()) {
      stats_.Add(DBStats::kWalsReused);
    } else {
      // Unsupported by the Env, or the rename or open failed: a new file
      // (truncating the renamed one, if the rename happened). The old one is
      // obsolete under either name.
      created.reset();
      if (env_->FileExists(old_name)) {
        env_->RemoveFile(old_name).PermitUncheckedError();
      }
    }
  }
  if (created == nullptr) {
    s = env_->NewWritableFile(fname, &created);
    if (!s.ok()) return s;
  }
  *file = std::move(created);
  *log = std::make_unique<log::Writer>(file->get(), 0, number);
  // The start marker: an empty batch (count 0) whose sequence is the first
  // this WAL may hold. Older code replays it as a no-op.
  WriteBatch marker;
  WriteBatchInternal::SetSequence(&marker, next);
  s = (*log)->AddRecord(WriteBatchInternal::Contents(&marker));
  if (s.ok()) return s;
  log->reset();
  file->reset();
  // Recovery would read a WAL without its marker as one that lost its
  // writes, and drop every newer WAL.
  if (env_->FileExists(fname) && !env_->RemoveFile(fname).ok()) *stray = true;
  return s;
}

Status DBImpl::ReplaceWal() {
  // Everything the old WALs hold is made durable before they are left
  // behind: up to its last complete record the active one is replayed at
  // recovery (a partial record at its end, from a failed append, is a torn
  // tail), and a sync of the new WAL vouches only for it.
  Status s = SyncWals(ClosedWalsToSync(), true, logfile_.get(),
                      /*beside_writer=*/false);
  if (!s.ok()) return s;
  unsynced_wals_.clear();  // synced: closing them loses nothing
  for (uint64_t number : stray_wals_) {
    const std::string fname = LogFileName(dbname_, number);
    if (env_->FileExists(fname)) {
      s = env_->RemoveFile(fname);
      if (!s.ok()) return s;
    }
  }
  stray_wals_.clear();
  uint64_t number = versions_->NewFileNumber();
  std::shared_ptr<WritableFile> file;
  std::unique_ptr<log::Writer> log;
  bool stray = false;
  s = CreateWal(number, logged_sequence_ + 1, 0, &file, &log, &stray);
  if (stray) stray_wals_.push_back(number);
  // Makes the new WAL's name durable, and the strays' removal.
  if (s.ok()) s = env_->SyncDir(dbname_);
  if (!s.ok()) return s;
  // Synced: dropping it loses nothing (a running SyncWAL may hold it; the
  // last owner closes it).
  logfile_ = std::move(file);
  log_ = std::move(log);
  logfile_number_ = number;
  logfile_dir_synced_ = true;
  return Status::OK();
}

Status DBImpl::SyncWals(const std::vector<ClosedWal>& closed, bool sync_dir,
                        WritableFile* active, bool beside_writer) {
  auto sync = [beside_writer](WritableFile* file) {
    return beside_writer ? file->SyncFlushed() : file->Sync();
  };
  for (const ClosedWal& c : closed) {
    Status s = sync(c.file.get());
    if (!s.ok()) return s;
  }
  if (sync_dir) {
    Status s = env_->SyncDir(dbname_);
    if (!s.ok()) return s;
  }
  return sync(active);
}

std::vector<DBImpl::ClosedWal> DBImpl::ClosedWalsToSync() const {
  std::vector<ClosedWal> wals;
  for (const ClosedWal& c : unsynced_wals_) {
    // Below the log number the memtable is in a table: no sync needed.
    if (c.number >= versions_->LogNumber()) wals.push_back(c);
  }
  return wals;
}

void DBImpl::ForgetSyncedWals(const std::vector<ClosedWal>& synced) {
  std::erase_if(unsynced_wals_, [&](const ClosedWal& c) {
    return std::any_of(synced.begin(), synced.end(), [&](const ClosedWal& d) {
      return d.number == c.number;
    });
  });
}

void DBImpl::RecordBackgroundError(const Status& s) {
  if (bg_error_.ok() && !s.ok()) {
    bg_error_ = s;
    stats_.Add(DBStats::kBackgroundErrors);
    bg_cv_.SignalAll();
  }
}

}  // namespace shale
