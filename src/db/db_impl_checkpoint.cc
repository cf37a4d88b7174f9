// Checkpoints: a consistent, openable copy of the running DB in another
// directory (DB::CreateCheckpoint). The file set is taken in the write
// queue, the files are linked and copied outside every lock
// (db/checkpoint.cc). docs/impl.md, "Checkpoints", walks through it.
#include <utility>

#include "db/checkpoint.h"
#include "db/db_impl.h"
#include "db/filename.h"

namespace shale {

Status DBImpl::PinForCheckpoint(CheckpointPin* pin) {
  if (!bg_error_.ok()) return bg_error_;
  // The leader's turn: no group is between its WAL append and its publish,
  // so the active WAL ends with the record of the last published sequence
  // and LastSequence is the checkpoint's point in the write order. The
  // Version and the log number change together under mu_ (LogAndApply), so
  // the WALs from the log number on hold exactly what the Version's tables
  // lack.
  pin->version = versions_->current();
  pin->log_number = versions_->LogNumber();
  pin->active_wal = logfile_number_;
  pin->active_wal_bytes = logfile_->Size();
  // The checkpoint's MANIFEST takes a number unused in the source, so it
  // names no file the checkpoint holds; the record's next file number lies
  // past it.
  pin->manifest_number = versions_->NewFileNumber();
  pin->manifest_record = versions_->SnapshotRecord();
  checkpoint_wals_.insert(pin->log_number);
  return Status::OK();
}

Status DBImpl::CreateCheckpoint(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("checkpoint: empty path");
  if (env_->FileExists(dir)) {
    return Status::InvalidArgument(dir,
                                   "exists (a checkpoint needs a new "
                                   "directory)");
  }
  CheckpointPin pin;
  Status s =
      WriteInternal(WriteOptions(), nullptr, WriteKind::kCheckpoint, &pin);
  if (!s.ok()) return s;
  if (checkpoint_hook_) checkpoint_hook_();

  CheckpointFiles files;
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : pin.version->files(level)) {
      files.immutable.push_back(TableFileName("", f->number).substr(1));
    }
  }
  for (const auto& [number, meta] : pin.version->vlog_files()) {
    files.immutable.push_back(VlogFileName("", number).substr(1));
  }
  // The closed WALs still needed: pinned, so the listing finds them all.
  std::vector<std::string> children;
  s = env_->GetChildren(dbname_, &children);
  if (s.ok()) {
    for (const std::string& name : children) {
      uint64_t number;
      FileType type;
      if (ParseFileName(name, &number, &type) && type == FileType::kLogFile &&
          number >= pin.log_number && number < pin.active_wal) {
        files.closed_wals.push_back(name);
      }
    }
    files.active_wal = LogFileName("", pin.active_wal).substr(1);
    files.active_wal_bytes = pin.active_wal_bytes;
    files.manifest_number = pin.manifest_number;
    files.manifest_record = std::move(pin.manifest_record);
    CheckpointStats stats;
    s = WriteCheckpoint(env_, dbname_, dir, files, &stats);
  }

  MutexLock l(&mu_);
  checkpoint_wals_.erase(checkpoint_wals_.find(pin.log_number));
  pin.version.reset();
  // What the source made obsolete meanwhile goes now.
  DeleteObsoleteFiles();
  return s;
}

}  // namespace shale
