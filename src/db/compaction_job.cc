#include "db/compaction_job.h"

#include <algorithm>

#include "db/filename.h"
#include "util/kill_point.h"

namespace shale {

namespace {

VlogJob::Options WithNumbers(VlogJob::Options o,
                             std::function<uint64_t()> new_file_number,
                             bool is_flush) {
  o.new_file_number = std::move(new_file_number);
  o.added_kill_point = is_flush ? "vlog.flush.added" : "";
  return o;
}

}  // namespace

CompactionJob::CompactionJob(Options options)
    : options_(std::move(options)),
      written_kill_point_(options_.is_flush ? "flush.table.written"
                                            : "compaction.output.written"),
      vlog_(WithNumbers(
          options_.vlog, [this] { return NewFileNumber(); },
          options_.is_flush)) {}

CompactionJob::~CompactionJob() {
  if (builder_ != nullptr) builder_->Abandon();
}

uint64_t CompactionJob::NewFileNumber() {
  const uint64_t number = options_.new_file_number();
  file_numbers_.push_back(number);
  return number;
}

Status CompactionJob::OpenOutput(std::string_view first_key,
                                 SequenceNumber seq) {
  FileMetaData meta;
  meta.number = NewFileNumber();
  Status s = options_.env->NewWritableFile(
      TableFileName(options_.dbname, meta.number), &file_);
  if (!s.ok()) return s;
  meta.smallest.assign(first_key);
  meta.smallest_seq = meta.largest_seq = seq;
  outputs_.push_back(std::move(meta));
  builder_ =
      std::make_unique<TableBuilder>(options_.table_options, file_.get());
  return Status::OK();
}

Status CompactionJob::FinishOutput() {
  FileMetaData& meta = outputs_.back();
  Status s = builder_->Finish();
  SHALE_KILL_POINT(written_kill_point_);
  meta.file_size = builder_->FileSize();
  builder_.reset();
  if (s.ok()) s = file_->Sync();
  if (s.ok()) s = file_->Close();
  file_.reset();
  stats_.bytes_written += meta.file_size;
  return s;
}

Status CompactionJob::WriteOutputs(CompactionIterator* iter) {
  bool cut_pending = false;  // end the output at the next new user key
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    const std::string_view key = iter->key();
    const ParsedInternalKey& ikey = iter->ikey();
    if (options_.should_stop_before && options_.should_stop_before(key)) {
      cut_pending = true;
    }
    if (options_.partitioner != nullptr && builder_ != nullptr &&
        iter->first_of_user_key() &&
        options_.partitioner->ShouldPartition(
            ExtractUserKey(outputs_.back().largest), ikey.user_key)) {
      cut_pending = true;
    }
    // Outputs end only between user keys, so no user key ever spans two
    // files of a level.
    if (cut_pending && builder_ != nullptr && iter->first_of_user_key()) {
      Status s = FinishOutput();
      if (!s.ok()) return s;
      cut_pending = false;
    }
    if (builder_ == nullptr) {
      Status s = OpenOutput(key, ikey.sequence);
      if (!s.ok()) return s;
    }
    FileMetaData& meta = outputs_.back();
    builder_->Add(key, iter->value());
    meta.largest.assign(key);
    meta.smallest_seq = std::min(meta.smallest_seq, ikey.sequence);
    meta.largest_seq = std::max(meta.largest_seq, ikey.sequence);
    if (IsBlobIndex(ikey.type)) {
      const ValuePointer& ptr = iter->pointer();
      meta.vlog_refs[ptr.file_number] += ptr.RecordSize(ikey.user_key.size());
    }
    if (builder_->FileSize() >= options_.max_output_file_size) {
      cut_pending = true;
    }
  }
  Status s = iter->status();
  if (s.ok() && builder_ != nullptr) s = FinishOutput();
  return s;
}

Status CompactionJob::Run(InternalIterator* input) {
  CompactionIterator::Options rules = options_.rules;
  rules.vlog = &vlog_;
  CompactionIterator iter(input, std::move(rules));
  Status s = WriteOutputs(&iter);
  stats_.entries = iter.stats();
  // The vlog, then the directory entries of everything, must be durable
  // before the MANIFEST names them.
  if (s.ok()) {
    s = vlog_.Finish();
    if (options_.is_flush) {
      SHALE_KILL_POINT("vlog.flush.finished");
    } else if (vlog_.output() != nullptr) {
      SHALE_KILL_POINT("vlog.gc.finished");
    }
  }
  if (s.ok() && !file_numbers_.empty()) {
    s = options_.env->SyncDir(options_.dbname);
    if (options_.is_flush) SHALE_KILL_POINT("flush.table.synced");
  }
  for (size_t i = 0; s.ok() && options_.verify_output && i < outputs_.size();
       i++) {
    s = options_.verify_output(outputs_[i]);
  }
  if (vlog_.output() != nullptr) {
    stats_.vlog_bytes_written = vlog_.output()->file_size();
    stats_.bytes_written += stats_.vlog_bytes_written;
  }
  stats_.values_moved = vlog_.values_moved();
  if (!s.ok()) RemoveOutputs();
  return s;
}

void CompactionJob::RemoveOutputs() {
  if (builder_ != nullptr) builder_->Abandon();
  builder_.reset();
  if (file_ != nullptr) file_->Close().PermitUncheckedError();
  file_.reset();
  for (const FileMetaData& meta : outputs_) {
    options_.env->RemoveFile(TableFileName(options_.dbname, meta.number))
        .PermitUncheckedError();
  }
  outputs_.clear();
  vlog_.Abandon();
}

void CompactionJob::AddOutputsTo(int level, VersionEdit* edit) const {
  AddOutputsTo(std::vector<int>(outputs_.size(), level), edit);
}

void CompactionJob::AddOutputsTo(const std::vector<int>& levels,
                                 VersionEdit* edit) const {
  for (size_t i = 0; i < outputs_.size(); i++) {
    edit->AddFile(levels[i], outputs_[i]);
  }
  if (const VlogWriter* v = vlog_.output(); v != nullptr) {
    edit->AddVlogFile({v->file_number(), v->records(), v->data_bytes(), 0});
  }
  for (const auto& [number, bytes] : vlog_.garbage()) {
    edit->AddVlogGarbage(number, bytes);
  }
}

}  // namespace shale
