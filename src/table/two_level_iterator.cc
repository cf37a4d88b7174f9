#include "table/two_level_iterator.h"

#include <cassert>
#include <string>

namespace shale {

namespace {

using BlockFunction = std::function<std::unique_ptr<InternalIterator>(
    std::string_view index_value)>;

class TwoLevelIterator final : public InternalIterator {
 public:
  TwoLevelIterator(std::unique_ptr<InternalIterator> index_iter,
                   BlockFunction block_function)
      : index_iter_(std::move(index_iter)),
        block_function_(std::move(block_function)) {}

  bool Valid() const override {
    return data_iter_ != nullptr && data_iter_->Valid();
  }
  std::string_view key() const override { return data_iter_->key(); }
  std::string_view value() const override { return data_iter_->value(); }

  Status status() const override {
    if (Status s = index_iter_->status(); !s.ok()) return s;
    if (!status_.ok()) return status_;
    return data_iter_ != nullptr ? data_iter_->status() : Status::OK();
  }

  void Seek(std::string_view target) override {
    status_ = Status::OK();
    index_iter_->Seek(target);
    if (!LoadDataIter()) return;
    data_iter_->Seek(target);
    SkipEmptyForward();
  }

  void SeekToFirst() override {
    status_ = Status::OK();
    index_iter_->SeekToFirst();
    if (!LoadDataIter()) return;
    data_iter_->SeekToFirst();
    SkipEmptyForward();
  }

  void SeekToLast() override {
    status_ = Status::OK();
    index_iter_->SeekToLast();
    if (!LoadDataIter()) return;
    data_iter_->SeekToLast();
    SkipEmptyBackward();
  }

  void Next() override {
    assert(Valid());
    data_iter_->Next();
    SkipEmptyForward();
  }

  void Prev() override {
    assert(Valid());
    data_iter_->Prev();
    SkipEmptyBackward();
  }

 private:
  // Makes data_iter_ the sub-iterator of the current index entry (reusing
  // the one held if it is for the same entry and healthy). False at the
  // index's end or on an index error.
  bool LoadDataIter() {
    if (!index_iter_->Valid()) {
      data_iter_.reset();
      return false;
    }
    std::string_view index_value = index_iter_->value();
    if (data_iter_ != nullptr && index_value == data_index_value_ &&
        data_iter_->status().ok()) {
      return true;
    }
    data_iter_.reset();  // release the old one before opening the next
    data_iter_ = block_function_(index_value);
    if (data_iter_ == nullptr) data_iter_ = NewEmptyIterator();
    data_index_value_.assign(index_value);
    return true;
  }

  void SkipEmptyForward() {
    while (!data_iter_->Valid()) {
      if (!data_iter_->status().ok()) {
        Fail();
        return;
      }
      index_iter_->Next();
      if (!LoadDataIter()) return;
      data_iter_->SeekToFirst();
    }
  }

  void SkipEmptyBackward() {
    while (!data_iter_->Valid()) {
      if (!data_iter_->status().ok()) {
        Fail();
        return;
      }
      index_iter_->Prev();
      if (!LoadDataIter()) return;
      data_iter_->SeekToLast();
    }
  }

  void Fail() {
    status_ = data_iter_->status();
    data_iter_.reset();
  }

  std::unique_ptr<InternalIterator> index_iter_;
  const BlockFunction block_function_;
  std::unique_ptr<InternalIterator> data_iter_;  // null: none
  std::string data_index_value_;  // the index value data_iter_ came from
  Status status_;                 // the error that stopped the iteration
};

}  // namespace

std::unique_ptr<InternalIterator> NewTwoLevelIterator(
    std::unique_ptr<InternalIterator> index_iter,
    std::function<
        std::unique_ptr<InternalIterator>(std::string_view index_value)>
        block_function) {
  return std::make_unique<TwoLevelIterator>(std::move(index_iter),
                                            std::move(block_function));
}

}  // namespace shale
