// VlogReader: reads values from vlog files through value pointers, keeping
// a bounded set of vlog files open (an OpenFileCache).
//
// Every read verifies the record's checksum and that it belongs to the key
// asking for it, so a damaged file or a wrong pointer gives Corruption
// naming the file, never a wrong value.
//
// Thread safety: Read may be called concurrently. A VlogReadahead belongs
// to one iterator.
#ifndef SHALE_VLOG_VLOG_READER_H_
#define SHALE_VLOG_VLOG_READER_H_

#include <memory>
#include <string>

#include "shale/env.h"
#include "util/open_file_cache.h"
#include "vlog/vlog_format.h"

namespace shale {

// Read-ahead for scans: vlog records are written in key order, so during a
// scan the values of consecutive keys usually sit next to each other. Once
// reads turn out sequential (a record starts where the previous one ended),
// one larger read serves the next records, the window doubling from 16 KiB
// to 256 KiB (WiscKey's prefetch, as one sorted read). Random access reads
// just the record, so point-like seeks never pay for a big read.
struct VlogReadahead {
  static constexpr size_t kMinWindow = 16 * 1024;
  static constexpr size_t kMaxWindow = 256 * 1024;
  uint64_t buffer_file = 0;  // the file buffer holds bytes of
  uint64_t offset = 0;       // of buffer[0]
  std::string buffer;
  uint64_t last_file = 0;      // the file of the previous record read
  uint64_t next_expected = 0;  // where a sequential read would start
  size_t window = 0;           // 0 until reads are sequential
};

class VlogReader {
 public:
  VlogReader(std::string dbname, Env* env, size_t max_open_files);
  VlogReader(const VlogReader&) = delete;
  VlogReader& operator=(const VlogReader&) = delete;

  // Reads the value ptr names for key into *value. With readahead, serves
  // the record from (and refills) the iterator's buffer.
  Status Read(const ValuePointer& ptr, std::string_view key, std::string* value,
              VlogReadahead* readahead = nullptr);

  // Forgets an open file (it is being deleted).
  void Evict(uint64_t file_number);

 private:
  Status GetFile(uint64_t number, std::shared_ptr<RandomAccessFile>* file);
  Status ParseRecord(uint64_t number, std::string_view record,
                     const ValuePointer& ptr, std::string_view key,
                     std::string* value) const;

  const std::string dbname_;
  Env* const env_;
  OpenFileCache<RandomAccessFile> files_;
};

}  // namespace shale

#endif  // SHALE_VLOG_VLOG_READER_H_
