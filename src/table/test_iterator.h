// An InternalIterator over a sorted vector, with an optional poisoned entry
// that turns the iterator invalid with an IOError when reached. Tests only.
#ifndef SHALE_TABLE_TEST_ITERATOR_H_
#define SHALE_TABLE_TEST_ITERATOR_H_

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "table/internal_iterator.h"
#include "util/comparator.h"

namespace shale::test {

using KVVector = std::vector<std::pair<std::string, std::string>>;

class VectorIterator final : public InternalIterator {
 public:
  // entries must be sorted by cmp.
  VectorIterator(const Comparator* cmp, KVVector entries)
      : cmp_(cmp), entries_(std::move(entries)), pos_(entries_.size()) {}

  // Reaching the entry with this key fails the iterator.
  void set_poison(std::string key) { poison_ = std::move(key); }

  bool Valid() const override { return pos_ < entries_.size(); }
  void SeekToFirst() override { Land(0); }
  void SeekToLast() override {
    Land(entries_.empty() ? entries_.size() : entries_.size() - 1);
  }
  void Seek(std::string_view target) override {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), target,
                               [this](const auto& e, std::string_view t) {
                                 return cmp_->Compare(e.first, t) < 0;
                               });
    Land(it - entries_.begin());
  }
  void Next() override { Land(pos_ + 1); }
  void Prev() override { Land(pos_ == 0 ? entries_.size() : pos_ - 1); }
  std::string_view key() const override { return entries_[pos_].first; }
  std::string_view value() const override { return entries_[pos_].second; }
  Status status() const override { return status_; }

 private:
  void Land(size_t pos) {
    status_ = Status::OK();
    pos_ = pos;
    if (Valid() && poison_ && entries_[pos_].first == *poison_) {
      status_ = Status::IOError("poisoned entry");
      pos_ = entries_.size();
    }
  }

  const Comparator* const cmp_;
  const KVVector entries_;
  size_t pos_;
  std::optional<std::string> poison_;
  Status status_;
};

}  // namespace shale::test

#endif  // SHALE_TABLE_TEST_ITERATOR_H_
