// List: a list key as positions 0 .. size()-1 over its Collection, on the
// encoding of docs/format/server_keys.md §4.4: element i is the entry at
// index head + i, so both ends and any position are one point read or
// write away, and a range is one iterator from its first index.
//
// Pushes and pops at the ends are O(1). Insert and the removals in the
// middle move the entries of the shorter side (Insert) or of the side
// after the first removal (RemoveMatching), one point write each: O(moved)
// writes, all in the command's batch.
//
// REQUIRES for every write: the Tx holds the key's lock, and the caller
// calls Collection::Finish afterwards (metadata: head and count).
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_KEYSPACE_LIST_H_
#define SHALE_SERVER_KEYSPACE_LIST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "server/keyspace/collection.h"

namespace shale::server {

class List {
 public:
  // c: opened with KeyType::kList and not of the wrong type.
  explicit List(Collection* c) : c_(c) {}

  uint64_t size() const { return c_->found() ? c_->count() : 0; }

  // The element at position i (REQUIRES: i < size()). Corruption if the
  // entry is missing.
  Status Get(uint64_t i, std::string* value);
  // Overwrites position i (REQUIRES: i < size()).
  void Set(uint64_t i, std::string_view value);

  void PushFront(std::string_view value);
  void PushBack(std::string_view value);
  // REQUIRES: size() > 0.
  Status PopFront(std::string* value);
  Status PopBack(std::string* value);

  // An iterator positioned at position i (REQUIRES: i < size()); the
  // caller stops after size() - i elements. Its sub() is the entry's
  // index, its value() the element.
  std::unique_ptr<ElementIterator> IterateFrom(uint64_t i);

  // Inserts value at position i (0 <= i <= size()): it becomes element i,
  // those after it move one up. Moves min(i, size() - i) entries.
  Status Insert(uint64_t i, std::string_view value);

  // Removes the elements equal to value: the first `limit` of them from
  // the front if from_front, else from the back (limit 0: all). *removed
  // says how many. Reads forward from the front (from_front) or point by
  // point from the back; moves every element after (before) the first
  // removal.
  Status RemoveMatching(std::string_view value, uint64_t limit, bool from_front,
                        uint64_t* removed);

  // Keeps positions [start, stop] only (REQUIRES: start <= stop < size()):
  // deletes the others, O(removed).
  void Trim(uint64_t start, uint64_t stop);
  // The engine sub-key of index idx (8 bytes, big-endian).
  static std::string IndexSub(uint64_t idx);

 private:
  uint64_t head() const { return c_->meta().list_head; }
  void PutIndex(uint64_t idx, std::string_view value);
  void DeleteIndex(uint64_t idx);
  Status GetIndex(uint64_t idx, std::string* value);

  Collection* const c_;
  std::string sub_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_LIST_H_
