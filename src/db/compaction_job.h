// CompactionJob: one flush or one compaction, from an input iterator to
// table files, at most one vlog file and the VersionEdit that installs them.
//
// A flush reads one memtable; a compaction merges table files. Both run the
// same job: a CompactionIterator (compaction_iterator.h) decides what each
// input entry becomes, a VlogJob (vlog/vlog_job.h) does the value-log work,
// and the job writes what comes out into tables, cutting a new output
// between two user keys once one reaches max_output_file_size or the caller
// says so (should_stop_before: too much overlap with the level below; the
// application's TablePartitioner).
// Outputs are synced, then the vlog, then the directory: everything the
// edit names is durable before the caller logs it. On any error every file
// the job wrote is removed.
//
// The job takes no DB lock. File numbers come from the caller, which keeps
// each one safe from obsolete-file deletion until the edit is installed or
// given up (file_numbers() lists them all).
//
// Thread safety: one thread at a time.
#ifndef SHALE_DB_COMPACTION_JOB_H_
#define SHALE_DB_COMPACTION_JOB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db/compaction_iterator.h"
#include "db/version_edit.h"
#include "shale/env.h"
#include "shale/table_partitioner.h"
#include "table/table_builder.h"
#include "table/table_options.h"
#include "vlog/vlog_job.h"

namespace shale {

class CompactionJob {
 public:
  struct Options {
    Env* env = nullptr;
    std::string dbname;
    bool is_flush = false;  // kill points and nothing else
    // How the outputs are written (compression of the output level).
    TableOptions table_options;
    // Outputs end at about this size (between user keys).
    uint64_t max_output_file_size = UINT64_MAX;
    // True when the output should end before this internal key; called in
    // key order for each key written. Empty: never.
    std::function<bool(std::string_view internal_key)> should_stop_before;
    // Asked between every two user keys; true ends the output there.
    // nullptr: never.
    const TablePartitioner* partitioner = nullptr;
    // Numbers each table and vlog file the job creates.
    std::function<uint64_t()> new_file_number;
    // Called for each finished, synced output; an error fails the job (the
    // DB opens the table through its cache: proves it readable, warms it).
    // Empty: none.
    std::function<Status(const FileMetaData&)> verify_output;
    // The rules. Its vlog is the job's own.
    CompactionIterator::Options rules;
    // The value-log work. Its new_file_number is the job's.
    VlogJob::Options vlog;
  };

  struct Stats {
    CompactionIterator::Stats entries;
    uint64_t bytes_written = 0;       // tables and vlog
    uint64_t vlog_bytes_written = 0;  // of them, the vlog's
    uint64_t values_moved = 0;        // by GC, into the job's vlog
  };

  explicit CompactionJob(Options options);
  CompactionJob(const CompactionJob&) = delete;
  CompactionJob& operator=(const CompactionJob&) = delete;
  ~CompactionJob();

  // Reads input to its end and writes the outputs. On error nothing the
  // job wrote remains.
  Status Run(InternalIterator* input);

  // Records what Run wrote in *edit, the tables at `level`: new tables, the
  // new vlog, garbage counted in older vlogs. REQUIRES: Run returned OK.
  void AddOutputsTo(int level, VersionEdit* edit) const;
  // The same, outputs()[i] at levels[i]. REQUIRES: one level per output.
  void AddOutputsTo(const std::vector<int>& levels, VersionEdit* edit) const;

  // The tables written (none if every entry was dropped).
  const std::vector<FileMetaData>& outputs() const { return outputs_; }
  // Every file number the job took, written or not.
  const std::vector<uint64_t>& file_numbers() const { return file_numbers_; }
  const Stats& stats() const { return stats_; }

 private:
  uint64_t NewFileNumber();
  Status OpenOutput(std::string_view first_key, SequenceNumber seq);
  Status FinishOutput();
  Status WriteOutputs(CompactionIterator* iter);
  void RemoveOutputs();

  const Options options_;
  const char* const written_kill_point_;
  std::vector<uint64_t> file_numbers_;
  VlogJob vlog_;
  std::vector<FileMetaData> outputs_;
  std::unique_ptr<WritableFile> file_;     // the open output
  std::unique_ptr<TableBuilder> builder_;  // nullptr: none open
  Stats stats_;
};

}  // namespace shale

#endif  // SHALE_DB_COMPACTION_JOB_H_
