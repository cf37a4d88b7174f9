#include "table/block.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "util/coding.h"
#include "util/comparator.h"

namespace shale {

void Block::Reset(BlockContents contents) {
  contents_ = std::move(contents);
  restart_offset_ = 0;
  num_restarts_ = 0;
  const size_t size = contents_.data.size();
  if (size < 4 || size > UINT32_MAX) return;
  const uint32_t n = DecodeFixed32(contents_.data.data() + size - 4);
  if (n == 0 || n > (size - 4) / 4) return;
  restart_offset_ = static_cast<uint32_t>(size - 4 - 4 * uint64_t{n});
  num_restarts_ = n;
}

std::unique_ptr<InternalIterator> Block::NewIterator(
    const Comparator* cmp, std::string_view error_context,
    uint32_t min_key_size) const {
  auto iter = std::make_unique<BlockIter>();
  iter->Init(cmp, this, error_context, min_key_size);
  return iter;
}

std::string_view KeyBuffer::Assemble(const char* src, size_t shared,
                                     const char* delta, size_t n) {
  const size_t need = shared + n;
  if (need > capacity_) {
    const size_t cap = std::max(need, capacity_ * 2);
    auto fresh = std::make_unique_for_overwrite<char[]>(cap);
    std::memcpy(fresh.get(), src, shared);  // before src (maybe heap_) dies
    heap_ = std::move(fresh);
    data_ = heap_.get();
    capacity_ = cap;
  } else if (src != data_) {
    std::memcpy(data_, src, shared);  // src lies in a block: no overlap
  }
  std::memcpy(data_ + shared, delta, n);
  return std::string_view(data_, need);
}

namespace {

// Decodes the three varint32s opening an entry in [p, limit). Returns the
// byte after them, or nullptr if they are malformed.
inline const char* DecodeEntryHeader(const char* p, const char* limit,
                                     uint32_t* shared, uint32_t* unshared,
                                     uint32_t* value_length) {
  if (limit - p >= 3) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    if (((u[0] | u[1] | u[2]) & 0x80) == 0) {  // common: three 1-byte varints
      *shared = u[0];
      *unshared = u[1];
      *value_length = u[2];
      return p + 3;
    }
  }
  if ((p = GetVarint32Ptr(p, limit, shared)) == nullptr) return nullptr;
  if ((p = GetVarint32Ptr(p, limit, unshared)) == nullptr) return nullptr;
  return GetVarint32Ptr(p, limit, value_length);
}

}  // namespace

void BlockIter::Init(const Comparator* cmp, const Block* block,
                     std::string_view error_context, uint32_t min_key_size) {
  cmp_ = cmp;
  error_context_ = error_context;
  min_key_size_ = min_key_size;
  status_ = Status::OK();
  key_ = value_ = {};
  if (block == nullptr) {
    data_ = nullptr;
    restarts_ = num_restarts_ = 0;
  } else {
    data_ = block->data().data();
    restarts_ = block->restart_offset_;
    num_restarts_ = block->num_restarts_;
    if (num_restarts_ == 0) {
      status_ = error_context_.empty()
                    ? Status::Corruption("bad block contents")
                    : Status::Corruption(error_context_, "bad block contents");
    }
  }
  current_ = next_ = restarts_;
  restart_index_ = num_restarts_;
  prev_entries_.clear();
}

void BlockIter::MarkCorrupt() {
  status_ = error_context_.empty()
                ? Status::Corruption("bad entry in block")
                : Status::Corruption(error_context_, "bad entry in block");
  current_ = next_ = restarts_;
  restart_index_ = num_restarts_;
  key_ = value_ = {};
}

uint32_t BlockIter::RestartPoint(uint32_t index) const {
  assert(index < num_restarts_);
  return DecodeFixed32(data_ + restarts_ + 4 * size_t{index});
}

void BlockIter::SeekToRestartPoint(uint32_t index) {
  key_ = {};  // so that the entry there must not share a prefix
  restart_index_ = index;
  next_ = RestartPoint(index);
}

bool BlockIter::ParseNextEntry() {
  current_ = next_;
  if (current_ >= restarts_) {  // the end (or a restart offset past it)
    if (current_ > restarts_) {
      MarkCorrupt();
      return false;
    }
    restart_index_ = num_restarts_;
    key_ = value_ = {};
    return false;
  }
  const char* p = data_ + current_;
  const char* limit = data_ + restarts_;
  uint32_t shared, unshared, value_length;
  p = DecodeEntryHeader(p, limit, &shared, &unshared, &value_length);
  if (p == nullptr || shared > key_.size() ||
      uint64_t{unshared} + value_length > static_cast<uint64_t>(limit - p) ||
      uint64_t{shared} + unshared < min_key_size_) {
    MarkCorrupt();
    return false;
  }
  if (shared == 0) {
    key_ = std::string_view(p, unshared);  // whole key in the block: no copy
  } else {
    key_ = key_buf_.Assemble(key_.data(), shared, p, unshared);
  }
  value_ = std::string_view(p + unshared, value_length);
  next_ = static_cast<uint32_t>(p + unshared + value_length - data_);
  while (restart_index_ + 1 < num_restarts_ &&
         RestartPoint(restart_index_ + 1) <= current_) {
    restart_index_++;
  }
  return true;
}

bool BlockIter::RestartKey(uint32_t index, std::string_view* key) {
  const uint32_t offset = RestartPoint(index);
  if (offset >= restarts_) {
    MarkCorrupt();
    return false;
  }
  const char* p = data_ + offset;
  const char* limit = data_ + restarts_;
  uint32_t shared, unshared, value_length;
  p = DecodeEntryHeader(p, limit, &shared, &unshared, &value_length);
  if (p == nullptr || shared != 0 ||
      uint64_t{unshared} + value_length > static_cast<uint64_t>(limit - p) ||
      unshared < min_key_size_) {
    MarkCorrupt();
    return false;
  }
  *key = std::string_view(p, unshared);
  return true;
}

void BlockIter::SeekToFirst() {
  if (num_restarts_ == 0 || !status_.ok()) return;
  SeekToRestartPoint(0);
  ParseNextEntry();
}

void BlockIter::SeekToLast() {
  if (num_restarts_ == 0 || !status_.ok()) return;
  ScanRegionUntil(num_restarts_ - 1, restarts_);
}

void BlockIter::ScanRegionUntil(uint32_t region, uint32_t end) {
  SeekToRestartPoint(region);
  prev_entries_.clear();
  prev_keys_.clear();
  prev_region_ = region;
  while (ParseNextEntry()) {
    if (next_ >= end) {
      if (next_ != end) MarkCorrupt();  // entries overlap: malformed
      return;
    }
    prev_entries_.push_back({current_, next_,
                             static_cast<uint32_t>(prev_keys_.size()),
                             static_cast<uint32_t>(key_.size()),
                             static_cast<uint32_t>(value_.data() - data_),
                             static_cast<uint32_t>(value_.size())});
    prev_keys_.append(key_);
  }
}

void BlockIter::Seek(std::string_view target) {
  if (num_restarts_ == 0 || !status_.ok()) return;
  // The current position, if any, narrows the search.
  uint32_t left = 0;
  uint32_t right = num_restarts_ - 1;
  int current_vs_target = 0;
  if (Valid()) {
    current_vs_target = cmp_->Compare(key_, target);
    if (current_vs_target < 0) {
      left = restart_index_;
    } else if (current_vs_target > 0) {
      right = restart_index_;
    } else {
      return;  // keys in a block are distinct: this is the first >= target
    }
  }
  SeekInRange(target, left, right, current_vs_target < 0);
}

void BlockIter::SeekBetweenRestarts(std::string_view target, uint32_t left,
                                    uint32_t right) {
  if (num_restarts_ == 0 || !status_.ok()) return;
  right = std::min(right, num_restarts_ - 1);
  SeekInRange(target, std::min(left, right), right, false);
}

void BlockIter::SeekInRange(std::string_view target, uint32_t left,
                            uint32_t right, bool resume_current) {
  // Find the last restart point in [left, right] whose key is < target
  // (left when none is), then scan forward from it.
  const uint32_t start = left;
  while (left < right) {
    const uint32_t mid = left + (right - left + 1) / 2;
    std::string_view mid_key;
    if (!RestartKey(mid, &mid_key)) return;
    if (cmp_->Compare(mid_key, target) < 0) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  // Already inside region `left` before target: continue from here.
  if (!(resume_current && left == start && left == restart_index_)) {
    SeekToRestartPoint(left);
  }
  while (ParseNextEntry()) {
    if (cmp_->Compare(key_, target) >= 0) return;
  }
}

void BlockIter::Next() {
  assert(Valid());
  ParseNextEntry();
}

void BlockIter::Prev() {
  assert(Valid());
  if (!prev_entries_.empty() && prev_entries_.back().next == current_) {
    const PrevEntry& e = prev_entries_.back();
    current_ = e.offset;
    next_ = e.next;
    restart_index_ = prev_region_;
    key_ = std::string_view(prev_keys_.data() + e.key_offset, e.key_size);
    value_ = std::string_view(data_ + e.value_offset, e.value_size);
    prev_entries_.pop_back();
    return;
  }
  const uint32_t original = current_;
  // Back up to the last restart point before the current entry.
  while (RestartPoint(restart_index_) >= original) {
    if (restart_index_ == 0) {  // no entry before this one
      current_ = next_ = restarts_;
      restart_index_ = num_restarts_;
      key_ = value_ = {};
      return;
    }
    restart_index_--;
  }
  ScanRegionUntil(restart_index_, original);
}

}  // namespace shale
