// Writing a checkpoint directory: the file work of DB::CreateCheckpoint.
//
// DBImpl pins a consistent file set (db_impl_checkpoint.cc) and hands it
// here; WriteCheckpoint builds the new directory from it without any DB
// lock. The layout it leaves is an ordinary DB directory (docs/impl.md,
// "Checkpoints"):
//
//   dir/<n>.sst, dir/<n>.vlog   hard links to the source's (copies when the
//                               Env cannot link them, e.g. across file
//                               systems)
//   dir/<n>.log                 copies of the live WALs, the one being
//                               written cut where the checkpoint's last
//                               write ends (never linked: the source keeps
//                               appending to it, or rewrites it when it
//                               recycles WALs)
//   dir/MANIFEST-<m>            a new MANIFEST: one snapshot record
//   dir/CURRENT                 written last, so a directory without it is
//                               an unfinished checkpoint
#ifndef SHALE_DB_CHECKPOINT_H_
#define SHALE_DB_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "shale/env.h"
#include "shale/status.h"

namespace shale {

// What goes into a checkpoint; file names are relative to the source DB.
struct CheckpointFiles {
  // Tables and vlogs: immutable, linked or copied whole.
  std::vector<std::string> immutable;
  // WALs no longer written to: copied whole.
  std::vector<std::string> closed_wals;
  // The WAL being written, copied up to active_wal_bytes (empty: none).
  std::string active_wal;
  uint64_t active_wal_bytes = 0;
  // The new MANIFEST: its number and its one record (unframed).
  uint64_t manifest_number = 0;
  std::string manifest_record;
};

struct CheckpointStats {
  uint64_t files_linked = 0;
  uint64_t files_copied = 0;  // WALs included
  uint64_t bytes_copied = 0;
};

// Creates dir and fills it with files (see the top of this file), synced,
// CURRENT last. On failure removes what it created, dir included, and
// returns the first error. REQUIRES: dir does not exist; the source files
// stay in place until it returns.
Status WriteCheckpoint(Env* env, const std::string& db, const std::string& dir,
                       const CheckpointFiles& files, CheckpointStats* stats);

}  // namespace shale

#endif  // SHALE_DB_CHECKPOINT_H_
