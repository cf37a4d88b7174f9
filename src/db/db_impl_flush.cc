// Background flush: immutable memtables become level-0 tables.
#include "db/db_impl.h"
#include "db/filename.h"
#include "table/table_builder.h"

namespace shale {

void DBImpl::BackgroundThread(JobRole role) {
  MutexLock l(&mu_);
  while (!shutting_down_.load()) {
    if (role != JobRole::kCompactionOnly && !imm_.empty() && !flush_running_ &&
        bg_error_.ok()) {
      Status s = FlushOldestImmutable();
      if (!s.ok() && !shutting_down_.load()) RecordBackgroundError(s);
      bg_cv_.SignalAll();
      continue;
    }
    if (role != JobRole::kFlushOnly && bg_error_.ok() && !compactions_paused_) {
      auto c = picker_.PickCompaction(versions_->current(), running_);
      if (c != nullptr) {
        RunCompaction(std::move(c), nullptr).PermitUncheckedError();
        continue;
      }
    }
    bg_cv_.Wait();
  }
}

Status DBImpl::FlushOldestImmutable() {
  flush_running_ = true;
  std::shared_ptr<MemTable> mem = imm_.front();
  VersionEdit edit;
  Status s = WriteLevel0Table(mem.get(), &edit, true);
  if (s.ok()) {
    // WALs older than the next memtable's are now obsolete.
    uint64_t next_log =
        imm_.size() > 1 ? imm_[1]->log_number() : mem_->log_number();
    edit.SetLogNumber(next_log);
    s = versions_->LogAndApply({&edit}, &mu_);
  }
  running_.RemoveReservation(mem.get());
  for (const auto& [level, f] : edit.new_files())
    pending_outputs_.erase(f.number);
  if (s.ok()) {
    imm_.pop_front();
    InstallReadView();
    stat_num_flushes_.fetch_add(1, std::memory_order_relaxed);
    DeleteObsoleteFiles();
  }
  flush_running_ = false;
  return s;
}

Status DBImpl::WriteLevel0Table(MemTable* mem, VersionEdit* edit,
                                bool push_down) {
  FileMetaData meta;
  meta.number = versions_->NewFileNumber();
  pending_outputs_.insert(meta.number);
  std::string fname = TableFileName(dbname_, meta.number);

  mu_.Unlock();
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(fname, &file);
  uint64_t entries = 0;
  if (s.ok()) {
    // Compressed as level 0 wants, wherever the table ends up.
    TableBuilder builder(TableOptionsFor(0), file.get());
    auto iter = mem->NewIterator();
    iter->SeekToFirst();
    if (iter->Valid()) {
      meta.smallest.assign(iter->key());
      meta.smallest_seq = meta.largest_seq = ExtractTag(iter->key()) >> 8;
    }
    for (; iter->Valid(); iter->Next()) {
      std::string_view key = iter->key();
      SequenceNumber seq = ExtractTag(key) >> 8;
      meta.smallest_seq = std::min(meta.smallest_seq, seq);
      meta.largest_seq = std::max(meta.largest_seq, seq);
      meta.largest.assign(key);
      builder.Add(key, iter->value());
      entries++;
    }
    if (entries == 0) {
      builder.Abandon();
    } else {
      s = builder.Finish();
      meta.file_size = builder.FileSize();
    }
    // The table's bytes, then its directory entry, must be durable before
    // the MANIFEST names it.
    if (s.ok()) s = file->Sync();
    if (s.ok()) s = file->Close();
    if (s.ok()) s = env_->SyncDir(dbname_);
  }
  if (s.ok() && entries > 0) {
    // Open it once: proves it readable and warms the table cache.
    std::shared_ptr<Table> table;
    s = table_cache_->FindTable(meta.number, meta.file_size, &table);
  }
  if (!s.ok() || entries == 0) {
    env_->RemoveFile(fname).PermitUncheckedError();
  }
  mu_.Lock();

  // The number stays in pending_outputs_ until the caller has installed the
  // edit (or given up): until then no Version lists the file, and another
  // thread's DeleteObsoleteFiles must not take it for garbage.
  if (!s.ok() || entries == 0) pending_outputs_.erase(meta.number);
  if (s.ok() && entries > 0) {
    int level = 0;
    if (push_down) {
      level = picker_.PickLevelForFlush(*versions_->current(),
                                        ExtractUserKey(meta.smallest),
                                        ExtractUserKey(meta.largest), running_);
      if (level > 0) {
        // Until the edit is installed, keep compactions off this range of
        // the level (the caller releases the reservation).
        running_.Reserve(mem, level, ExtractUserKey(meta.smallest),
                         ExtractUserKey(meta.largest));
        stat_flush_pushdowns_.fetch_add(1, std::memory_order_relaxed);
      }
    }
    edit->AddFile(level, meta);
    stat_flush_bytes_written_.fetch_add(meta.file_size,
                                        std::memory_order_relaxed);
  }
  return s;
}

Status DBImpl::Flush() {
  Status s = WriteInternal(WriteOptions(), nullptr, WriteKind::kSwitchMemTable);
  if (!s.ok()) return s;
  MutexLock l(&mu_);
  while (!imm_.empty() && bg_error_.ok() && !shutting_down_.load()) {
    bg_cv_.Wait();
  }
  return bg_error_;
}

int DBImpl::TEST_NumImmutableMemTables() {
  MutexLock l(&mu_);
  return static_cast<int>(imm_.size());
}

}  // namespace shale
