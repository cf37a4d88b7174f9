// Background flush: immutable memtables become level-0 tables.
#include "db/db_impl.h"
#include "db/filename.h"
#include "table/table_builder.h"

namespace shale {

void DBImpl::BackgroundThread() {
  MutexLock l(&mu_);
  while (true) {
    while (!shutting_down_ && (imm_.empty() || !bg_error_.ok())) {
      bg_cv_.Wait();
    }
    if (shutting_down_) break;
    Status s = FlushOldestImmutable();
    if (!s.ok()) RecordBackgroundError(s);
    bg_cv_.SignalAll();
  }
}

Status DBImpl::FlushOldestImmutable() {
  flush_running_ = true;
  std::shared_ptr<MemTable> mem = imm_.front();
  VersionEdit edit;
  Status s = WriteLevel0Table(mem.get(), &edit);
  if (s.ok()) {
    // WALs older than the next memtable's are now obsolete.
    uint64_t next_log =
        imm_.size() > 1 ? imm_[1]->log_number() : mem_->log_number();
    edit.SetLogNumber(next_log);
    s = versions_->LogAndApply({&edit}, &mu_);
  }
  if (s.ok()) {
    imm_.pop_front();
    InstallReadView();
    stat_num_flushes_.fetch_add(1, std::memory_order_relaxed);
    DeleteObsoleteFiles();
  }
  flush_running_ = false;
  return s;
}

Status DBImpl::WriteLevel0Table(MemTable* mem, VersionEdit* edit) {
  FileMetaData meta;
  meta.number = versions_->NewFileNumber();
  pending_outputs_.insert(meta.number);
  std::string fname = TableFileName(dbname_, meta.number);

  mu_.Unlock();
  std::unique_ptr<WritableFile> file;
  Status s = env_->NewWritableFile(fname, &file);
  uint64_t entries = 0;
  if (s.ok()) {
    TableBuilder builder(MakeTableOptions(options_, &internal_comparator_),
                         file.get());
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

  pending_outputs_.erase(meta.number);
  if (s.ok() && entries > 0) {
    edit->AddFile(0, meta);
    stat_flush_bytes_written_.fetch_add(meta.file_size,
                                        std::memory_order_relaxed);
  }
  return s;
}

Status DBImpl::Flush() {
  Status s = WriteInternal(WriteOptions(), nullptr, true, false);
  if (!s.ok()) return s;
  MutexLock l(&mu_);
  while (!imm_.empty() && bg_error_.ok() && !shutting_down_) bg_cv_.Wait();
  return bg_error_;
}

int DBImpl::TEST_NumImmutableMemTables() {
  MutexLock l(&mu_);
  return static_cast<int>(imm_.size());
}

}  // namespace shale
