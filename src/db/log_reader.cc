#include "db/log_reader.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "db/log_format.h"
#include "shale/env.h"
#include "util/checksum.h"
#include "util/coding.h"

namespace shale::log {

namespace {

size_t FragmentLength(const char* header) {
  const auto* b = reinterpret_cast<const unsigned char*>(header);
  return size_t{b[4]} | (size_t{b[5]} << 8);
}

// The checksum covers the type byte, the log number of types 5-8 and the
// payload, which follow each other in the buffer.
bool ChecksumMatches(const char* header, size_t header_size, size_t length) {
  const uint32_t stored = UnmaskChecksum(DecodeFixed32(header));
  return Checksum(header + 6, header_size - 6 + length) == stored;
}

bool IsAllZero(std::string_view bytes) {
  for (char c : bytes) {
    if (c != 0) return false;
  }
  return true;
}

}  // namespace

Reader::Reader(SequentialFile* file, Reporter* reporter, std::string file_name,
               WalRecoveryMode mode, std::optional<uint64_t> log_number)
    : file_(file),
      reporter_(reporter),
      file_name_(std::move(file_name)),
      mode_(mode),
      has_log_number_(log_number.has_value()),
      log_number_(static_cast<uint32_t>(log_number.value_or(0))),
      backing_(new char[kBlockSize]) {}

bool Reader::KnownType(uint8_t t) const {
  return t != kZeroType && t <= kMaxFragmentType &&
         (!IsRecyclable(t) || has_log_number_);
}

bool Reader::IsStale(const char* header, uint8_t t) const {
  if (!has_log_number_) return false;
  if (framing_ != 0 && HeaderSizeOf(t) != framing_) return true;
  return IsRecyclable(t) && DecodeFixed32(header + kHeaderSize) != log_number_;
}

Reader::~Reader() = default;

bool Reader::ReadRecord(std::string_view* record, std::string* scratch) {
  scratch->clear();
  *record = {};
  if (done_) return false;

  // Whether *scratch holds a kFirstType fragment (and maybe kMiddleType ones)
  // of the record starting at record_offset.
  bool in_record = false;
  uint64_t record_offset = 0;
  for (;;) {
    uint8_t type = kZeroType;
    std::string_view payload;
    uint64_t offset = 0;
    const char* cause = "";
    switch (NextFragment(&type, &payload, &offset, &cause)) {
      case Next::kFragment:
        break;
      case Next::kDamage:
        // A record interrupted by damage is lost from its start.
        if (!OnDamage(in_record ? record_offset : offset, offset, cause)) {
          return false;
        }
        in_record = false;
        scratch->clear();
        continue;
      case Next::kTruncated:
        NoteDamage(in_record ? record_offset : offset, cause);
        scratch->clear();
        FinishAtEof();
        return false;
      case Next::kEof:
        if (in_record) NoteDamage(record_offset, "record cut short");
        FinishAtEof();
        return false;
      case Next::kIOError:
        done_ = true;
        return false;
    }

    switch (type) {
      case kFullType:
        if (in_record &&
            !OnDamage(record_offset, record_offset, "record missing its end")) {
          return false;
        }
        in_record = false;
        if (!AcceptRecordAt(offset)) return false;
        last_record_offset_ = offset;
        last_record_end_ = buffer_end_offset_ - buffer_.size();
        *record = payload;
        return true;

      case kFirstType:
        if (in_record &&
            !OnDamage(record_offset, record_offset, "record missing its end")) {
          return false;
        }
        scratch->assign(payload);
        in_record = true;
        record_offset = offset;
        break;

      case kMiddleType:
      case kLastType:
        if (!in_record) {
          // The rest of a record whose start was damaged (or never written).
          if (!OnDamage(offset, offset, "fragment without its record start")) {
            return false;
          }
          break;
        }
        scratch->append(payload);
        if (type == kLastType) {
          if (!AcceptRecordAt(record_offset)) return false;
          last_record_offset_ = record_offset;
          last_record_end_ = buffer_end_offset_ - buffer_.size();
          *record = *scratch;
          return true;
        }
        break;
    }
  }
}

Reader::Next Reader::NextFragment(uint8_t* type, std::string_view* payload,
                                  uint64_t* offset, const char** cause) {
  const bool strict = mode_ == WalRecoveryMode::kAbsoluteConsistency;
  for (;;) {
    *offset = buffer_end_offset_ - buffer_.size();
    if (buffer_.size() < kHeaderSize) {
      if (!eof_) {
        // What is left of a full block is its trailer, which carries nothing.
        // The writer fills it with zeros, so only a strict reader, which
        // treats every unexplained byte as damage, looks at it.
        if (strict && !IsAllZero(buffer_)) {
          *cause = "non-zero block trailer";
          buffer_ = {};
          return Next::kDamage;
        }
        if (!ReadBlock()) return Next::kIOError;
        continue;
      }
      if (buffer_.empty()) return Next::kEof;
      *cause = "fragment header cut short";
      buffer_ = {};
      return strict ? Next::kTruncated : Next::kDamage;
    }

    if (has_log_number_ && !eof_ && buffer_.size() < kRecyclableHeaderSize &&
        IsAllZero(buffer_)) {
      // A WAL writer's trailer: the block ends in fewer bytes than its
      // header takes.
      buffer_ = {};
      if (!ReadBlock()) return Next::kIOError;
      continue;
    }

    const char* header = buffer_.data();
    const uint8_t t = static_cast<uint8_t>(header[6]);
    const size_t length = FragmentLength(header);
    const size_t block_left = kBlockSize - *offset % kBlockSize;
    const size_t hs = HeaderSizeOf(t);
    // Checks that need only the header come before the one that needs the
    // end of the file, so that a strict reader drops as incomplete only a
    // fragment that could have been written whole.
    bool cut_short = false;
    if (!KnownType(t)) {
      if (IsAllZero(buffer_.substr(0, kHeaderSize))) {
        *cause = "zero-filled space";
        if (strict) {
          bool zero = false;
          if (!RestIsZero(&zero)) return Next::kIOError;
          if (zero) return Next::kTruncated;
          *cause = "zero-filled space followed by non-zero bytes";
          return Next::kDamage;
        }
      } else {
        *cause = "unknown fragment type";
      }
    } else if (hs > block_left) {
      *cause = "fragment header overruns its block";
    } else if (hs > buffer_.size()) {
      // Only the end of the file cuts a header inside its block.
      assert(eof_);
      *cause = "fragment header cut short";
      buffer_ = {};
      return strict ? Next::kTruncated : Next::kDamage;
    } else if (hs + length > block_left) {
      *cause = "fragment length overruns its block";
    } else if ((BaseType(t) == kFirstType || BaseType(t) == kMiddleType) &&
               hs + length != block_left) {
      *cause = "fragment does not fill its block";
    } else if (hs + length > buffer_.size()) {
      *cause = "fragment cut short";
      cut_short = true;
    } else if (!ChecksumMatches(header, hs, length)) {
      *cause = "checksum mismatch";
    } else if (IsStale(header, t)) {
      // An older log's fragment in a reused file: this log ends here, as if
      // the file did.
      end_of_log_ = *offset;
      buffer_ = {};
      eof_ = true;
      return Next::kEof;
    } else {
      if (framing_ == 0) framing_ = hs;
      *type = BaseType(t);
      *payload = std::string_view(header + hs, length);
      buffer_.remove_prefix(hs + length);
      return Next::kFragment;
    }
    if (strict) {
      if (cut_short) {
        // Only the end of the file cuts a fragment inside its block.
        assert(eof_);
        // A damaged length field that runs past the end of the file would
        // pass for a torn write. Two signs tell it apart: the bytes that are
        // there match the checksum (the last fragment's length grew; after a
        // torn write they match only by chance, 2^-32), or an intact record
        // starts inside the claimed payload (an earlier record's length grew
        // over the records after it).
        size_t skip = 0;
        if (ChecksumMatches(header, hs, buffer_.size() - hs)) {
          *cause = "fragment length larger than its checksummed payload";
          return Next::kDamage;
        }
        if (FindIntactRecordStart(&skip)) {
          *cause = "fragment length runs over an intact record";
          return Next::kDamage;
        }
        buffer_ = {};
        return Next::kTruncated;
      }
      return Next::kDamage;
    }
    Resync();
    return Next::kDamage;
  }
}

bool Reader::ReadBlock() {
  assert(!eof_);
  buffer_ = {};
  Status s = file_->Read(kBlockSize, &buffer_, backing_.get());
  if (!s.ok()) {
    buffer_ = {};
    eof_ = true;
    status_ = s;
    return false;
  }
  buffer_end_offset_ += buffer_.size();
  if (buffer_.size() < kBlockSize) eof_ = true;
  return true;
}

bool Reader::RestIsZero(bool* zero) {
  *zero = false;
  for (;;) {
    if (!IsAllZero(buffer_)) return true;
    buffer_ = {};
    if (eof_) break;
    if (!ReadBlock()) return false;
  }
  *zero = true;
  return true;
}

void Reader::Resync() {
  size_t skip = 0;
  if (FindIntactRecordStart(&skip)) {
    if (mode_ == WalRecoveryMode::kTolerateCorruptedTail) {
      // Resume there: an intact record turns the damage into a Corruption
      // error, so nothing the scan finds is ever returned.
      buffer_.remove_prefix(skip);
      return;
    }
    // Salvaging resumes only at block boundaries, where the framing
    // guarantees a header: a scan could land on a well-formed fragment
    // nested inside a damaged record's payload and return made-up data.
    // The find still proves the damage is not a torn tail.
    intact_after_damage_ = true;
  }
  buffer_ = {};
}

bool Reader::FindIntactRecordStart(size_t* skip) const {
  const uint64_t base = buffer_end_offset_ - buffer_.size();
  for (size_t p = 1; p + kHeaderSize <= buffer_.size(); p++) {
    const char* header = buffer_.data() + p;
    const uint8_t t = static_cast<uint8_t>(header[6]);
    // Past a block's start only a record's first fragment can begin.
    if (!KnownType(t)) continue;
    if (BaseType(t) != kFullType && BaseType(t) != kFirstType) continue;
    const size_t hs = HeaderSizeOf(t);
    if (p + hs > buffer_.size()) continue;
    const size_t length = FragmentLength(header);
    if (p + hs + length > buffer_.size()) continue;
    if (BaseType(t) == kFirstType &&
        hs + length != kBlockSize - (base + p) % kBlockSize) {
      continue;
    }
    // An older log's fragment is not a record of this one.
    if (ChecksumMatches(header, hs, length) && !IsStale(header, t)) {
      *skip = p;
      return true;
    }
  }
  return false;
}

void Reader::NoteDamage(uint64_t offset, const char* cause) {
  // Keep the earliest: the span runs from there to the next intact record.
  if (in_damage_) return;
  in_damage_ = true;
  damage_offset_ = offset;
  damage_cause_ = cause;
}

bool Reader::OnDamage(uint64_t record_offset, uint64_t at, const char* cause) {
  if (mode_ != WalRecoveryMode::kAbsoluteConsistency) {
    NoteDamage(record_offset, cause);
    return true;
  }
  std::string message = std::string(cause) + " at offset " + std::to_string(at);
  if (record_offset != at) {
    message += " in the record at offset " + std::to_string(record_offset);
  }
  Status s = Status::Corruption(file_name_, message);
  const uint64_t block_end = (at / kBlockSize + 1) * kBlockSize;
  const uint64_t bytes =
      (block_end < buffer_end_offset_ ? block_end : buffer_end_offset_) -
      record_offset;
  status_ = s;
  done_ = true;
  if (reporter_ != nullptr)
    reporter_->Corruption(static_cast<size_t>(bytes), s);
  return false;
}

bool Reader::AcceptRecordAt(uint64_t offset) {
  if (!in_damage_) return true;
  const uint64_t bytes = offset - damage_offset_;
  Status s = Status::Corruption(
      file_name_, std::string(damage_cause_) + " at offset " +
                      std::to_string(damage_offset_) + "; " +
                      std::to_string(bytes) +
                      " bytes lost before the intact record at offset " +
                      std::to_string(offset));
  in_damage_ = false;
  intact_after_damage_ = false;
  if (reporter_ != nullptr)
    reporter_->Corruption(static_cast<size_t>(bytes), s);
  if (mode_ == WalRecoveryMode::kTolerateCorruptedTail) {
    status_ = s;
    done_ = true;
    return false;
  }
  skipped_bytes_ += bytes;
  return true;
}

void Reader::FinishAtEof() {
  done_ = true;
  if (!in_damage_) return;
  in_damage_ = false;
  const uint64_t end = std::min(buffer_end_offset_, end_of_log_);
  const uint64_t bytes = end - damage_offset_;
  if (intact_after_damage_) {
    // Only when salvaging: the damaged block held an intact record the
    // reader did not resume at, so this is not a torn tail.
    Status s = Status::Corruption(file_name_,
                                  std::string(damage_cause_) + " at offset " +
                                      std::to_string(damage_offset_) + "; " +
                                      std::to_string(bytes) +
                                      " bytes lost, including intact records");
    skipped_bytes_ += bytes;
    if (reporter_ != nullptr)
      reporter_->Corruption(static_cast<size_t>(bytes), s);
    return;
  }
  dropped_tail_bytes_ = bytes;
  if (reporter_ != nullptr) reporter_->TailDropped(damage_offset_, bytes);
}

}  // namespace shale::log
