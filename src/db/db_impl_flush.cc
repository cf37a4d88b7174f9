// Background flush: immutable memtables become level-0 tables.
#include "db/db_impl.h"
#include "db/filename.h"
#include "table/table_builder.h"
#include "util/kill_point.h"
#include "vlog/vlog_writer.h"

namespace shale {

void DBImpl::BackgroundThread(JobRole role) {
  MutexLock l(&mu_);
  while (!shutting_down_.load()) {
    if (role != JobRole::kCompactionOnly && !imm_.empty() && !flush_running_ &&
        bg_error_.ok() && !flushes_paused_) {
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
    SHALE_KILL_POINT("flush.installed");
  }
  running_.RemoveReservation(mem.get());
  for (const auto& [level, f] : edit.new_files()) {
    pending_outputs_.erase(f.number);
  }
  for (const auto& v : edit.new_vlog_files()) pending_outputs_.erase(v.number);
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
  // The vlog for this table's large values, created on the first one.
  const bool separate = options_.enable_value_separation;
  const uint64_t vlog_number = separate ? versions_->NewFileNumber() : 0;
  if (separate) pending_outputs_.insert(vlog_number);
  std::string fname = TableFileName(dbname_, meta.number);

  mu_.Unlock();
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<VlogWriter> vlog;
  Status s = env_->NewWritableFile(fname, &file);
  uint64_t entries = 0;
  if (s.ok()) {
    // Compressed as level 0 wants, wherever the table ends up.
    TableBuilder builder(TableOptionsFor(0), file.get());
    auto iter = mem->NewIterator();
    std::string blob_key, blob_value;
    for (iter->SeekToFirst(); iter->Valid() && s.ok(); iter->Next()) {
      std::string_view key = iter->key();
      std::string_view value = iter->value();
      ParsedInternalKey ikey;
      if (!ParseInternalKey(key, &ikey)) {
        s = Status::Corruption("corrupted internal key in memtable");
        break;
      }
      // Large values go to the vlog, in key order (the seed's sorted
      // values); the table keeps a pointer with the entry's expiry.
      if (separate &&
          (ikey.type == kTypeValue || ikey.type == kTypeValueWithExpiry)) {
        std::string_view user_value = value;
        if (ikey.type == kTypeValueWithExpiry) user_value.remove_prefix(8);
        if (user_value.size() >= options_.min_blob_size) {
          if (vlog == nullptr) {
            std::unique_ptr<WritableFile> vfile;
            s = env_->NewWritableFile(VlogFileName(dbname_, vlog_number),
                                      &vfile);
            if (!s.ok()) break;
            vlog = std::make_unique<VlogWriter>(vlog_number, std::move(vfile));
          }
          ValuePointer ptr;
          s = vlog->Add(ikey.user_key, user_value, &ptr);
          SHALE_KILL_POINT("vlog.flush.added");
          if (!s.ok()) break;
          bool expiring = ikey.type == kTypeValueWithExpiry;
          blob_key.clear();
          AppendInternalKey(
              &blob_key, ikey.user_key, ikey.sequence,
              expiring ? kTypeBlobIndexWithExpiry : kTypeBlobIndex);
          blob_value.clear();
          if (expiring) blob_value.append(value.substr(0, 8));
          ptr.EncodeTo(&blob_value);
          key = blob_key;
          value = blob_value;
        }
      }
      if (entries == 0) {
        meta.smallest.assign(key);
        meta.smallest_seq = meta.largest_seq = ikey.sequence;
      }
      meta.smallest_seq = std::min(meta.smallest_seq, ikey.sequence);
      meta.largest_seq = std::max(meta.largest_seq, ikey.sequence);
      meta.largest.assign(key);
      builder.Add(key, value);
      entries++;
    }
    if (!s.ok() || entries == 0) {
      builder.Abandon();
    } else {
      s = builder.Finish();
      SHALE_KILL_POINT("flush.table.written");
      meta.file_size = builder.FileSize();
    }
    // The vlog and the table, then their directory entries, must be durable
    // before the MANIFEST names them (in one edit).
    if (s.ok() && vlog != nullptr) s = vlog->Finish();
    SHALE_KILL_POINT("vlog.flush.finished");
    if (s.ok()) s = file->Sync();
    if (s.ok()) s = file->Close();
    if (s.ok()) s = env_->SyncDir(dbname_);
    SHALE_KILL_POINT("flush.table.synced");
  }
  if (s.ok() && entries > 0) {
    // Open it once: proves it readable and warms the table cache.
    std::shared_ptr<Table> table;
    s = table_cache_->FindTable(meta.number, meta.file_size, &table);
  }
  if (!s.ok() || entries == 0) {
    if (vlog != nullptr) {
      vlog->Abandon();
      env_->RemoveFile(VlogFileName(dbname_, vlog_number))
          .PermitUncheckedError();
    }
    env_->RemoveFile(fname).PermitUncheckedError();
  }
  mu_.Lock();

  // The numbers stay in pending_outputs_ until the caller has installed the
  // edit (or given up): until then no Version lists the files, and another
  // thread's DeleteObsoleteFiles must not take them for garbage.
  if (separate && (vlog == nullptr || !s.ok())) {
    pending_outputs_.erase(vlog_number);
  }
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
    // Every record of the vlog is this table's.
    if (vlog != nullptr) meta.vlog_refs[vlog_number] = vlog->data_bytes();
    edit->AddFile(level, meta);
    uint64_t written = meta.file_size;
    if (vlog != nullptr) {
      edit->AddVlogFile({vlog_number, vlog->records(), vlog->data_bytes(), 0});
      written += vlog->file_size();
    }
    stat_flush_bytes_written_.fetch_add(written, std::memory_order_relaxed);
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
