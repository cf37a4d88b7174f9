#include "db/version_edit.h"

#include <cassert>
#include <cstdio>

#include "util/coding.h"

namespace shale {

namespace {

// Tags of the fields; the grammar is in version_edit.h. Numbers are part of
// the format: never reuse one.
enum Tag : uint32_t {
  kComparator = 1,
  kLogNumber = 2,
  kNextFileNumber = 3,
  kLastSequence = 4,
  kDeletedFile = 5,
  kNewFile = 6,
  kNewVlogFile = 7,
  kVlogGarbage = 8,
  kDeletedVlogFile = 9,
  kTableVlogRefs = 10 | VersionEdit::kTagSafeToIgnore,
  kCompactionFilter = 11 | VersionEdit::kTagSafeToIgnore,
};

Status EditCorruption(std::string_view what) {
  return Status::Corruption("VersionEdit", what);
}

bool GetLevel(std::string_view* input, int* level) {
  uint32_t v;
  if (!GetVarint32(input, &v) || v >= static_cast<uint32_t>(kNumLevels)) {
    return false;
  }
  *level = static_cast<int>(v);
  return true;
}

bool GetInternalKey(std::string_view* input, std::string* key) {
  std::string_view k;
  ParsedInternalKey parsed;
  if (!GetLengthPrefixed(input, &k) || !ParseInternalKey(k, &parsed)) {
    return false;
  }
  key->assign(k.data(), k.size());
  return true;
}

// user_key @ sequence : type, with unprintable bytes escaped.
std::string InternalKeyToString(std::string_view key) {
  ParsedInternalKey parsed;
  if (!ParseInternalKey(key, &parsed)) return "(bad internal key)";
  std::string out = "'";
  for (unsigned char c : parsed.user_key) {
    if (c >= ' ' && c <= '~' && c != '\'' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out.append(buf);
    }
  }
  out += "' @ " + std::to_string(parsed.sequence) + " : " +
         std::to_string(static_cast<int>(parsed.type));
  return out;
}

}  // namespace

void VersionEdit::Clear() { *this = VersionEdit(); }

void VersionEdit::SetComparatorName(std::string_view name) {
  has_comparator_name_ = true;
  comparator_name_.assign(name.data(), name.size());
}

void VersionEdit::SetCompactionFilterName(std::string_view name) {
  has_compaction_filter_name_ = true;
  compaction_filter_name_.assign(name.data(), name.size());
}

void VersionEdit::SetLogNumber(uint64_t num) {
  has_log_number_ = true;
  log_number_ = num;
}

void VersionEdit::SetNextFileNumber(uint64_t num) {
  has_next_file_number_ = true;
  next_file_number_ = num;
}

void VersionEdit::SetLastSequence(SequenceNumber seq) {
  has_last_sequence_ = true;
  last_sequence_ = seq;
}

void VersionEdit::AddFile(int level, FileMetaData file) {
  assert(level >= 0 && level < kNumLevels);
  new_files_.emplace_back(level, std::move(file));
}

void VersionEdit::RemoveFile(int level, uint64_t number) {
  assert(level >= 0 && level < kNumLevels);
  deleted_files_.emplace(level, number);
}

void VersionEdit::EncodeTo(std::string* dst) const {
  if (has_comparator_name_) {
    PutVarint32(dst, kComparator);
    PutLengthPrefixed(dst, comparator_name_);
  }
  if (has_log_number_) {
    PutVarint32(dst, kLogNumber);
    PutVarint64(dst, log_number_);
  }
  if (has_next_file_number_) {
    PutVarint32(dst, kNextFileNumber);
    PutVarint64(dst, next_file_number_);
  }
  if (has_last_sequence_) {
    PutVarint32(dst, kLastSequence);
    PutVarint64(dst, last_sequence_);
  }
  for (const auto& [level, number] : deleted_files_) {
    PutVarint32(dst, kDeletedFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, number);
  }
  for (const auto& [level, f] : new_files_) {
    PutVarint32(dst, kNewFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, f.number);
    PutVarint64(dst, f.file_size);
    PutLengthPrefixed(dst, f.smallest);
    PutLengthPrefixed(dst, f.largest);
    PutVarint64(dst, f.smallest_seq);
    PutVarint64(dst, f.largest_seq);
    if (!f.vlog_refs.empty()) {
      std::string refs;
      PutVarint64(&refs, f.number);
      PutVarint32(&refs, static_cast<uint32_t>(f.vlog_refs.size()));
      for (const auto& [vlog, bytes] : f.vlog_refs) {
        PutVarint64(&refs, vlog);
        PutVarint64(&refs, bytes);
      }
      PutVarint32(dst, kTableVlogRefs);
      PutLengthPrefixed(dst, refs);
    }
  }
  for (const VlogFileMeta& v : new_vlog_files_) {
    PutVarint32(dst, kNewVlogFile);
    PutVarint64(dst, v.number);
    PutVarint64(dst, v.records);
    PutVarint64(dst, v.data_bytes);
    PutVarint64(dst, v.garbage_bytes);
  }
  for (const auto& [number, bytes] : vlog_garbage_) {
    PutVarint32(dst, kVlogGarbage);
    PutVarint64(dst, number);
    PutVarint64(dst, bytes);
  }
  for (uint64_t number : deleted_vlog_files_) {
    PutVarint32(dst, kDeletedVlogFile);
    PutVarint64(dst, number);
  }
  if (has_compaction_filter_name_) {
    PutVarint32(dst, kCompactionFilter);
    PutLengthPrefixed(dst, compaction_filter_name_);
  }
}

Status VersionEdit::DecodeFrom(std::string_view src) {
  Clear();
  std::string_view input = src;
  while (!input.empty()) {
    uint32_t tag;
    if (!GetVarint32(&input, &tag)) return EditCorruption("truncated tag");
    switch (tag) {
      case kComparator: {
        std::string_view name;
        if (!GetLengthPrefixed(&input, &name)) {
          return EditCorruption("truncated comparator name");
        }
        SetComparatorName(name);
        break;
      }
      case kLogNumber:
        if (!GetVarint64(&input, &log_number_)) {
          return EditCorruption("truncated log number");
        }
        has_log_number_ = true;
        break;
      case kNextFileNumber:
        if (!GetVarint64(&input, &next_file_number_)) {
          return EditCorruption("truncated next file number");
        }
        has_next_file_number_ = true;
        break;
      case kLastSequence:
        if (!GetVarint64(&input, &last_sequence_) ||
            last_sequence_ > kMaxSequenceNumber) {
          return EditCorruption("bad last sequence");
        }
        has_last_sequence_ = true;
        break;
      case kDeletedFile: {
        int level;
        uint64_t number;
        if (!GetLevel(&input, &level) || !GetVarint64(&input, &number)) {
          return EditCorruption("bad deleted file");
        }
        deleted_files_.emplace(level, number);
        break;
      }
      case kNewFile: {
        int level;
        FileMetaData f;
        if (!GetLevel(&input, &level) || !GetVarint64(&input, &f.number) ||
            !GetVarint64(&input, &f.file_size) ||
            !GetInternalKey(&input, &f.smallest) ||
            !GetInternalKey(&input, &f.largest) ||
            !GetVarint64(&input, &f.smallest_seq) ||
            !GetVarint64(&input, &f.largest_seq) ||
            f.smallest_seq > f.largest_seq ||
            f.largest_seq > kMaxSequenceNumber) {
          return EditCorruption("bad new file");
        }
        new_files_.emplace_back(level, std::move(f));
        break;
      }
      case kNewVlogFile: {
        VlogFileMeta v;
        if (!GetVarint64(&input, &v.number) ||
            !GetVarint64(&input, &v.records) ||
            !GetVarint64(&input, &v.data_bytes) ||
            !GetVarint64(&input, &v.garbage_bytes) ||
            v.garbage_bytes > v.data_bytes) {
          return EditCorruption("bad new vlog file");
        }
        new_vlog_files_.push_back(v);
        break;
      }
      case kVlogGarbage: {
        uint64_t number, bytes;
        if (!GetVarint64(&input, &number) || !GetVarint64(&input, &bytes)) {
          return EditCorruption("bad vlog garbage");
        }
        vlog_garbage_[number] += bytes;
        break;
      }
      case kDeletedVlogFile: {
        uint64_t number;
        if (!GetVarint64(&input, &number)) {
          return EditCorruption("bad deleted vlog file");
        }
        deleted_vlog_files_.insert(number);
        break;
      }
      case kTableVlogRefs: {
        std::string_view refs;
        uint64_t number;
        uint32_t n;
        if (!GetLengthPrefixed(&input, &refs) || !GetVarint64(&refs, &number) ||
            !GetVarint32(&refs, &n)) {
          return EditCorruption("bad table vlog refs");
        }
        FileMetaData* table = nullptr;
        for (auto& [level, f] : new_files_) {
          if (f.number == number) table = &f;
        }
        if (table == nullptr) {
          return EditCorruption("vlog refs of table " + std::to_string(number) +
                                ", which the edit does not add");
        }
        table->vlog_refs.clear();
        for (uint32_t i = 0; i < n; i++) {
          uint64_t vlog, bytes;
          if (!GetVarint64(&refs, &vlog) || !GetVarint64(&refs, &bytes)) {
            return EditCorruption("truncated table vlog refs");
          }
          table->vlog_refs[vlog] += bytes;
        }
        if (!refs.empty()) return EditCorruption("bytes after table vlog refs");
        break;
      }
      case kCompactionFilter: {
        std::string_view name;
        if (!GetLengthPrefixed(&input, &name)) {
          return EditCorruption("truncated compaction filter name");
        }
        SetCompactionFilterName(name);
        break;
      }
      default: {
        if ((tag & kTagSafeToIgnore) == 0) {
          return EditCorruption("unknown required tag " + std::to_string(tag) +
                                " (written by a newer version?)");
        }
        std::string_view ignored;
        if (!GetLengthPrefixed(&input, &ignored)) {
          return EditCorruption("truncated ignorable field " +
                                std::to_string(tag));
        }
        break;
      }
    }
  }
  return Status::OK();
}

std::string VersionEdit::DebugString() const {
  std::string r = "VersionEdit {\n";
  if (has_comparator_name_) {
    r += "  comparator: " + comparator_name_ + "\n";
  }
  if (has_compaction_filter_name_) {
    r += "  compaction_filter: " +
         (compaction_filter_name_.empty() ? std::string("(none)")
                                          : compaction_filter_name_) +
         "\n";
  }
  if (has_log_number_) {
    r += "  log_number: " + std::to_string(log_number_) + "\n";
  }
  if (has_next_file_number_) {
    r += "  next_file_number: " + std::to_string(next_file_number_) + "\n";
  }
  if (has_last_sequence_) {
    r += "  last_sequence: " + std::to_string(last_sequence_) + "\n";
  }
  for (const auto& [level, number] : deleted_files_) {
    r += "  remove: level " + std::to_string(level) + " file " +
         std::to_string(number) + "\n";
  }
  for (const auto& [level, f] : new_files_) {
    r += "  add: level " + std::to_string(level) + " file " +
         std::to_string(f.number) + " size " + std::to_string(f.file_size) +
         " [" + InternalKeyToString(f.smallest) + " .. " +
         InternalKeyToString(f.largest) + "] seq [" +
         std::to_string(f.smallest_seq) + ", " + std::to_string(f.largest_seq) +
         "]\n";
    for (const auto& [vlog, bytes] : f.vlog_refs) {
      r += "    -> vlog " + std::to_string(vlog) + ": " +
           std::to_string(bytes) + " bytes\n";
    }
  }
  for (const VlogFileMeta& v : new_vlog_files_) {
    r += "  add vlog: file " + std::to_string(v.number) + ", " +
         std::to_string(v.records) + " records, " +
         std::to_string(v.data_bytes) + " bytes, " +
         std::to_string(v.garbage_bytes) + " garbage\n";
  }
  for (const auto& [number, bytes] : vlog_garbage_) {
    r += "  vlog garbage: file " + std::to_string(number) + " +" +
         std::to_string(bytes) + " bytes\n";
  }
  for (uint64_t number : deleted_vlog_files_) {
    r += "  remove vlog: file " + std::to_string(number) + "\n";
  }
  r += "}\n";
  return r;
}

void EncodeEditGroup(const std::vector<const VersionEdit*>& edits,
                     std::string* dst) {
  assert(!edits.empty());
  PutFixed32(dst, kEditGroupBegin);
  PutVarint32(dst, static_cast<uint32_t>(edits.size()));
  std::string encoded;
  for (const VersionEdit* edit : edits) {
    encoded.clear();
    edit->EncodeTo(&encoded);
    PutLengthPrefixed(dst, encoded);
  }
  PutFixed32(dst, kEditGroupEnd);
}

Status DecodeEditGroup(std::string_view record,
                       std::vector<VersionEdit>* edits) {
  edits->clear();
  std::string_view input = record;
  uint32_t magic, count;
  if (!GetFixed32(&input, &magic) || magic != kEditGroupBegin) {
    return Status::Corruption("MANIFEST record", "bad edit group start");
  }
  // Each edit takes at least its length byte, which bounds the count by the
  // record's size before anything is allocated for it.
  if (!GetVarint32(&input, &count) || count == 0 || count > input.size()) {
    return Status::Corruption("MANIFEST record", "bad edit count");
  }
  edits->resize(count);
  for (uint32_t i = 0; i < count; i++) {
    std::string_view encoded;
    if (!GetLengthPrefixed(&input, &encoded)) {
      edits->clear();
      return Status::Corruption("MANIFEST record", "truncated edit group");
    }
    Status s = (*edits)[i].DecodeFrom(encoded);
    if (!s.ok()) {
      edits->clear();
      return s;
    }
  }
  if (!GetFixed32(&input, &magic) || magic != kEditGroupEnd || !input.empty()) {
    edits->clear();
    return Status::Corruption("MANIFEST record", "bad edit group end");
  }
  return Status::OK();
}

}  // namespace shale
