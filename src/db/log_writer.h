// log::Writer appends records to a log file (a WAL or the MANIFEST) in the
// framing of db/log_format.h.
//
// Thread safety: a Writer needs external synchronization (the DB's writer
// queue holds it for the WAL, the VersionSet's lock for the MANIFEST).
#ifndef SHALE_DB_LOG_WRITER_H_
#define SHALE_DB_LOG_WRITER_H_

#include <cstdint>
#include <string_view>

#include "shale/status.h"

namespace shale {

class WritableFile;

namespace log {

class Writer {
 public:
  // Appends to *dest, which must already hold exactly initial_offset bytes of
  // a log (0 for a new file); the block layout continues from there. *dest
  // must outlive the Writer and is not closed by it. Writes the legacy
  // fragment types (1-4): the MANIFEST's framing.
  explicit Writer(WritableFile* dest, uint64_t initial_offset = 0);
  // The same, writing fragment types 5-8 stamped with log_number's low 32
  // bits: the WALs' framing. A Reader given the same number reads another
  // log's fragments (left in a reused file) as the end of this one.
  Writer(WritableFile* dest, uint64_t initial_offset, uint64_t log_number);

  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Appends payload (any length, including empty) as one record, then
  // Flushes the file so the record survives a process crash. It survives
  // power loss only once the caller Syncs the file.
  //
  // After a failure the file may end in a partial record, which a Reader
  // treats as a torn tail; the Writer then refuses every further record and
  // returns the first error, since its block position may no longer match
  // the file.
  Status AddRecord(std::string_view payload);

  // Bytes of the log written so far, including initial_offset.
  uint64_t offset() const { return offset_; }

 private:
  Status EmitFragment(uint8_t type, const char* data, size_t n);

  WritableFile* const dest_;
  const bool recyclable_;
  const uint32_t log_number_;  // low 32 bits; written when recyclable_
  const size_t header_size_;
  uint64_t offset_;  // file offset of the next byte to write
  Status error_;     // sticky first failure
};

}  // namespace log
}  // namespace shale

#endif  // SHALE_DB_LOG_WRITER_H_
