// log::Reader reads back the records of a log file (a WAL or the MANIFEST)
// written by log::Writer, and tells a crash's torn tail from real damage.
//
// What a crash leaves at the end of a log: a partial last record, zeros
// (preallocated or never-written space) or garbage after the last intact
// record. That is a *torn tail*: it is dropped, counted in
// dropped_tail_bytes() and passed to Reporter::TailDropped, and is not an
// error. Damage followed by at least one intact record cannot come from a
// crash of an append-only writer: it is *middle corruption*, and
//   kTolerateCorruptedTail    stops: ReadRecord returns false and status()
//                             is a Corruption naming the file and offset;
//   kSkipAnyCorruptedRecords  reports the damaged span to
//                             Reporter::Corruption and reads on.
//
// kAbsoluteConsistency is for logs synced after every record (the MANIFEST):
// there a complete record with a bad checksum is bit rot, not a torn write,
// even at the very end. Its torn tail is only an *incomplete* one: the file
// ends inside a fragment header, inside a fragment's payload (the declared
// length runs past the end of the file) or between the fragments of a
// record, or everything from the damage to the end of the file is zero.
// Any other damage (a checksum mismatch, a bad type or length, a non-zero
// block trailer, a broken fragment chain, non-zero bytes after zeros) stops
// the reader at once, as middle corruption does under kTolerateCorruptedTail;
// nothing after it is examined. A fragment cut off by the end of the file is
// damage after all when the bytes present match its checksum, or when an
// intact record starts inside its claimed payload: then its length field,
// not the file, is what is wrong.
//
// After damage the other two modes resynchronize at the next block boundary,
// where the framing guarantees a header. Under kTolerateCorruptedTail the
// reader also scans the rest of the damaged block byte by byte for an intact
// fragment, so damage in the last block followed by records in that same
// block is still detected; it never returns what the scan finds, since the
// only outcome is an error. See docs/format/wal.md.
//
// A WAL's reader is given the WAL's number. Fragments of types 5-8 carry the
// low 32 bits of the number of the log that wrote them; an intact fragment
// with another number, or of the other framing than the log's first intact
// fragment, was left by an older log in a reused file: the log ends there.
// What lies before it is judged as if the file ended there (a damaged record
// just before it is a torn tail). Without a number (the MANIFEST) only types
// 1-4 are valid.
//
// Memory: one block buffer plus the record being assembled, which holds no
// more than the bytes read from the file.
//
// Thread safety: a Reader needs external synchronization.
#ifndef SHALE_DB_LOG_READER_H_
#define SHALE_DB_LOG_READER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "shale/options.h"
#include "shale/status.h"

namespace shale {

class SequentialFile;

namespace log {

class Reader {
 public:
  // Receives what the reader drops. Methods are called from ReadRecord.
  class Reporter {
   public:
    virtual ~Reporter() = default;

    // A damaged span of about `bytes` bytes lies before an intact record.
    // status is a Corruption naming the file, the offset and the cause.
    // Under kTolerateCorruptedTail and kAbsoluteConsistency this is called
    // once, just before ReadRecord returns false with the same status().
    // Under kAbsoluteConsistency the span runs from the start of the damaged
    // record to the end of the block where the damage was found, whether or
    // not an intact record follows.
    virtual void Corruption(size_t bytes, const Status& status) = 0;

    // The torn tail starting at `offset`, `bytes` long, was dropped. Not an
    // error; for statistics and logs.
    virtual void TailDropped(uint64_t offset, uint64_t bytes) {
      (void)offset;
      (void)bytes;
    }
  };

  // Reads *file from its start. reporter may be nullptr. file_name is used in
  // messages only. log_number: the WAL's file number, or nullopt for a log
  // in the legacy framing only (the MANIFEST). *file and *reporter must
  // outlive the Reader.
  Reader(SequentialFile* file, Reporter* reporter, std::string file_name,
         WalRecoveryMode mode,
         std::optional<uint64_t> log_number = std::nullopt);
  ~Reader();

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Reads the next record into *record and returns true, or returns false at
  // the end of the log (status() is OK) or on an error (status() says which).
  // *record stays valid until the next call or until *scratch changes; it may
  // point into *scratch or into the reader's buffer.
  bool ReadRecord(std::string_view* record, std::string* scratch);

  // OK, the IOError of a failed read, or the Corruption of damage in the
  // middle of the log (kTolerateCorruptedTail) or of any damage but an
  // incomplete or zero-filled tail (kAbsoluteConsistency). Once not OK,
  // ReadRecord returns false.
  Status status() const { return status_; }

  // File offset of the first byte of the last record returned (its first
  // fragment's header), and of the byte just past its last fragment. A Writer
  // continuing the log after the last good record starts at
  // LastRecordEnd() (the file must first be cut there). 0 before any record.
  uint64_t LastRecordOffset() const { return last_record_offset_; }
  uint64_t LastRecordEnd() const { return last_record_end_; }

  // Bytes of torn tail dropped (set once ReadRecord has reached the end).
  uint64_t dropped_tail_bytes() const { return dropped_tail_bytes_; }
  // Bytes of middle damage skipped (kSkipAnyCorruptedRecords).
  uint64_t skipped_bytes() const { return skipped_bytes_; }

 private:
  enum class Next {
    kFragment,   // an intact fragment: *type and *payload are set
    kDamage,     // unreadable bytes at *offset; the reader has resynced
                 // (not under kAbsoluteConsistency, where damage is fatal)
    kTruncated,  // kAbsoluteConsistency: the file ends inside the fragment
                 // at *offset, or holds only zeros from there on; the file
                 // has been read to its end
    kEof,
    kIOError,  // status_ is set
  };
  Next NextFragment(uint8_t* type, std::string_view* payload, uint64_t* offset,
                    const char** cause);
  bool ReadBlock();
  // kAbsoluteConsistency: sets *zero to whether every byte from the front of
  // buffer_ to the end of the file is zero. Reads to the end of the file when
  // they are. Returns false on a read error (status_ is set).
  bool RestIsZero(bool* zero);
  // After damage at the front of buffer_: moves buffer_ to where parsing
  // should resume.
  void Resync();
  bool FindIntactRecordStart(size_t* skip) const;
  // Whether the intact fragment at header (of type t) belongs to an older
  // log than this one.
  bool IsStale(const char* header, uint8_t t) const;
  // Whether type t is valid in this log.
  bool KnownType(uint8_t t) const;

  void NoteDamage(uint64_t offset, const char* cause);
  // Damage found at `at`, in the record starting at record_offset (or at `at`
  // itself). Under kAbsoluteConsistency sets status_ and returns false;
  // otherwise notes the damage and returns true.
  bool OnDamage(uint64_t record_offset, uint64_t at, const char* cause);
  // A record starting at offset is intact. Reports any pending damage;
  // returns false when that damage is fatal.
  bool AcceptRecordAt(uint64_t offset);
  void FinishAtEof();

  // Constant after construction.
  SequentialFile* const file_;
  Reporter* const reporter_;
  const std::string file_name_;
  const WalRecoveryMode mode_;
  const bool has_log_number_;
  const uint32_t log_number_;              // low 32 bits, when has_log_number_
  const std::unique_ptr<char[]> backing_;  // one block

  // The framing of the first intact fragment: 0 none yet, else its header
  // size (kHeaderSize or kRecyclableHeaderSize).
  size_t framing_ = 0;
  // Where an older log's fragments begin; the end of this log.
  uint64_t end_of_log_ = UINT64_MAX;

  // The unread part of the current block, and the file offset just past it.
  std::string_view buffer_;
  uint64_t buffer_end_offset_ = 0;
  bool eof_ = false;  // the last read was short
  bool done_ = false;

  // Pending damage: a span starting at damage_offset_ not yet classified as
  // a torn tail or middle corruption.
  bool in_damage_ = false;
  bool intact_after_damage_ = false;  // the damaged block holds a record start
  uint64_t damage_offset_ = 0;
  const char* damage_cause_ = "";

  Status status_;
  uint64_t last_record_offset_ = 0;
  uint64_t last_record_end_ = 0;
  uint64_t dropped_tail_bytes_ = 0;
  uint64_t skipped_bytes_ = 0;
};

}  // namespace log
}  // namespace shale

#endif  // SHALE_DB_LOG_READER_H_
