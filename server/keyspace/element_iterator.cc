#include "server/keyspace/element_iterator.h"

#include <algorithm>

namespace shale::server {

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    if (static_cast<unsigned char>(s.back()) != 0xFF) {
      s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
      return s;
    }
    s.pop_back();
  }
  return s;
}

ElementIterator::ElementIterator(DB* db, const Snapshot* snap,
                                 std::string prefix,
                                 std::vector<ElementWrites::Write> overlay)
    : prefix_(std::move(prefix)),
      upper_(PrefixSuccessor(prefix_)),
      upper_view_(upper_),
      overlay_(std::move(overlay)) {
  ReadOptions ro;
  ro.snapshot = snap;
  // Blocks read here go into the block cache: most collection reads are a
  // few elements that the next command reads again (XREADGROUP's next
  // entry, LRANGE's head). A long scan's blocks enter without CLOCK's
  // reference bit, so they are the first to go (docs/impl.md).
  // Collection prefixes always end in a version, never in 0xFF only.
  if (!upper_.empty()) ro.iterate_upper_bound = &upper_view_;
  it_ = db->NewIterator(ro);
}

void ElementIterator::Seek(std::string_view sub) {
  seek_.assign(prefix_);
  seek_.append(sub);
  it_->Seek(seek_);
  ov_ = static_cast<size_t>(
      std::lower_bound(overlay_.begin(), overlay_.end(), seek_,
                       [](const ElementWrites::Write& w, const std::string& k) {
                         return w.ekey < k;
                       }) -
      overlay_.begin());
  Settle();
}

void ElementIterator::SeekForPrev(std::string_view sub) {
  seek_.assign(prefix_);
  seek_.append(sub);
  it_->SeekForPrev(seek_);
  ov_ = static_cast<size_t>(
      std::upper_bound(overlay_.begin(), overlay_.end(), seek_,
                       [](const std::string& k, const ElementWrites::Write& w) {
                         return k < w.ekey;
                       }) -
      overlay_.begin());
  SettleBack();
}

void ElementIterator::SeekToLast() {
  // The engine iterator's upper bound is the prefix's successor.
  it_->SeekToLast();
  ov_ = overlay_.size();
  SettleBack();
}

void ElementIterator::Prev() {
  if (!valid_) return;
  if (from_overlay_) {
    if (it_->Valid() && it_->key() == overlay_[ov_ - 1].ekey) it_->Prev();
    ov_--;
  } else {
    it_->Prev();
  }
  SettleBack();
}

void ElementIterator::SettleBack() {
  valid_ = false;
  from_overlay_ = false;
  while (true) {
    const bool engine = it_->Valid() && it_->key().starts_with(prefix_);
    if (ov_ == 0) {
      if (engine) {
        key_ = it_->key();
        value_ = it_->value();
        valid_ = true;
      }
      return;
    }
    const ElementWrites::Write& w = overlay_[ov_ - 1];
    if (engine && it_->key() > std::string_view(w.ekey)) {
      key_ = it_->key();
      value_ = it_->value();
      valid_ = true;
      return;
    }
    if (!w.deleted) {
      key_ = w.ekey;
      value_ = w.value;
      valid_ = true;
      from_overlay_ = true;
      return;
    }
    if (engine && it_->key() == std::string_view(w.ekey)) it_->Prev();
    ov_--;
  }
}

void ElementIterator::Next() {
  if (!valid_) return;
  if (from_overlay_) {
    // The overlay's write replaced the engine's entry of the same key.
    if (it_->Valid() && it_->key() == overlay_[ov_].ekey) it_->Next();
    ov_++;
  } else {
    it_->Next();
  }
  Settle();
}

void ElementIterator::Settle() {
  valid_ = false;
  from_overlay_ = false;
  while (true) {
    const bool engine = it_->Valid() && it_->key().starts_with(prefix_);
    if (ov_ >= overlay_.size()) {
      if (engine) {
        key_ = it_->key();
        value_ = it_->value();
        valid_ = true;
      }
      return;
    }
    const ElementWrites::Write& w = overlay_[ov_];
    if (engine && it_->key() < std::string_view(w.ekey)) {
      key_ = it_->key();
      value_ = it_->value();
      valid_ = true;
      return;
    }
    if (!w.deleted) {
      key_ = w.ekey;
      value_ = w.value;
      valid_ = true;
      from_overlay_ = true;
      return;
    }
    // A pending delete: skip it and the entry it hides.
    if (engine && it_->key() == std::string_view(w.ekey)) it_->Next();
    ov_++;
  }
}

}  // namespace shale::server
