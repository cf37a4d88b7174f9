#include "db/checkpoint.h"

#include <memory>

#include "db/file_util.h"
#include "db/filename.h"
#include "db/log_writer.h"

namespace shale {

namespace {

// Writes a MANIFEST holding one record, synced.
Status WriteManifest(Env* env, const std::string& path,
                     const std::string& record) {
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(path, &file);
  if (!s.ok()) return s;
  {
    log::Writer writer(file.get());
    s = writer.AddRecord(record);
  }
  return FinishNewFile(env, path, std::move(file), s, /*sync=*/true);
}

Status FillCheckpoint(Env* env, const std::string& db, const std::string& dir,
                      const CheckpointFiles& files, CheckpointStats* stats) {
  bool link = true;  // until the Env says it cannot
  for (const std::string& name : files.immutable) {
    const std::string src = db + "/" + name;
    const std::string target = dir + "/" + name;
    if (link) {
      Status s = env->LinkFile(src, target);
      if (s.ok()) {
        stats->files_linked++;
        continue;
      }
      if (!s.IsNotSupported()) return s;
      link = false;
    }
    uint64_t copied;
    Status s = CopyFile(env, src, target, kWholeFile, &copied);
    if (!s.ok()) return s;
    stats->files_copied++;
    stats->bytes_copied += copied;
  }
  auto copy = [&](const std::string& name, uint64_t bytes) {
    uint64_t copied;
    Status s = CopyFile(env, db + "/" + name, dir + "/" + name, bytes, &copied);
    if (s.ok()) {
      stats->files_copied++;
      stats->bytes_copied += copied;
    }
    return s;
  };
  for (const std::string& name : files.closed_wals) {
    Status s = copy(name, kWholeFile);
    if (!s.ok()) return s;
  }
  if (!files.active_wal.empty()) {
    Status s = copy(files.active_wal, files.active_wal_bytes);
    if (!s.ok()) return s;
  }
  Status s = WriteManifest(env, DescriptorFileName(dir, files.manifest_number),
                           files.manifest_record);
  if (!s.ok()) return s;
  // Every name durable before CURRENT makes the directory a DB.
  s = env->SyncDir(dir);
  if (!s.ok()) return s;
  return SetCurrentFile(env, dir, files.manifest_number);
}

}  // namespace

Status WriteCheckpoint(Env* env, const std::string& db, const std::string& dir,
                       const CheckpointFiles& files, CheckpointStats* stats) {
  *stats = CheckpointStats();
  Status s = env->CreateDir(dir);
  if (!s.ok()) return s;
  s = FillCheckpoint(env, db, dir, files, stats);
  if (s.ok()) return s;
  // Everything in dir is ours: it did not exist before.
  std::vector<std::string> children;
  if (env->GetChildren(dir, &children).ok()) {
    for (const std::string& name : children) {
      env->RemoveFile(dir + "/" + name).PermitUncheckedError();
    }
  }
  env->RemoveDir(dir).PermitUncheckedError();
  return s;
}

}  // namespace shale
