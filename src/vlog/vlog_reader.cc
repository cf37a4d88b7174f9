#include "vlog/vlog_reader.h"

#include <algorithm>
#include <cstring>

#include "db/filename.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace shale {

VlogReader::VlogReader(std::string dbname, Env* env, size_t max_open_files)
    : dbname_(std::move(dbname)), env_(env), files_(max_open_files) {}

Status VlogReader::GetFile(uint64_t number,
                           std::shared_ptr<RandomAccessFile>* file) {
  return files_.Find(
      number,
      [&](std::unique_ptr<RandomAccessFile>* opened) {
        return env_->NewRandomAccessFile(VlogFileName(dbname_, number), opened);
      },
      file);
}

void VlogReader::Evict(uint64_t number) { files_.Evict(number); }

Status VlogReader::ParseRecord(uint64_t number, std::string_view record,
                               const ValuePointer& ptr, std::string_view key,
                               std::string* value) const {
  auto corrupt = [&](const char* why) {
    return Status::Corruption(
        VlogFileName(dbname_, number),
        std::string(why) + " at offset " + std::to_string(ptr.offset));
  };
  if (record.size() != ptr.RecordSize(key.size())) {
    return corrupt("vlog record cut short");
  }
  uint32_t stored = UnmaskChecksum(DecodeFixed32(record.data()));
  if (stored != Checksum(record.data() + 4, record.size() - 4)) {
    return corrupt("vlog record checksum mismatch");
  }
  if (DecodeFixed32(record.data() + 4) != key.size() ||
      DecodeFixed32(record.data() + 8) != ptr.value_size ||
      std::memcmp(record.data() + kVlogRecordHeaderSize, key.data(),
                  key.size()) != 0) {
    return corrupt("vlog record belongs to another key");
  }
  value->assign(record.data() + kVlogRecordHeaderSize + key.size(),
                ptr.value_size);
  return Status::OK();
}

Status VlogReader::Read(const ValuePointer& ptr, std::string_view key,
                        std::string* value, VlogReadahead* readahead) {
  std::shared_ptr<RandomAccessFile> file;
  Status s = GetFile(ptr.file_number, &file);
  if (!s.ok()) return s;
  const uint64_t size = ptr.RecordSize(key.size());
  if (readahead != nullptr) {
    VlogReadahead& ra = *readahead;
    const bool sequential =
        ra.last_file == ptr.file_number && ptr.offset == ra.next_expected;
    bool hit = ra.buffer_file == ptr.file_number && ptr.offset >= ra.offset &&
               ptr.offset + size <= ra.offset + ra.buffer.size();
    ra.window =
        sequential
            ? std::min(std::max(ra.window * 2, VlogReadahead::kMinWindow),
                       VlogReadahead::kMaxWindow)
            : 0;
    if (!hit && ra.window > size) {
      ra.buffer.resize(ra.window);
      ra.buffer_file = 0;  // the buffer no longer holds what it described
      std::string_view got;
      s = file->Read(ptr.offset, ra.window, &got, ra.buffer.data());
      if (!s.ok()) return s;
      if (!got.empty() && got.data() != ra.buffer.data()) {
        std::memmove(ra.buffer.data(), got.data(), got.size());
      }
      ra.buffer.resize(got.size());
      ra.buffer_file = ptr.file_number;
      ra.offset = ptr.offset;
      hit = ptr.offset + size <= ra.offset + ra.buffer.size();
    }
    ra.last_file = ptr.file_number;
    ra.next_expected = ptr.offset + size;
    if (hit) {
      std::string_view record(ra.buffer.data() + (ptr.offset - ra.offset),
                              size);
      return ParseRecord(ptr.file_number, record, ptr, key, value);
    }
  }
  // Read straight into the caller's string; ParseRecord then moves the
  // value to its front (assign copes with the overlap).
  value->resize(size);
  std::string_view record;
  s = file->Read(ptr.offset, size, &record, value->data());
  if (!s.ok()) return s;
  return ParseRecord(ptr.file_number, record, ptr, key, value);
}

}  // namespace shale
