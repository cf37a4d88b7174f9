// Background flush: immutable memtables become level-0 tables.
#include <vector>

#include "db/compaction_job.h"
#include "db/db_impl.h"
#include "util/kill_point.h"

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
  Status s = WriteLevel0Table(mem.get(), &edit, /*recovering=*/false);
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
    stats_.Add(DBStats::kFlushes);
    DeleteObsoleteFiles();
  }
  flush_running_ = false;
  return s;
}

Status DBImpl::WriteLevel0Table(MemTable* mem, VersionEdit* edit,
                                bool recovering) {
  auto iter = mem->NewIterator();
  CompactionJob::Options o = NewJobOptions(0, /*is_flush=*/true);
  o.rules.separate_values = true;
  if (recovering) {
    // The tables of the memtables replayed before this one are not in the
    // current Version yet (recovery installs them all in one edit group), so
    // the Version cannot tell where a deletion still hides something. And
    // the filter is not asked: the application has no DB to consult yet.
    o.rules.filter = nullptr;
  } else {
    // No memtable older than this one is left, so only tables can hold older
    // versions of its keys.
    auto version = versions_->current();
    o.rules.is_base_level_for_key = [version](std::string_view user_key) {
      return version->IsBaseLevelForKey(0, user_key);
    };
    if (o.rules.filter != nullptr) {
      o.rules.filter_context.is_bottommost =
          IsBottommostFlush(*version, iter.get());
    }
  }
  CompactionJob job(std::move(o));
  mu_.Unlock();
  Status s = job.Run(iter.get());
  // (While recovering the filter is not asked: nothing to sync for.)
  if (s.ok()) s = SyncWalForFilter(job.stats());
  mu_.Lock();
  RecordJobStats(job.stats());
  if (!s.ok()) {
    for (uint64_t number : job.file_numbers()) pending_outputs_.erase(number);
    return s;
  }
  // The numbers stay in pending_outputs_ until the caller has installed the
  // edit (or given up): until then no Version lists the files, and another
  // thread's DeleteObsoleteFiles must not take them for garbage.
  if (job.outputs().empty()) return s;  // every entry was dropped
  // A flush writes one table, or several where the TablePartitioner cuts.
  // Their ranges are disjoint, so each goes to its own level: outputs of
  // an appended range move down while the hot keys beside it stay above.
  std::vector<int> levels(job.outputs().size(), 0);
  for (size_t i = 0; !recovering && i < levels.size(); i++) {
    const FileMetaData& meta = job.outputs()[i];
    levels[i] = picker_.PickLevelForFlush(
        *versions_->current(), ExtractUserKey(meta.smallest),
        ExtractUserKey(meta.largest), running_);
    if (levels[i] > 0) {
      // Until the edit is installed, keep compactions off this range of
      // the level (the caller releases the reservation).
      running_.Reserve(mem, levels[i], ExtractUserKey(meta.smallest),
                       ExtractUserKey(meta.largest));
      stats_.Add(DBStats::kFlushPushdowns);
    }
  }
  job.AddOutputsTo(levels, edit);
  stats_.Add(DBStats::kFlushBytesWritten, job.stats().bytes_written);
  return s;
}

bool DBImpl::IsBottommostFlush(const Version& v, InternalIterator* mem_iter) {
  mem_iter->SeekToFirst();
  if (!mem_iter->Valid()) return true;
  const std::string smallest(ExtractUserKey(mem_iter->key()));
  mem_iter->SeekToLast();
  const std::string largest(ExtractUserKey(mem_iter->key()));
  for (int level = 0; level < kNumLevels; level++) {
    if (v.OverlapInLevel(level, smallest, largest)) return false;
  }
  return true;
}

Status DBImpl::Flush() {
  Status s = WriteInternal(WriteOptions(), nullptr, WriteKind::kSwitchMemTable);
  if (!s.ok()) return s;
  MutexLock l(&mu_);
  // flush_running_ too: the flush thread pops the memtable before it removes
  // the files the flush made obsolete (without mu_, so another thread's
  // signal can wake this one in between), and a caller may look at the
  // directory as soon as Flush returns.
  while ((!imm_.empty() || flush_running_) && bg_error_.ok() &&
         !shutting_down_.load()) {
    bg_cv_.Wait();
  }
  return bg_error_;
}

int DBImpl::TEST_NumImmutableMemTables() {
  MutexLock l(&mu_);
  return static_cast<int>(imm_.size());
}

}  // namespace shale
