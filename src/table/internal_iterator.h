// InternalIterator: the cursor every engine structure exposes (memtable,
// block, table, level, merge). Keys are internal keys (db/dbformat.h) except
// inside blocks that hold plain keys (index blocks hold internal keys too).
//
// Same contract as the public shale::Iterator, minus SeekForPrev: key() and
// value() stay valid until the iterator moves; errors land in status() and
// make Valid() false.
#ifndef SHALE_TABLE_INTERNAL_ITERATOR_H_
#define SHALE_TABLE_INTERNAL_ITERATOR_H_

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "shale/status.h"

namespace shale {

class InternalIterator {
 public:
  InternalIterator() = default;
  InternalIterator(const InternalIterator&) = delete;
  InternalIterator& operator=(const InternalIterator&) = delete;
  // Runs registered cleanups, in registration order.
  virtual ~InternalIterator();

  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // First entry with key >= target.
  virtual void Seek(std::string_view target) = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;

  // Runs fn when the iterator is destroyed (releases a pinned block, a table
  // handle, a version reference).
  void RegisterCleanup(std::function<void()> fn) {
    cleanups_.push_back(std::move(fn));
  }

 private:
  std::vector<std::function<void()>> cleanups_;
};

// An iterator over nothing, with the given status.
std::unique_ptr<InternalIterator> NewEmptyIterator(Status s = Status::OK());

}  // namespace shale

#endif  // SHALE_TABLE_INTERNAL_ITERATOR_H_
