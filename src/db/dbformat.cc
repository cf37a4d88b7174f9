#include "db/dbformat.h"

#include <cstring>

namespace shale {

int InternalKeyComparator::Compare(std::string_view a,
                                   std::string_view b) const {
  int r = user_->Compare(ExtractUserKey(a), ExtractUserKey(b));
  if (r != 0) return r;
  uint64_t ta = ExtractTag(a);
  uint64_t tb = ExtractTag(b);
  if (ta > tb) return -1;
  if (ta < tb) return 1;
  return 0;
}

void InternalKeyComparator::FindShortestSeparator(
    std::string* start, std::string_view limit) const {
  std::string_view user_start = ExtractUserKey(*start);
  std::string_view user_limit = ExtractUserKey(limit);
  std::string tmp(user_start);
  user_->FindShortestSeparator(&tmp, user_limit);
  if (tmp.size() < user_start.size() && user_->Compare(user_start, tmp) < 0) {
    // A shorter, physically larger user key: pair it with the earliest
    // possible tag so it still sorts before every entry of limit's key.
    PutFixed64(&tmp,
               PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
    start->swap(tmp);
  }
}

void InternalKeyComparator::FindShortSuccessor(std::string* key) const {
  std::string_view user_key = ExtractUserKey(*key);
  std::string tmp(user_key);
  user_->FindShortSuccessor(&tmp);
  if (tmp.size() < user_key.size() && user_->Compare(user_key, tmp) < 0) {
    PutFixed64(&tmp,
               PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
    key->swap(tmp);
  }
}

LookupKey::LookupKey(std::string_view user_key, SequenceNumber sequence) {
  size_t usize = user_key.size();
  size_t needed = usize + 8 + kMaxVarint32Bytes;
  char* dst = space_;
  if (needed > sizeof(space_)) {
    heap_ = std::make_unique<char[]>(needed);
    dst = heap_.get();
  }
  start_ = dst;
  dst = EncodeVarint32(dst, static_cast<uint32_t>(usize + 8));
  kstart_ = dst;
  std::memcpy(dst, user_key.data(), usize);
  dst += usize;
  EncodeFixed64(dst, PackSequenceAndType(sequence, kValueTypeForSeek));
  end_ = dst + 8;
}

}  // namespace shale
