#include "db/compaction_iterator.h"

#include <algorithm>

namespace shale {

CompactionIterator::CompactionIterator(InternalIterator* input, Options options)
    : input_(input),
      options_(std::move(options)),
      earliest_snapshot_(options_.snapshots.empty()
                             ? kMaxSequenceNumber
                             : options_.snapshots.front()) {}

Status CompactionIterator::status() const {
  if (!status_.ok()) return status_;
  return input_->status();
}

size_t CompactionIterator::Stripe(SequenceNumber seq) const {
  const auto& s = options_.snapshots;
  return static_cast<size_t>(std::lower_bound(s.begin(), s.end(), seq) -
                             s.begin());
}

void CompactionIterator::SeekToFirst() {
  status_ = Status::OK();
  has_current_user_key_ = false;
  input_->SeekToFirst();
  FindNext();
}

void CompactionIterator::Next() {
  input_->Next();
  FindNext();
}

void CompactionIterator::FindNext() {
  valid_ = false;
  const Comparator* ucmp = options_.user_comparator;
  for (; input_->Valid(); input_->Next()) {
    if (options_.stop != nullptr &&
        options_.stop->load(std::memory_order_relaxed)) {
      status_ = Status::IOError("compaction stopped: the DB is closing");
      return;
    }
    if (!ParseInternalKey(input_->key(), &ikey_)) {
      status_ =
          Status::Corruption("corrupted internal key in compaction input");
      return;
    }
    const bool first_version =
        !has_current_user_key_ ||
        ucmp->Compare(ikey_.user_key, current_user_key_) != 0;
    if (first_version) {
      current_user_key_.assign(ikey_.user_key);
      has_current_user_key_ = true;
      current_key_written_ = false;
    }
    const size_t stripe =
        options_.snapshots.empty() ? 0 : Stripe(ikey_.sequence);
    const bool hidden = !first_version && stripe == last_stripe_;
    last_stripe_ = stripe;
    Status s = Process(first_version, hidden);
    if (!s.ok()) {
      status_ = s;
      valid_ = false;
      return;
    }
    if (valid_) {
      first_of_user_key_ = !current_key_written_;
      current_key_written_ = true;
      return;
    }
  }
}

void CompactionIterator::EmitDeletion() {
  key_buf_.clear();
  AppendInternalKey(&key_buf_, ikey_.user_key, ikey_.sequence, kTypeDeletion);
  ikey_.type = kTypeDeletion;
  key_ = key_buf_;
  value_ = {};
}

Status CompactionIterator::Process(bool first_version, bool hidden) {
  key_ = input_->key();
  value_ = input_->value();
  const std::string_view user_key = ikey_.user_key;
  VlogJob* vlog = options_.vlog;

  StoredValue stored;
  bool deletion = ikey_.type == kTypeDeletion;
  if (!deletion && !stored.Parse(ikey_.type, value_)) {
    return Status::Corruption("expiring value too short in compaction input");
  }
  bool blob = IsBlobIndex(ikey_.type);
  ValuePointer ptr;
  if (blob && !stored.DecodePointer(&ptr)) {
    return Status::Corruption("bad value pointer in compaction input");
  }

  // 1. A newer version in the same stripe hides this one from everybody.
  if (hidden) {
    if (blob) vlog->Drop(user_key, ptr);
    stats_.dropped++;
    return Status::OK();
  }

  // 2 and 3.
  bool changed = false;
  if (!deletion && stored.Expired(options_.now_ms)) {
    deletion = true;
    stats_.expired++;
  } else if (!deletion && first_version && options_.filter != nullptr &&
             Stripe(ikey_.sequence) == options_.snapshots.size()) {
    Status s = ApplyFilter(stored, blob, ptr, &deletion, &changed);
    if (!s.ok()) return s;
  }

  // 4. Deletions, and what they hide of this entry's own value.
  if (deletion) {
    if (blob) vlog->Drop(user_key, ptr);
    if (ikey_.sequence <= earliest_snapshot_ &&
        options_.is_base_level_for_key &&
        options_.is_base_level_for_key(user_key)) {
      stats_.dropped++;
      return Status::OK();
    }
    if (ikey_.type != kTypeDeletion) EmitDeletion();
    valid_ = true;
    return Status::OK();
  }

  // 5. The value.
  bool rewrite = false;
  if (changed) {
    if (blob) vlog->Drop(user_key, ptr);
    blob = vlog->ShouldSeparate(new_value_.size());
    if (blob) {
      Status s = vlog->Separate(user_key, new_value_, &ptr);
      if (!s.ok()) return s;
    }
    rewrite = true;
  } else if (blob) {
    bool moved = false;
    Status s = vlog->Keep(user_key, &ptr, &moved);
    if (!s.ok()) return s;
    rewrite = moved;
  } else if (options_.separate_values &&
             vlog->ShouldSeparate(stored.payload.size())) {
    Status s = vlog->Separate(user_key, stored.payload, &ptr);
    if (!s.ok()) return s;
    blob = true;
    rewrite = true;
  }
  if (rewrite) {
    value_buf_.clear();
    if (blob) {
      std::string encoded;
      ptr.EncodeTo(&encoded);
      stored.AppendWithPayload(encoded, &value_buf_);
    } else {
      stored.AppendWithPayload(new_value_, &value_buf_);
    }
    value_ = value_buf_;
    const ValueType type = ValueTypeFor(blob, stored.has_expiry);
    if (type != ikey_.type) {
      key_buf_.clear();
      AppendInternalKey(&key_buf_, user_key, ikey_.sequence, type);
      ikey_.type = type;
      key_ = key_buf_;
    }
  }
  if (blob) pointer_ = ptr;
  valid_ = true;
  return Status::OK();
}

Status CompactionIterator::ApplyFilter(const StoredValue& stored, bool blob,
                                       const ValuePointer& ptr, bool* deletion,
                                       bool* changed) {
  CompactionFilter* filter = options_.filter;
  const auto& ctx = options_.filter_context;
  switch (filter->FilterKey(ctx, ikey_.user_key)) {
    case CompactionFilter::KeyDecision::kKeep:
      return Status::OK();
    case CompactionFilter::KeyDecision::kRemove:
      stats_.filter_removed++;
      *deletion = true;
      return Status::OK();
    case CompactionFilter::KeyDecision::kUndecided:
      break;
  }
  std::string_view value = stored.payload;
  if (blob) {
    Status s = options_.vlog->Read(ikey_.user_key, ptr, &read_value_);
    if (!s.ok()) return s;
    stats_.filter_values_read++;
    value = read_value_;
  }
  new_value_.clear();
  switch (filter->Filter(ctx, ikey_.user_key, value, &new_value_)) {
    case CompactionFilter::Decision::kKeep:
      break;
    case CompactionFilter::Decision::kRemove:
      stats_.filter_removed++;
      *deletion = true;
      break;
    case CompactionFilter::Decision::kChangeValue:
      stats_.filter_changed++;
      *changed = true;
      break;
  }
  return Status::OK();
}

}  // namespace shale
