#include "table/merging_iterator.h"

#include <cassert>
#include <utility>

#include "util/comparator.h"

namespace shale {

namespace {

class MergingIterator final : public InternalIterator {
 public:
  MergingIterator(const Comparator* cmp,
                  std::vector<std::unique_ptr<InternalIterator>> children)
      : cmp_(cmp), children_(std::move(children)) {
    heap_.reserve(children_.size());
  }

  bool Valid() const override { return current_ != nullptr; }
  std::string_view key() const override { return current_->key(); }
  std::string_view value() const override { return current_->value(); }
  Status status() const override { return status_; }

  void SeekToFirst() override {
    status_ = Status::OK();
    for (auto& child : children_) child->SeekToFirst();
    Rebuild(Direction::kForward);
  }

  void SeekToLast() override {
    status_ = Status::OK();
    for (auto& child : children_) child->SeekToLast();
    Rebuild(Direction::kReverse);
  }

  void Seek(std::string_view target) override {
    status_ = Status::OK();
    for (auto& child : children_) child->Seek(target);
    Rebuild(Direction::kForward);
  }

  void Next() override {
    assert(Valid());
    if (direction_ != Direction::kForward && !SwitchToForward()) return;
    current_->Next();
    AfterTopMoved();
  }

  void Prev() override {
    assert(Valid());
    if (direction_ != Direction::kReverse && !SwitchToReverse()) return;
    current_->Prev();
    AfterTopMoved();
  }

 private:
  enum class Direction { kForward, kReverse };

  // True if a goes nearer the top of the heap than b.
  bool Before(InternalIterator* a, InternalIterator* b) const {
    const int c = cmp_->Compare(a->key(), b->key());
    return direction_ == Direction::kForward ? c < 0 : c > 0;
  }

  void SiftDown(size_t i) {
    const size_t n = heap_.size();
    InternalIterator* item = heap_[i];
    while (true) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Before(heap_[child + 1], heap_[child])) child++;
      if (!Before(heap_[child], item)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = item;
  }

  // Puts every valid child in the heap; fails on a child's error.
  void Rebuild(Direction direction) {
    direction_ = direction;
    heap_.clear();
    current_ = nullptr;
    for (auto& child : children_) {
      if (child->Valid()) {
        heap_.push_back(child.get());
      } else if (Status s = child->status(); !s.ok()) {
        Fail(std::move(s));
        return;
      }
    }
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
    if (!heap_.empty()) current_ = heap_[0];
  }

  // current_ (the top) has moved: restores the heap order.
  void AfterTopMoved() {
    if (!current_->Valid()) {
      if (Status s = current_->status(); !s.ok()) {
        Fail(std::move(s));
        return;
      }
      heap_[0] = heap_.back();
      heap_.pop_back();
      if (heap_.empty()) {
        current_ = nullptr;
        return;
      }
    }
    SiftDown(0);
    current_ = heap_[0];
  }

  // The children other than current_ sit before key() (or are exhausted);
  // move each to its first entry after key().
  bool SwitchToForward() {
    InternalIterator* const current = current_;
    const std::string_view k = current->key();
    for (auto& child : children_) {
      if (child.get() == current) continue;
      child->Seek(k);
      if (child->Valid() && cmp_->Compare(k, child->key()) == 0) child->Next();
    }
    Rebuild(Direction::kForward);
    // Every other child is now after k, so current is back on top.
    return current_ != nullptr;
  }

  // The children other than current_ sit after key() (or are exhausted);
  // move each to its last entry before key().
  bool SwitchToReverse() {
    InternalIterator* const current = current_;
    const std::string_view k = current->key();
    for (auto& child : children_) {
      if (child.get() == current) continue;
      child->Seek(k);
      if (child->Valid()) {
        child->Prev();
      } else if (child->status().ok()) {
        child->SeekToLast();  // every entry of the child is before k
      }
      // A child that grows while we look (a memtable with a concurrent
      // writer) may have gained entries between Seek and Prev: step back
      // until the child is strictly before k, or this entry would repeat.
      while (child->Valid() && cmp_->Compare(child->key(), k) >= 0) {
        child->Prev();
      }
    }
    Rebuild(Direction::kReverse);
    return current_ != nullptr;
  }

  void Fail(Status s) {
    status_ = std::move(s);
    heap_.clear();
    current_ = nullptr;
  }

  const Comparator* const cmp_;
  std::vector<std::unique_ptr<InternalIterator>> children_;
  std::vector<InternalIterator*> heap_;  // the valid children, as a heap
  InternalIterator* current_ = nullptr;  // heap_[0], or null: !Valid()
  Direction direction_ = Direction::kForward;
  Status status_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewMergingIterator(
    const Comparator* cmp,
    std::vector<std::unique_ptr<InternalIterator>> children) {
  if (children.empty()) return NewEmptyIterator();
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(cmp, std::move(children));
}

}  // namespace shale
