#include "vlog/vlog_writer.h"

#include "util/checksum.h"
#include "util/coding.h"

namespace shale {

VlogWriter::VlogWriter(uint64_t file_number, std::unique_ptr<WritableFile> file)
    : file_number_(file_number), file_(std::move(file)) {
  std::string header = EncodeVlogHeader();
  status_ = file_->Append(header);
  offset_ = header.size();
}

Status VlogWriter::Add(std::string_view key, std::string_view value,
                       ValuePointer* pointer) {
  if (!status_.ok()) return status_;
  if (key.size() > kVlogMaxKeySize || value.size() > kVlogMaxValueSize) {
    return status_ = Status::InvalidArgument("value too large for a vlog");
  }
  header_buf_.assign(kVlogRecordHeaderSize, '\0');
  EncodeFixed32(header_buf_.data() + 4, static_cast<uint32_t>(key.size()));
  EncodeFixed32(header_buf_.data() + 8, static_cast<uint32_t>(value.size()));
  std::string_view lengths(header_buf_.data() + 4, 8);
  // Checksum of lengths | key | value, without concatenating them.
  std::string covered;
  covered.reserve(8 + key.size());
  covered.append(lengths);
  covered.append(key);
  uint32_t crc = Checksum2(covered, value);
  EncodeFixed32(header_buf_.data(), MaskChecksum(crc));
  status_ = file_->Append(header_buf_);
  if (status_.ok()) status_ = file_->Append(key);
  if (status_.ok()) status_ = file_->Append(value);
  if (!status_.ok()) return status_;
  pointer->file_number = file_number_;
  pointer->offset = offset_;
  pointer->value_size = static_cast<uint32_t>(value.size());
  uint64_t size = kVlogRecordHeaderSize + key.size() + value.size();
  offset_ += size;
  data_bytes_ += size;
  records_++;
  return Status::OK();
}

Status VlogWriter::Finish() {
  if (!status_.ok()) return status_;
  const std::string footer = EncodeVlogFooter({records_, data_bytes_});
  status_ = file_->Append(footer);
  if (status_.ok()) status_ = file_->Sync();
  if (status_.ok()) status_ = file_->Close();
  offset_ += footer.size();
  return status_;
}

void VlogWriter::Abandon() { file_->Close().PermitUncheckedError(); }

}  // namespace shale
