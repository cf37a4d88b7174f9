#include "vlog/vlog_job.h"

#include "db/filename.h"
#include "util/kill_point.h"

namespace shale {

VlogJob::VlogJob(Options options) : options_(std::move(options)) {}

Status VlogJob::OpenOutput() {
  const uint64_t number = options_.new_file_number();
  std::unique_ptr<WritableFile> file;
  Status s = options_.env->NewWritableFile(
      VlogFileName(options_.dbname, number), &file);
  if (!s.ok()) return s;
  writer_ = std::make_unique<VlogWriter>(number, std::move(file));
  return Status::OK();
}

Status VlogJob::Separate(std::string_view user_key, std::string_view value,
                         ValuePointer* ptr) {
  if (writer_ == nullptr) {
    Status s = OpenOutput();
    if (!s.ok()) return s;
  }
  Status s = writer_->Add(user_key, value, ptr);
  if (*options_.added_kill_point != '\0') {
    SHALE_KILL_POINT(options_.added_kill_point);
  }
  return s;
}

Status VlogJob::Keep(std::string_view user_key, ValuePointer* ptr,
                     bool* moved) {
  *moved = false;
  if (options_.collect.count(ptr->file_number) == 0) return Status::OK();
  // The file is mostly garbage: move this live value to the job's vlog so
  // the old file can go once its last live value has moved.
  Status s = options_.reader->Read(*ptr, user_key, &moved_value_, &readahead_);
  if (!s.ok()) return s;
  if (writer_ == nullptr) {
    s = OpenOutput();
    if (!s.ok()) return s;
  }
  ValuePointer moved_ptr;
  s = writer_->Add(user_key, moved_value_, &moved_ptr);
  if (!s.ok()) return s;
  Drop(user_key, *ptr);
  *ptr = moved_ptr;
  *moved = true;
  values_moved_++;
  return Status::OK();
}

Status VlogJob::Read(std::string_view user_key, const ValuePointer& ptr,
                     std::string* value) {
  values_read_++;
  return options_.reader->Read(ptr, user_key, value, &readahead_);
}

Status VlogJob::Finish() {
  if (writer_ == nullptr) return Status::OK();
  return writer_->Finish();
}

void VlogJob::Abandon() {
  if (writer_ == nullptr) return;
  writer_->Abandon();
  options_.env
      ->RemoveFile(VlogFileName(options_.dbname, writer_->file_number()))
      .PermitUncheckedError();
}

}  // namespace shale
