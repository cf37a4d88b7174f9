// VlogWriter: writes one vlog file (vlog_format.h) front to back.
//
// Thread safety: one thread at a time.
#ifndef SHALE_VLOG_VLOG_WRITER_H_
#define SHALE_VLOG_VLOG_WRITER_H_

#include <memory>
#include <string>
#include <string_view>

#include "shale/env.h"
#include "vlog/vlog_format.h"

namespace shale {

class VlogWriter {
 public:
  // Writes the header. The file is owned by the writer.
  VlogWriter(uint64_t file_number, std::unique_ptr<WritableFile> file);

  // Appends a record; *pointer names it. Errors are sticky.
  Status Add(std::string_view key, std::string_view value,
             ValuePointer* pointer);
  // Writes the footer, syncs and closes.
  Status Finish();
  // Closes without a footer (the file is about to be deleted).
  void Abandon();

  uint64_t file_number() const { return file_number_; }
  uint64_t records() const { return records_; }
  // Bytes of records (what garbage accounting counts), header and footer
  // excluded.
  uint64_t data_bytes() const { return data_bytes_; }
  uint64_t file_size() const { return offset_; }

 private:
  const uint64_t file_number_;
  std::unique_ptr<WritableFile> file_;
  uint64_t offset_ = 0;
  uint64_t records_ = 0;
  uint64_t data_bytes_ = 0;
  Status status_;
  std::string header_buf_;
};

}  // namespace shale

#endif  // SHALE_VLOG_VLOG_WRITER_H_
