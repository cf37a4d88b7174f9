// Compaction: picking, running and installing merges of table files;
// CompactRange, WaitForCompactions, Resume and the statistics they feed.
#include <algorithm>

#include "db/compaction_job.h"
#include "db/db_impl.h"
#include "util/kill_point.h"

namespace shale {

bool DBImpl::BackgroundWorkPending() {
  return !imm_.empty() || flush_running_ || !running_.empty() ||
         (!compactions_paused_ &&
          picker_.NeedsCompaction(*versions_->current()));
}

Status DBImpl::RunCompaction(std::unique_ptr<Compaction> owned,
                             std::set<uint64_t>* outputs, bool force_vlog_gc) {
  Compaction* c = owned.get();
  const uint64_t start = env_->NowMicros();
  running_.Add(*c);
  VersionEdit edit;
  Status s;
  LevelStats& stats = level_stats_[c->output_level()];

  if (c->level() != c->output_level() &&
      c->IsTrivialMove(picker_.MaxGrandparentOverlapBytes())) {
    // Nothing below overlaps the file: move it by a MANIFEST edit alone.
    const FileMetaData& f = *c->inputs(0)[0];
    edit.RemoveFile(c->level(), f.number);
    edit.AddFile(c->output_level(), f);
    SHALE_KILL_POINT("compaction.move.before");
    s = versions_->LogAndApply({&edit}, &mu_);
    if (s.ok()) {
      // Not added to *outputs: the file was moved, not rewritten, so it
      // still holds whatever a rewrite would drop.
      stats.moved_files++;
      stats_.Add(DBStats::kTrivialMoves);
    }
  } else {
    CompactionJob::Options o = NewJobOptions(c->output_level(), false);
    o.max_output_file_size = c->max_output_file_size;
    const uint64_t max_overlap = picker_.MaxGrandparentOverlapBytes();
    o.should_stop_before = [c, max_overlap](std::string_view key) {
      return c->ShouldStopBefore(key, max_overlap);
    };
    o.rules.is_base_level_for_key = [c](std::string_view user_key) {
      return c->IsBaseLevelForKey(user_key);
    };
    o.rules.filter_context.is_bottommost = c->IsBottommost();
    // A vlog collection runs because earlier jobs left garbage; a filter
    // that changed values here would leave new garbage and schedule the
    // next collection, without end (compaction_filter.h).
    if (c->reason() == CompactionReason::kVlogGc) o.rules.filter = nullptr;
    for (const auto& [number, v] : c->input_version()->vlog_files()) {
      if (VlogDueForGc(v, options_.blob_gc_threshold) ||
          (force_vlog_gc && v.garbage_bytes > 0)) {
        o.vlog.collect.insert(number);
      }
    }
    CompactionJob job(std::move(o));
    mu_.Unlock();
    std::unique_ptr<InternalIterator> input = NewCompactionInputIterator(
        *c, &internal_comparator_, table_cache_.get());
    s = job.Run(input.get());
    input.reset();
    if (s.ok()) s = SyncWalForFilter(job.stats());
    mu_.Lock();
    RecordJobStats(job.stats());
    if (s.ok()) {
      c->AddInputDeletions(&edit);
      job.AddOutputsTo(c->output_level(), &edit);
      SHALE_KILL_POINT("compaction.install.before");
      s = versions_->LogAndApply({&edit}, &mu_);
      SHALE_KILL_POINT("compaction.install.after");
    }
    for (uint64_t number : job.file_numbers()) pending_outputs_.erase(number);
    if (s.ok() && outputs != nullptr) {
      for (const FileMetaData& f : job.outputs()) outputs->insert(f.number);
    }
    if (s.ok()) {
      const uint64_t read = c->InputBytes(0) + c->InputBytes(1);
      const uint64_t written = job.stats().bytes_written;
      stats.compactions++;
      stats.bytes_read += read;
      stats.bytes_written += written;
      stats.micros += env_->NowMicros() - start;
      stats_.Add(DBStats::kCompactions);
      stats_.Add(DBStats::kCompactionBytesRead, read);
      stats_.Add(DBStats::kCompactionBytesWritten, written);
      stats_.Add(DBStats::kVlogValuesMoved, job.stats().values_moved);
      if (c->reason() == CompactionReason::kVlogGc) {
        stats_.Add(DBStats::kVlogGcCompactions);
      }
      stats_.AddReasonBytes(c->reason(), written,
                            job.stats().vlog_bytes_written);
    }
  }
  running_.Remove(*c);
  // The compaction holds its input Version: drop it so the inputs can go.
  owned.reset();
  if (s.ok()) {
    InstallReadView();
    DeleteObsoleteFiles();
  } else if (!shutting_down_.load()) {
    RecordBackgroundError(s);
  }
  bg_cv_.SignalAll();
  return s;
}

CompactionJob::Options DBImpl::NewJobOptions(int output_level, bool is_flush) {
  CompactionJob::Options o;
  o.env = env_;
  o.dbname = dbname_;
  o.is_flush = is_flush;
  o.table_options = TableOptionsFor(output_level);
  o.new_file_number = [this] {
    MutexLock l(&mu_);
    const uint64_t number = versions_->NewFileNumber();
    pending_outputs_.insert(number);
    return number;
  };
  o.verify_output = [this](const FileMetaData& f) {
    // Opens it once: proves it readable and warms the table cache.
    std::shared_ptr<Table> table;
    return table_cache_->FindTable(f.number, f.file_size, &table);
  };
  CompactionIterator::Options& rules = o.rules;
  rules.user_comparator = internal_comparator_.user_comparator();
  for (const SnapshotImpl* snapshot : snapshots_) {
    rules.snapshots.push_back(snapshot->sequence());
  }
  rules.now_ms = NowMillis();
  rules.filter = options_.compaction_filter.get();
  o.partitioner = options_.table_partitioner.get();
  rules.filter_context = {output_level, is_flush, false,
                          last_job_id_.fetch_add(1) + 1};
  // A flush runs to its end, so that a clean close leaves no memtable to
  // replay; a compaction stops early when the DB closes.
  rules.stop = is_flush ? nullptr : &shutting_down_;
  o.vlog.env = env_;
  o.vlog.dbname = dbname_;
  o.vlog.separate = options_.enable_value_separation;
  o.vlog.min_blob_size = options_.min_blob_size;
  o.vlog.reader = vlog_reader_.get();
  return o;
}

Status DBImpl::SyncWalForFilter(const CompactionJob::Stats& stats) {
  if (stats.entries.filter_removed == 0 && stats.entries.filter_changed == 0) {
    return Status::OK();
  }
  Status s = SyncWalBesideWriters();
  return s.IsNotSupported() ? Status::OK() : s;
}

void DBImpl::RecordJobStats(const CompactionJob::Stats& stats) {
  const CompactionIterator::Stats& e = stats.entries;
  stats_.Add(DBStats::kEntriesDropped, e.dropped);
  stats_.Add(DBStats::kFilterRemoved, e.filter_removed);
  stats_.Add(DBStats::kFilterChanged, e.filter_changed);
  stats_.Add(DBStats::kFilterValuesRead, e.filter_values_read);
}

Status DBImpl::CompactRange(const CompactRangeOptions& options,
                            const std::string_view* begin,
                            const std::string_view* end) {
  Status s = Flush();
  if (!s.ok()) return s;
  MutexLock l(&mu_);
  manual_compactions_++;
  int last = 1;
  {
    auto v = versions_->current();
    for (int level = kNumLevels - 1; level >= 1; level--) {
      if (v->NumFiles(level) > 0) {
        last = level;
        break;
      }
    }
  }
  // Push everything in the range down, level by level, then rewrite the
  // last level's files this did not just write, so that what no reader can
  // see (deletions, expired entries, old versions) leaves the files.
  std::set<uint64_t> produced;
  // One range compaction of `level` over [lo, hi] (in place at the last
  // level), waiting while running compactions hold its files.
  auto compact = [&](int level, const std::string_view* lo,
                     const std::string_view* hi) REQUIRES(mu_) {
    while (true) {
      if (!bg_error_.ok()) return bg_error_;
      if (shutting_down_.load()) {
        return Status::IOError("CompactRange: the DB is closing");
      }
      bool busy = false;
      auto c = picker_.PickRangeCompaction(versions_->current(), level, lo, hi,
                                           level == last, running_, &busy);
      if (c == nullptr && busy) {
        bg_cv_.Wait();  // a running compaction holds some of the files
        continue;
      }
      if (c == nullptr) return Status::OK();
      return RunCompaction(std::move(c), &produced, options.force_vlog_gc);
    }
  };
  for (int level = 0; level < last && s.ok(); level++) {
    s = compact(level, begin, end);
  }
  if (s.ok()) {
    // The last level: rewrite, in place, the runs of files this call did not
    // just write. Each run is compacted on its own, so no output spans a
    // file that was skipped (outputs never overlap a file of their level).
    FileList files;
    picker_.GetOverlappingInputs(*versions_->current(), last, begin, end,
                                 &files);
    std::vector<std::pair<std::string, std::string>> runs;  // user keys
    bool in_run = false;
    for (const auto& f : files) {
      if (produced.count(f->number)) {
        in_run = false;
        continue;
      }
      if (!in_run) runs.emplace_back(ExtractUserKey(f->smallest), "");
      runs.back().second.assign(ExtractUserKey(f->largest));
      in_run = true;
    }
    for (const auto& [lo, hi] : runs) {
      if (!s.ok()) break;
      std::string_view lo_view = lo, hi_view = hi;
      s = compact(last, &lo_view, &hi_view);
    }
  }
  // Forced GC: the passes above turned dropped values into garbage; one more
  // pass over the last level moves the live values still sitting in files
  // with garbage, so those files can go.
  while (s.ok() && options.force_vlog_gc) {
    bool any_garbage = false;
    for (const auto& [number, meta] : versions_->current()->vlog_files()) {
      any_garbage |= meta.garbage_bytes > 0;
    }
    if (!any_garbage) break;
    bool busy = false;
    auto c = picker_.PickRangeCompaction(versions_->current(), last, begin, end,
                                         true, running_, &busy);
    if (c == nullptr && busy) {
      bg_cv_.Wait();
      continue;
    }
    if (c != nullptr) s = RunCompaction(std::move(c), nullptr, true);
    break;
  }
  manual_compactions_--;
  bg_cv_.SignalAll();
  return s;
}

Status DBImpl::WaitForCompactions() {
  MutexLock l(&mu_);
  while (bg_error_.ok() && !shutting_down_.load() && BackgroundWorkPending()) {
    bg_cv_.Wait();
  }
  return bg_error_;
}

std::set<uint64_t> DBImpl::TEST_CurrentTables() {
  MutexLock l(&mu_);
  std::set<uint64_t> numbers;
  auto v = versions_->current();
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v->files(level)) numbers.insert(f->number);
  }
  return numbers;
}

std::vector<DBImpl::TableRange> DBImpl::TEST_TableRanges() {
  MutexLock l(&mu_);
  std::vector<TableRange> ranges;
  auto v = versions_->current();
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v->files(level)) {
      ranges.push_back({level, std::string(ExtractUserKey(f->smallest)),
                        std::string(ExtractUserKey(f->largest))});
    }
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const TableRange& a, const TableRange& b) {
              return a.level != b.level ? a.level < b.level
                                        : a.smallest < b.smallest;
            });
  return ranges;
}

std::map<uint64_t, std::map<uint64_t, uint64_t>> DBImpl::TEST_TableVlogRefs() {
  MutexLock l(&mu_);
  std::map<uint64_t, std::map<uint64_t, uint64_t>> refs;
  auto v = versions_->current();
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v->files(level)) refs[f->number] = f->vlog_refs;
  }
  return refs;
}

bool DBImpl::TEST_NeedsVlogGc() {
  MutexLock l(&mu_);
  return picker_.NeedsVlogGc(*versions_->current());
}

std::map<uint64_t, VlogFileMeta> DBImpl::TEST_VlogFiles() {
  MutexLock l(&mu_);
  return versions_->current()->vlog_files();
}

void DBImpl::TEST_PauseCompactions(bool paused) {
  MutexLock l(&mu_);
  compactions_paused_ = paused;
  bg_cv_.SignalAll();
}

void DBImpl::TEST_PauseFlushes(bool paused) {
  MutexLock l(&mu_);
  flushes_paused_ = paused;
  bg_cv_.SignalAll();
}

}  // namespace shale
