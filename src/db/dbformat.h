// Internal keys: how the engine tags each user key with its version.
//
//   internal_key := user_key | fixed64(tag)
//   tag          := (sequence << 8) | value_type      (sequence < 2^56)
//
// Internal keys sort by user key ascending, then by tag descending, so the
// newest version of a key comes first. See docs/format/internal_key.md.
//
// The value stored with each type (db/stored_value.h parses and encodes it):
//   kTypeDeletion          empty
//   kTypeValue             the user value
//   kTypeValueWithExpiry   fixed64(expire_at_ms) | user value
//   kTypeBlobIndex         a value pointer into a vlog (vlog/vlog_format.h)
//   kTypeBlobIndexWithExpiry  fixed64(expire_at_ms) | value pointer
#ifndef SHALE_DB_DBFORMAT_H_
#define SHALE_DB_DBFORMAT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/coding.h"
#include "util/comparator.h"

namespace shale {

using SequenceNumber = uint64_t;
constexpr SequenceNumber kMaxSequenceNumber = (uint64_t{1} << 56) - 1;

enum ValueType : uint8_t {
  kTypeDeletion = 0,
  kTypeValue = 1,
  kTypeValueWithExpiry = 2,
  kTypeBlobIndex = 3,
  kTypeBlobIndexWithExpiry = 4,
};
// The highest type: a lookup key built with it sorts before every entry of
// the same user key and sequence.
constexpr ValueType kValueTypeForSeek = kTypeBlobIndexWithExpiry;

inline bool IsValidValueType(uint8_t t) {
  return t <= kTypeBlobIndexWithExpiry;
}
inline bool HasExpiry(ValueType t) {
  return t == kTypeValueWithExpiry || t == kTypeBlobIndexWithExpiry;
}
inline bool IsBlobIndex(ValueType t) {
  return t == kTypeBlobIndex || t == kTypeBlobIndexWithExpiry;
}

inline uint64_t PackSequenceAndType(SequenceNumber seq, ValueType t) {
  return (seq << 8) | t;
}

struct ParsedInternalKey {
  std::string_view user_key;
  SequenceNumber sequence = 0;
  ValueType type = kTypeValue;
};

inline void AppendInternalKey(std::string* dst, std::string_view user_key,
                              SequenceNumber seq, ValueType t) {
  dst->append(user_key.data(), user_key.size());
  PutFixed64(dst, PackSequenceAndType(seq, t));
}

inline std::string_view ExtractUserKey(std::string_view internal_key) {
  return internal_key.substr(0, internal_key.size() - 8);
}
inline uint64_t ExtractTag(std::string_view internal_key) {
  return DecodeFixed64(internal_key.data() + internal_key.size() - 8);
}

// False when the key is too short or its type unknown (a corrupt key).
inline bool ParseInternalKey(std::string_view internal_key,
                             ParsedInternalKey* result) {
  if (internal_key.size() < 8) return false;
  uint64_t tag = ExtractTag(internal_key);
  uint8_t t = static_cast<uint8_t>(tag & 0xff);
  if (!IsValidValueType(t)) return false;
  result->user_key = ExtractUserKey(internal_key);
  result->sequence = tag >> 8;
  result->type = static_cast<ValueType>(t);
  return true;
}

// Orders internal keys: user key by the user comparator, then tag descending.
class InternalKeyComparator final : public Comparator {
 public:
  explicit InternalKeyComparator(const Comparator* user) : user_(user) {}
  int Compare(std::string_view a, std::string_view b) const override;
  const char* Name() const override { return "shale.InternalKeyComparator"; }
  void FindShortestSeparator(std::string* start,
                             std::string_view limit) const override;
  void FindShortSuccessor(std::string* key) const override;
  const Comparator* user_comparator() const { return user_; }

 private:
  const Comparator* const user_;
};

// An expiry time in milliseconds past the Unix epoch; 0 means never.
inline bool IsExpired(uint64_t expire_at_ms, uint64_t now_ms) {
  return expire_at_ms != 0 && expire_at_ms <= now_ms;
}

// The key a point lookup searches with, laid out for both the memtable
// (varint32 length prefix) and the tables (internal key):
//   varint32(user_key.size() + 8) | user_key | fixed64(tag)
class LookupKey {
 public:
  LookupKey(std::string_view user_key, SequenceNumber sequence);
  LookupKey(const LookupKey&) = delete;
  LookupKey& operator=(const LookupKey&) = delete;

  std::string_view memtable_key() const {
    return {start_, size_t(end_ - start_)};
  }
  std::string_view internal_key() const {
    return {kstart_, size_t(end_ - kstart_)};
  }
  std::string_view user_key() const {
    return {kstart_, size_t(end_ - kstart_ - 8)};
  }

 private:
  // Keys up to about 180 bytes fit inline: no allocation per lookup.
  char space_[200];
  std::unique_ptr<char[]> heap_;
  const char* start_;
  const char* kstart_;
  const char* end_;
};

}  // namespace shale

#endif  // SHALE_DB_DBFORMAT_H_
