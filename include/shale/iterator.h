// Iterator: an ordered cursor over a DB's keys (bytewise order).
//
// A new iterator is not positioned: call one of the Seek functions first.
// key() and value() point into memory owned by the iterator and stay valid
// until it moves or is destroyed. An iterator sees the DB as of its creation
// (or its snapshot): later writes are invisible to it.
//
// Thread safety: an iterator may be used by one thread at a time; distinct
// iterators may be used concurrently.
#ifndef SHALE_INCLUDE_ITERATOR_H_
#define SHALE_INCLUDE_ITERATOR_H_

#include <string_view>

#include "shale/status.h"

namespace shale {

class Iterator {
 public:
  Iterator() = default;
  Iterator(const Iterator&) = delete;
  Iterator& operator=(const Iterator&) = delete;
  virtual ~Iterator() = default;

  // True when positioned at an entry. False at either end or on error
  // (check status()).
  virtual bool Valid() const = 0;

  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first key >= target.
  virtual void Seek(std::string_view target) = 0;
  // Positions at the last key <= target.
  virtual void SeekForPrev(std::string_view target) = 0;

  // REQUIRES: Valid().
  virtual void Next() = 0;
  // REQUIRES: Valid().
  virtual void Prev() = 0;

  // REQUIRES: Valid().
  virtual std::string_view key() const = 0;
  // REQUIRES: Valid().
  virtual std::string_view value() const = 0;

  // Non-OK when the iterator met an error (a corrupt block, an I/O error);
  // Valid() is then false.
  virtual Status status() const = 0;
};

}  // namespace shale

#endif  // SHALE_INCLUDE_ITERATOR_H_
