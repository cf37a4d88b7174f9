// VlogJob: the value-log side of one flush or compaction job.
//
// A job (db/compaction_job.h) reads entries and writes some of them out; its
// compaction iterator asks the VlogJob to
// - separate a value: write it to the job's own vlog (created on the first
//   value) and give back the pointer the entry then holds. Flushes separate
//   every value of at least min_blob_size; compactions only the values a
//   compaction filter changed;
// - keep a pointer: if its vlog is being collected (GC), move the value to
//   the job's vlog and give back the new pointer;
// - drop a pointer: the record it names becomes garbage of its vlog (an
//   entry dropped, deleted, expired, removed or changed by the filter, or
//   moved);
// - read a value, for a compaction filter that wants it.
// The job then records the vlog it wrote (if any) and the garbage it counted
// in its VersionEdit. Garbage accounting is exact: every pointer a job reads
// is either kept (and its bytes referenced by the output table) or dropped
// (and counted), so a vlog's data bytes always equal the bytes live tables
// reference plus its garbage (docs/format/vlog.md).
//
// Thread safety: one thread (the job's) at a time.
#ifndef SHALE_VLOG_VLOG_JOB_H_
#define SHALE_VLOG_VLOG_JOB_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "shale/env.h"
#include "vlog/vlog_format.h"
#include "vlog/vlog_reader.h"
#include "vlog/vlog_writer.h"

namespace shale {

class VlogJob {
 public:
  struct Options {
    Env* env = nullptr;
    std::string dbname;
    // Values of at least min_blob_size bytes are separated; false: never.
    bool separate = false;
    size_t min_blob_size = 0;
    // Vlog files whose live values move to the job's vlog.
    std::set<uint64_t> collect;
    // Reads values to move, and values for a filter. May be null when
    // collect is empty and no value will be read.
    VlogReader* reader = nullptr;
    // Numbers the job's vlog file. Called at most once, when the first
    // value is written; the caller keeps the number safe from obsolete-file
    // deletion until the job's edit is installed or given up.
    std::function<uint64_t()> new_file_number;
    // The kill point reached after each separated value ("" for none).
    const char* added_kill_point = "";
  };

  explicit VlogJob(Options options);
  VlogJob(const VlogJob&) = delete;
  VlogJob& operator=(const VlogJob&) = delete;

  // True when a value of `size` bytes is to be separated.
  bool ShouldSeparate(size_t size) const {
    return options_.separate && size >= options_.min_blob_size;
  }
  // Writes value to the job's vlog; *ptr names its record.
  Status Separate(std::string_view user_key, std::string_view value,
                  ValuePointer* ptr);
  // For a pointer the output keeps: if its file is being collected, moves
  // the value to the job's vlog, counts the old record as garbage, updates
  // *ptr and sets *moved.
  Status Keep(std::string_view user_key, ValuePointer* ptr, bool* moved);
  // For a pointer the job drops: its record becomes garbage.
  void Drop(std::string_view user_key, const ValuePointer& ptr) {
    garbage_[ptr.file_number] += ptr.RecordSize(user_key.size());
  }
  // Reads the value ptr names (for a compaction filter).
  Status Read(std::string_view user_key, const ValuePointer& ptr,
              std::string* value);

  // Writes the vlog's footer and syncs it, if the job wrote one.
  Status Finish();
  // Closes and removes the job's vlog, if any (the job failed).
  void Abandon();

  // The vlog the job wrote: nullptr if none.
  const VlogWriter* output() const { return writer_.get(); }
  // Per vlog file: record bytes that became garbage.
  const std::map<uint64_t, uint64_t>& garbage() const { return garbage_; }
  uint64_t values_moved() const { return values_moved_; }
  uint64_t values_read() const { return values_read_; }

 private:
  Status OpenOutput();

  const Options options_;
  std::unique_ptr<VlogWriter> writer_;  // created on the first value
  std::map<uint64_t, uint64_t> garbage_;
  VlogReadahead readahead_;  // keys come in order: so do most records
  std::string moved_value_;  // scratch for Keep
  uint64_t values_moved_ = 0;
  uint64_t values_read_ = 0;
};

}  // namespace shale

#endif  // SHALE_VLOG_VLOG_JOB_H_
