// VersionEdit: one change to the set of live table files and the DB's
// counters, as recorded in the MANIFEST. See docs/format/manifest.md.
//
// A MANIFEST is a log (db/log_format.h) whose every record is an edit group:
//
//   group  := kEditGroupBegin:fixed32 n:varint32 (len:varint32 edit[len]){n}
//             kEditGroupEnd:fixed32                          (n >= 1)
//   edit   := field*
//   field  := tag:varint32 value
//
//   tag                    value
//   1  comparator          name:lpstr
//   2  log number          varint64   (WALs numbered below it are obsolete)
//   3  next file number    varint64
//   4  last sequence       varint64
//   5  deleted file        level:varint32 number:varint64
//   6  new file            level:varint32 number:varint64 size:varint64
//                          smallest:lpstr largest:lpstr      (internal keys)
//                          smallest_seq:varint64 largest_seq:varint64
//   7  new vlog file       number:varint64 records:varint64
//                          data_bytes:varint64 garbage_bytes:varint64
//   8  vlog garbage        number:varint64 bytes:varint64 (added to the
//                          file's garbage; repeated fields add up)
//   9  deleted vlog file   number:varint64
//  74  table vlog refs     payload:lpstr := number:varint64 n:varint32
//                          (vlog:varint64 bytes:varint64){n}
//                          (10 | kTagSafeToIgnore: follows the new-file
//                          field of table `number` in the same edit; the
//                          record bytes that table's value pointers cover
//                          in each vlog. Readers that skip it lose only
//                          the GC picker's index, never data.)
//  75  compaction filter   payload:lpstr := the filter's Name(), empty for
//                          none (11 | kTagSafeToIgnore: written when a DB
//                          is opened with another filter than the last
//                          one recorded; information only)
//   tag & kTagSafeToIgnore payload:lpstr   (a field from a newer version
//                                           that older readers may skip)
//   any other tag          Corruption     (a newer version's field that
//                                           changes meaning: must not skip)
//
// lpstr := length:varint32 bytes[length]. Levels are < kNumLevels.
#ifndef SHALE_DB_VERSION_EDIT_H_
#define SHALE_DB_VERSION_EDIT_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/dbformat.h"
#include "shale/status.h"

namespace shale {

// Levels of the LSM tree: 0 (overlapping files, newest first) to 6.
constexpr int kNumLevels = 7;

// A table file as the MANIFEST records it.
struct FileMetaData {
  // Persisted.
  uint64_t number = 0;
  uint64_t file_size = 0;
  std::string smallest;  // internal keys, inclusive
  std::string largest;
  SequenceNumber smallest_seq = 0;
  SequenceNumber largest_seq = 0;
  // Per vlog file this table points into: the record bytes its pointers
  // cover there. Summed over all tables and added to a vlog's garbage,
  // this is exactly the vlog's data_bytes; the GC picker uses it to find
  // the tables holding a mostly-garbage vlog's live values.
  std::map<uint64_t, uint64_t> vlog_refs;

  // The table's bytes plus the vlog bytes it references: what it would
  // weigh without key-value separation.
  uint64_t LogicalSize() const {
    uint64_t size = file_size;
    for (const auto& [vlog, bytes] : vlog_refs) size += bytes;
    return size;
  }
};

// A value log file as the MANIFEST records it: its size in record bytes and
// how many of those are garbage (values no live entry points to any more).
struct VlogFileMeta {
  uint64_t number = 0;
  uint64_t records = 0;
  uint64_t data_bytes = 0;
  uint64_t garbage_bytes = 0;
};

class VersionEdit {
 public:
  // A field carrying this bit in its tag is followed by an lpstr payload and
  // may be skipped by a reader that does not know it.
  static constexpr uint32_t kTagSafeToIgnore = 1u << 6;

  using DeletedFileSet = std::set<std::pair<int, uint64_t>>;  // level, number
  using NewFileList = std::vector<std::pair<int, FileMetaData>>;

  void Clear();

  void SetComparatorName(std::string_view name);
  // The compaction filter the DB runs with ("" for none).
  void SetCompactionFilterName(std::string_view name);
  // WAL files numbered below num are no longer needed for recovery.
  void SetLogNumber(uint64_t num);
  void SetNextFileNumber(uint64_t num);
  void SetLastSequence(SequenceNumber seq);

  // Adds a table file at level. REQUIRES: 0 <= level < kNumLevels. Only the
  // persisted fields of file are encoded.
  void AddFile(int level, FileMetaData file);
  // Removes table file `number` from level. REQUIRES: 0 <= level < kNumLevels.
  void RemoveFile(int level, uint64_t number);

  // Value logs: a new file, garbage found in a file (bytes of records no
  // longer referenced), a file removed (all garbage).
  void AddVlogFile(const VlogFileMeta& f) { new_vlog_files_.push_back(f); }
  void AddVlogGarbage(uint64_t number, uint64_t bytes) {
    vlog_garbage_[number] += bytes;
  }
  void RemoveVlogFile(uint64_t number) { deleted_vlog_files_.insert(number); }
  const std::vector<VlogFileMeta>& new_vlog_files() const {
    return new_vlog_files_;
  }
  const std::map<uint64_t, uint64_t>& vlog_garbage() const {
    return vlog_garbage_;
  }
  const std::set<uint64_t>& deleted_vlog_files() const {
    return deleted_vlog_files_;
  }

  bool has_comparator_name() const { return has_comparator_name_; }
  bool has_compaction_filter_name() const {
    return has_compaction_filter_name_;
  }
  const std::string& compaction_filter_name() const {
    return compaction_filter_name_;
  }
  bool has_log_number() const { return has_log_number_; }
  bool has_next_file_number() const { return has_next_file_number_; }
  bool has_last_sequence() const { return has_last_sequence_; }
  const std::string& comparator_name() const { return comparator_name_; }
  uint64_t log_number() const { return log_number_; }
  uint64_t next_file_number() const { return next_file_number_; }
  SequenceNumber last_sequence() const { return last_sequence_; }
  const DeletedFileSet& deleted_files() const { return deleted_files_; }
  const NewFileList& new_files() const { return new_files_; }

  // Appends the encoding to *dst.
  void EncodeTo(std::string* dst) const;
  // Replaces this edit with the one encoded in src. Corruption if src is
  // truncated, has an unknown required tag, a level >= kNumLevels or a
  // malformed internal key; the edit is then unspecified.
  [[nodiscard]] Status DecodeFrom(std::string_view src);

  // A readable multi-line rendering, for `shale dump`.
  std::string DebugString() const;

 private:
  bool has_comparator_name_ = false;
  bool has_compaction_filter_name_ = false;
  bool has_log_number_ = false;
  bool has_next_file_number_ = false;
  bool has_last_sequence_ = false;
  std::string comparator_name_;
  std::string compaction_filter_name_;
  uint64_t log_number_ = 0;
  uint64_t next_file_number_ = 0;
  SequenceNumber last_sequence_ = 0;
  DeletedFileSet deleted_files_;
  NewFileList new_files_;
  std::vector<VlogFileMeta> new_vlog_files_;
  std::map<uint64_t, uint64_t> vlog_garbage_;
  std::set<uint64_t> deleted_vlog_files_;
};

// The first and last fixed32 of an edit group: the bytes "SEG{" and "}SEG".
constexpr uint32_t kEditGroupBegin = 0x7b474553u;
constexpr uint32_t kEditGroupEnd = 0x4745537du;

// Appends to *dst one MANIFEST record holding edits, which recovery applies
// all together or not at all. REQUIRES: !edits.empty().
void EncodeEditGroup(const std::vector<const VersionEdit*>& edits,
                     std::string* dst);

// Replaces *edits with the edits of a MANIFEST record. Corruption on a bad
// magic, a count of zero or one that does not match, a truncated or
// malformed edit, or bytes after the end magic.
[[nodiscard]] Status DecodeEditGroup(std::string_view record,
                                     std::vector<VersionEdit>* edits);

}  // namespace shale

#endif  // SHALE_DB_VERSION_EDIT_H_
