// Compaction: picking, running and installing merges of table files;
// CompactRange, WaitForCompactions, Resume and the statistics they feed.
#include <algorithm>

#include "db/db_impl.h"
#include "db/filename.h"
#include "table/merging_iterator.h"
#include "table/table_builder.h"
#include "util/kill_point.h"
#include "vlog/vlog_writer.h"

namespace shale {

// Value-log work of one compaction: which vlog files to collect (their live
// values move to this compaction's own vlog), and the garbage it finds.
struct DBImpl::VlogGcState {
  std::set<uint64_t> collect;            // files whose values move
  std::map<uint64_t, uint64_t> garbage;  // file -> record bytes freed
  std::unique_ptr<VlogWriter> writer;    // created on the first move
  uint64_t writer_number = 0;
  VlogReadahead readahead;
  uint64_t moved_values = 0;
};

struct DBImpl::CompactionOutput {
  FileMetaData meta;
  std::unique_ptr<WritableFile> file;
  std::unique_ptr<TableBuilder> builder;
};

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
      stat_trivial_moves_.fetch_add(1, std::memory_order_relaxed);
    }
  } else {
    SequenceNumber smallest_snapshot = snapshots_.empty()
                                           ? versions_->LastSequence()
                                           : snapshots_.front()->sequence();
    std::vector<CompactionOutput> files;
    uint64_t written = 0;
    VlogGcState gc;
    for (const auto& [number, v] : c->input_version()->vlog_files()) {
      if (VlogDueForGc(v, options_.blob_gc_threshold) ||
          (force_vlog_gc && v.garbage_bytes > 0)) {
        gc.collect.insert(number);
      }
    }
    mu_.Unlock();
    s = DoCompactionWork(c, smallest_snapshot, &files, &written, &gc);
    if (s.ok() && gc.writer != nullptr) {
      s = gc.writer->Finish();
      SHALE_KILL_POINT("vlog.gc.finished");
      written += gc.writer->file_size();
    }
    if (s.ok() && (!files.empty() || gc.writer != nullptr)) {
      s = env_->SyncDir(dbname_);
    }
    if (!s.ok() && gc.writer != nullptr) {
      gc.writer->Abandon();
      env_->RemoveFile(VlogFileName(dbname_, gc.writer_number))
          .PermitUncheckedError();
    }
    mu_.Lock();
    if (s.ok()) {
      c->AddInputDeletions(&edit);
      for (const CompactionOutput& out : files) {
        edit.AddFile(c->output_level(), out.meta);
      }
      for (const auto& [number, bytes] : gc.garbage) {
        edit.AddVlogGarbage(number, bytes);
      }
      if (gc.writer != nullptr) {
        edit.AddVlogFile({gc.writer_number, gc.writer->records(),
                          gc.writer->data_bytes(), 0});
      }
      SHALE_KILL_POINT("compaction.install.before");
      s = versions_->LogAndApply({&edit}, &mu_);
      SHALE_KILL_POINT("compaction.install.after");
      stat_vlog_values_moved_.fetch_add(gc.moved_values,
                                        std::memory_order_relaxed);
    }
    if (gc.writer != nullptr) pending_outputs_.erase(gc.writer_number);
    for (const CompactionOutput& out : files) {
      pending_outputs_.erase(out.meta.number);
      if (s.ok() && outputs != nullptr) outputs->insert(out.meta.number);
    }
    if (s.ok()) {
      uint64_t read = c->InputBytes(0) + c->InputBytes(1);
      stats.compactions++;
      stats.bytes_read += read;
      stats.bytes_written += written;
      stats.micros += env_->NowMicros() - start;
      stat_num_compactions_.fetch_add(1, std::memory_order_relaxed);
      stat_compaction_bytes_read_.fetch_add(read, std::memory_order_relaxed);
      stat_compaction_bytes_written_.fetch_add(written,
                                               std::memory_order_relaxed);
      if (c->reason() == CompactionReason::kVlogGc) {
        stat_vlog_gc_compactions_.fetch_add(1, std::memory_order_relaxed);
      }
      const int reason = static_cast<int>(c->reason());
      stat_reason_bytes_written_[reason].fetch_add(written,
                                                   std::memory_order_relaxed);
      if (gc.writer != nullptr) {
        stat_reason_vlog_bytes_written_[reason].fetch_add(
            gc.writer->file_size(), std::memory_order_relaxed);
      }
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

Status DBImpl::OpenCompactionOutput(Compaction* c,
                                    std::vector<CompactionOutput>* outputs) {
  CompactionOutput out;
  {
    MutexLock l(&mu_);
    out.meta.number = versions_->NewFileNumber();
    pending_outputs_.insert(out.meta.number);
  }
  Status s =
      env_->NewWritableFile(TableFileName(dbname_, out.meta.number), &out.file);
  if (!s.ok()) {
    MutexLock l(&mu_);
    pending_outputs_.erase(out.meta.number);
    return s;
  }
  out.builder = std::make_unique<TableBuilder>(
      TableOptionsFor(c->output_level()), out.file.get());
  outputs->push_back(std::move(out));
  return Status::OK();
}

Status DBImpl::CountVlogGarbage(const ParsedInternalKey& ikey,
                                std::string_view stored, VlogGcState* gc) {
  std::string_view pointer = stored;
  if (HasExpiry(ikey.type)) pointer.remove_prefix(8);  // length checked
  ValuePointer ptr;
  if (!ptr.DecodeFrom(pointer)) {
    return Status::Corruption("bad value pointer in compaction input");
  }
  gc->garbage[ptr.file_number] += ptr.RecordSize(ikey.user_key.size());
  return Status::OK();
}

Status DBImpl::MaybeMoveBlob(const ParsedInternalKey& ikey,
                             std::string_view stored, VlogGcState* gc,
                             std::string* moved, ValuePointer* kept) {
  moved->clear();
  std::string_view pointer = stored;
  std::string_view expiry;
  if (HasExpiry(ikey.type)) {
    if (stored.size() < 8)
      return Status::Corruption("expiring value too short");
    expiry = stored.substr(0, 8);
    pointer.remove_prefix(8);
  }
  ValuePointer ptr;
  if (!ptr.DecodeFrom(pointer)) {
    return Status::Corruption("bad value pointer in compaction input");
  }
  *kept = ptr;
  if (gc->collect.count(ptr.file_number) == 0) return Status::OK();
  // The file is mostly garbage: move this live value to our own vlog so the
  // old file can go once its last live value has moved.
  std::string value;
  Status s = vlog_reader_->Read(ptr, ikey.user_key, &value, &gc->readahead);
  if (!s.ok()) return s;
  if (gc->writer == nullptr) {
    {
      MutexLock l(&mu_);
      gc->writer_number = versions_->NewFileNumber();
      pending_outputs_.insert(gc->writer_number);
    }
    std::unique_ptr<WritableFile> file;
    s = env_->NewWritableFile(VlogFileName(dbname_, gc->writer_number), &file);
    if (!s.ok()) {
      MutexLock l(&mu_);
      pending_outputs_.erase(gc->writer_number);
      return s;
    }
    gc->writer =
        std::make_unique<VlogWriter>(gc->writer_number, std::move(file));
  }
  ValuePointer moved_ptr;
  s = gc->writer->Add(ikey.user_key, value, &moved_ptr);
  if (!s.ok()) return s;
  gc->garbage[ptr.file_number] += ptr.RecordSize(ikey.user_key.size());
  gc->moved_values++;
  moved->append(expiry);
  moved_ptr.EncodeTo(moved);
  *kept = moved_ptr;
  return Status::OK();
}

Status DBImpl::DoCompactionWork(Compaction* c, SequenceNumber smallest_snapshot,
                                std::vector<CompactionOutput>* outputs,
                                uint64_t* bytes_written, VlogGcState* gc) {
  const uint64_t now_ms = env_->NowUnixMillis();
  // CompactionPicker::MaxGrandparentOverlapBytes(), without touching picker_
  // (guarded by mu_, not held here; clang's -Wthread-safety rejects it).
  const uint64_t max_overlap = 10 * options_.target_file_size;
  const Comparator* ucmp = internal_comparator_.user_comparator();

  ReadOptions ro;
  ro.fill_cache = false;
  ro.verify_checksums = true;
  std::vector<std::unique_ptr<InternalIterator>> children;
  for (int which = 0; which < 2; which++) {
    const int level = which == 0 ? c->level() : c->output_level();
    const FileList& files = c->inputs(which);
    if (files.empty()) continue;
    if (level == 0) {
      for (const auto& f : files) {
        children.push_back(
            table_cache_->NewIterator(ro, f->number, f->file_size));
      }
    } else {
      children.push_back(NewFileListIterator(&internal_comparator_,
                                             table_cache_.get(), ro, &files));
    }
  }
  auto input = NewMergingIterator(&internal_comparator_, std::move(children));

  Status s;
  std::string current_user_key;
  bool has_current_user_key = false;
  SequenceNumber last_sequence_for_key = kMaxSequenceNumber;
  bool cut_pending = false;  // end the output at the next new user key
  std::string converted;     // an expired entry rewritten as a deletion
  std::string moved_value;   // a value pointer into this compaction's vlog
  uint64_t dropped = 0;
  auto finish = [&](CompactionOutput& out) -> Status {
    Status fs = out.builder->Finish();
    SHALE_KILL_POINT("compaction.output.written");
    out.meta.file_size = out.builder->FileSize();
    if (fs.ok()) fs = out.file->Sync();
    if (fs.ok()) fs = out.file->Close();
    out.builder.reset();
    out.file.reset();
    *bytes_written += out.meta.file_size;
    return fs;
  };

  for (input->SeekToFirst(); input->Valid(); input->Next()) {
    if (shutting_down_.load(std::memory_order_relaxed)) {
      s = Status::IOError("compaction stopped: the DB is closing");
      break;
    }
    std::string_view key = input->key();
    ParsedInternalKey ikey;
    if (!ParseInternalKey(key, &ikey)) {
      s = Status::Corruption("corrupted internal key in compaction input");
      break;
    }
    bool new_user_key = !has_current_user_key ||
                        ucmp->Compare(ikey.user_key, current_user_key) != 0;
    if (c->ShouldStopBefore(key, max_overlap)) cut_pending = true;
    if (new_user_key) {
      current_user_key.assign(ikey.user_key);
      has_current_user_key = true;
      last_sequence_for_key = kMaxSequenceNumber;
      // Outputs end only between user keys, so no user key ever spans two
      // files of a level.
      if (cut_pending && !outputs->empty() &&
          outputs->back().builder != nullptr) {
        s = finish(outputs->back());
        if (!s.ok()) break;
        cut_pending = false;
      }
    }

    bool drop = false;
    bool tombstoned = false;  // an expired entry rewritten as a deletion
    std::string_view out_key = key;
    std::string_view out_value = input->value();
    if (last_sequence_for_key <= smallest_snapshot) {
      // A newer version of this key is visible to every reader.
      drop = true;
    } else if (ikey.sequence <= smallest_snapshot) {
      bool hides_nothing_below = false;
      bool is_tombstone = ikey.type == kTypeDeletion;
      if (HasExpiry(ikey.type)) {
        uint64_t expire_ms;
        std::string_view user_value;
        if (!SplitExpiringValue(out_value, &expire_ms, &user_value)) {
          s = Status::Corruption("expiring value too short in compaction");
          break;
        }
        is_tombstone = IsExpired(expire_ms, now_ms);
        if (is_tombstone) {
          // Expired: no reader sees it; it still hides older versions
          // below, so outside the base level it stays as a deletion.
          converted.clear();
          AppendInternalKey(&converted, ikey.user_key, ikey.sequence,
                            kTypeDeletion);
          out_key = converted;
          out_value = {};
          tombstoned = true;
        }
      }
      if (is_tombstone) {
        hides_nothing_below = c->IsBaseLevelForKey(ikey.user_key);
        drop = hides_nothing_below;
      }
    }
    last_sequence_for_key = ikey.sequence;
    if (IsBlobIndex(ikey.type) && (drop || tombstoned)) {
      // The entry (or its value, now under a tombstone) is gone: its vlog
      // record becomes garbage.
      s = CountVlogGarbage(ikey, input->value(), gc);
      if (!s.ok()) break;
    }
    if (drop) {
      dropped++;
      continue;
    }
    const bool keeps_pointer = IsBlobIndex(ikey.type) && !tombstoned;
    ValuePointer kept;
    if (keeps_pointer) {
      s = MaybeMoveBlob(ikey, out_value, gc, &moved_value, &kept);
      if (!s.ok()) break;
      if (!moved_value.empty()) out_value = moved_value;
    }

    if (outputs->empty() || outputs->back().builder == nullptr) {
      s = OpenCompactionOutput(c, outputs);
      if (!s.ok()) break;
      outputs->back().meta.smallest.assign(out_key);
      outputs->back().meta.smallest_seq = ikey.sequence;
      outputs->back().meta.largest_seq = ikey.sequence;
    }
    CompactionOutput& out = outputs->back();
    out.builder->Add(out_key, out_value);
    out.meta.largest.assign(out_key);
    out.meta.smallest_seq = std::min(out.meta.smallest_seq, ikey.sequence);
    out.meta.largest_seq = std::max(out.meta.largest_seq, ikey.sequence);
    if (keeps_pointer) {
      out.meta.vlog_refs[kept.file_number] +=
          kept.RecordSize(ikey.user_key.size());
    }
    if (out.builder->FileSize() >= c->max_output_file_size) cut_pending = true;
  }
  if (s.ok()) s = input->status();
  if (s.ok() && !outputs->empty() && outputs->back().builder != nullptr) {
    s = finish(outputs->back());
  }
  stat_entries_dropped_.fetch_add(dropped, std::memory_order_relaxed);

  if (!s.ok()) {
    // Discard every output: the inputs stay as they were.
    for (CompactionOutput& out : *outputs) {
      if (out.builder != nullptr) out.builder->Abandon();
      out.builder.reset();
      if (out.file != nullptr) out.file->Close().PermitUncheckedError();
      out.file.reset();
      env_->RemoveFile(TableFileName(dbname_, out.meta.number))
          .PermitUncheckedError();
    }
    MutexLock l(&mu_);
    for (const CompactionOutput& out : *outputs) {
      pending_outputs_.erase(out.meta.number);
    }
    outputs->clear();
  }
  return s;
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
