// ElementIterator: the elements of one collection incarnation (the entries
// under one `kind ns keylen key version` prefix, docs/format/server_keys.md
// §4), in engine-key order, with a Tx's pending element writes laid over
// the engine's entries (a pending delete hides an entry; a pending put
// replaces or adds one).
//
// It walks either way: Seek/SeekToFirst then Next walk forward,
// SeekForPrev/SeekToLast then Prev walk backward (a walk does not turn
// around: Next after a backward seek, or Prev after a forward one, is not
// supported).
//
// The engine side reads at one snapshot (or the latest state, for a Tx
// that holds the key's lock, where nothing else can change it), so a
// reader sees the elements of one point in the write order.
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_KEYSPACE_ELEMENT_ITERATOR_H_
#define SHALE_SERVER_KEYSPACE_ELEMENT_ITERATOR_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/keyspace/element_writes.h"
#include "shale/db.h"

namespace shale::server {

class ElementIterator {
 public:
  // Iterates the engine keys that start with prefix (at snap, or the
  // latest state if null), overlay over them (sorted by key, one write per
  // key, all starting with prefix).
  ElementIterator(DB* db, const Snapshot* snap, std::string prefix,
                  std::vector<ElementWrites::Write> overlay);
  ElementIterator(const ElementIterator&) = delete;
  ElementIterator& operator=(const ElementIterator&) = delete;

  void SeekToFirst() { Seek({}); }
  // Positions at the first element whose sub-key is >= sub.
  void Seek(std::string_view sub);
  // Positions at the last element whose sub-key is <= sub.
  void SeekForPrev(std::string_view sub);
  // Positions at the last element.
  void SeekToLast();
  bool Valid() const { return valid_; }
  // REQUIRES: a forward walk (Seek, SeekToFirst).
  void Next();
  // REQUIRES: a backward walk (SeekForPrev, SeekToLast).
  void Prev();
  // REQUIRES: Valid(). The element's sub-key (field, member ...) and value.
  std::string_view sub() const { return key_.substr(prefix_.size()); }
  std::string_view value() const { return value_; }
  Status status() const { return it_->status(); }

 private:
  // From the two sources' positions, finds the first live element.
  void Settle();
  // Backward: the last live element at or before both positions.
  void SettleBack();

  const std::string prefix_;
  std::string upper_;  // the first key after every key with prefix_
  std::string_view upper_view_;
  std::unique_ptr<Iterator> it_;
  std::string seek_;
  std::vector<ElementWrites::Write> overlay_;
  // Forward: the next overlay write is overlay_[ov_]; backward: the next
  // one is overlay_[ov_ - 1] (none when ov_ == 0).
  size_t ov_ = 0;
  bool valid_ = false;
  bool from_overlay_ = false;  // the current element is overlay_[ov_]
  std::string_view key_, value_;
};

// The first key after every key that starts with prefix ("" if none: a
// prefix of 0xFF bytes only).
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_ELEMENT_ITERATOR_H_
