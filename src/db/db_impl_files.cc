// File cleanup: which files of the DB directory no Version, job, reader or
// checkpoint needs any more (DeleteObsoleteFiles), and DestroyDB.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/db_impl.h"
#include "db/filename.h"

namespace shale {

void DBImpl::DeleteObsoleteFiles() {
  if (!bg_error_.ok()) return;  // the state on disk may be uncertain
  std::set<uint64_t> live = pending_outputs_;
  versions_->AddLiveFiles(&live);
  // WALs a running checkpoint copies stay, and are not recycled either:
  // reuse overwrites them.
  const uint64_t log_number =
      checkpoint_wals_.empty()
          ? versions_->LogNumber()
          : std::min(versions_->LogNumber(), *checkpoint_wals_.begin());
  const uint64_t manifest_number = versions_->ManifestFileNumber();

  // WALs a switch left open whose memtables are now in tables. They are
  // closed here, without mu_ and before their unlink below: the last of the
  // close and the unlink frees the WAL's page cache (milliseconds for a
  // 64 MiB WAL), which would otherwise land on the write leader's next
  // switch.
  std::vector<std::shared_ptr<WritableFile>> obsolete_wals;
  while (!unsynced_wals_.empty() &&
         unsynced_wals_.front().number < log_number) {
    obsolete_wals.push_back(std::move(unsynced_wals_.front().file));
    unsynced_wals_.pop_front();
  }

  std::vector<std::string> children;
  if (!env_->GetChildren(dbname_, &children).ok()) return;
  std::vector<std::pair<std::string, uint64_t>> doomed;  // name, table number
  for (const std::string& name : children) {
    uint64_t number;
    FileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    bool keep = true;
    switch (type) {
      case FileType::kLogFile:
        keep = number >= log_number || number == wal_being_reused_ ||
               std::find(recycled_wals_.begin(), recycled_wals_.end(),
                         number) != recycled_wals_.end();
        if (!keep && number >= first_own_wal_ &&
            recycled_wals_.size() < WalsToRecycle()) {
          recycled_wals_.push_back(number);  // for the next switch
          keep = true;
        }
        break;
      case FileType::kDescriptorFile:
        // Newer ones too: CURRENT may name one whose switch failed
        // ambiguously (VersionSet::LogAndApply).
        keep = number >= manifest_number;
        break;
      case FileType::kTableFile:
      case FileType::kVlogFile:
        keep = live.count(number) > 0;
        break;
      case FileType::kTempFile:
        keep = live.count(number) > 0;
        break;
      default:
        keep = true;
    }
    if (!keep) {
      doomed.emplace_back(
          name, (type == FileType::kTableFile || type == FileType::kVlogFile)
                    ? number
                    : 0);
    }
  }
  if (doomed.empty() && obsolete_wals.empty()) return;
  mu_.Unlock();
  obsolete_wals.clear();  // a running SyncWAL may still hold one
  for (const auto& [name, table_number] : doomed) {
    if (table_number != 0) {
      table_cache_->Evict(table_number);
      vlog_reader_->Evict(table_number);
    }
    env_->RemoveFile(dbname_ + "/" + name).PermitUncheckedError();
  }
  mu_.Lock();
}

Status DestroyDB(const std::string& dir, const Options& options) {
  Env* env = options.env != nullptr ? options.env : Env::Default();
  std::vector<std::string> children;
  if (!env->GetChildren(dir, &children).ok()) return Status::OK();
  std::unique_ptr<FileLock> lock;
  Status s = env->LockFile(LockFileName(dir), &lock);
  if (!s.ok()) return s;
  for (const std::string& name : children) {
    uint64_t number;
    FileType type;
    if (ParseFileName(name, &number, &type) && type != FileType::kLockFile) {
      Status del = env->RemoveFile(dir + "/" + name);
      if (s.ok() && !del.ok()) s = del;
    }
  }
  lock.reset();
  env->RemoveFile(LockFileName(dir)).PermitUncheckedError();
  env->RemoveDir(dir).PermitUncheckedError();  // fails if foreign files remain
  return s;
}

}  // namespace shale
