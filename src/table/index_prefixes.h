// IndexPrefixes: an in-memory digest of a table's index block that lets a
// point lookup find its index entry without a binary search over the
// block. Never on disk: it is derived from the index when a table opens.
//
// The index block has one restart point per entry (TableBuilder writes it
// so; any interval works here), each holding an internal key whose user
// keys are ordered bytewise. Let S be the prefix that the user keys of the
// restart points share (of the first and the second to last: the last is
// usually a short successor of the table's last key, "l" after "key:...").
// The digest keeps, for restart point i, an integer p[i]: the 8 bytes of
// its user key after S, big-endian, zero-padded when the key is shorter;
// 0 for a key before every key starting with S, UINT64_MAX for one after.
// p is non-decreasing, and for any user key k, with p(k) taken the same
// way,
//
//   p[i] < p(k)  implies  user key i < k,
//   p[i] > p(k)  implies  user key i > k,
//
// so the first restart point >= a lookup key lies among the few whose p
// equals p(k) (usually none or one), found by a binary search over p: 8
// contiguous bytes per data block, where a search of the block reads a
// restart offset and a key elsewhere in the block at each step, and calls
// the comparator on it.
//
// Thread safety: immutable after Build; any number of threads may read it.
#ifndef SHALE_TABLE_INDEX_PREFIXES_H_
#define SHALE_TABLE_INDEX_PREFIXES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shale {

class Block;

class IndexPrefixes {
 public:
  // The digest of index, a block of internal keys whose user keys are
  // ordered bytewise (REQUIRED: the table's user comparator is bytewise).
  // nullptr when the block is malformed or empty, or its restart keys are
  // out of order: lookups then search the block as they always did.
  static std::unique_ptr<IndexPrefixes> Build(const Block& index);

  // The restart points [*left, *right] of the index block to search for
  // any internal key with user key user_key, as
  // BlockIter::SeekBetweenRestarts requires: every entry before *left is
  // smaller than such a key, and the key at *right + 1, if any, larger.
  // When every p(k) is distinct (the usual case), a single restart point.
  void Narrow(std::string_view user_key, uint32_t* left, uint32_t* right) const;

  // Bytes of memory held.
  size_t memory_usage() const {
    return sizeof(*this) + shared_.capacity() +
           prefixes_.capacity() * sizeof(uint64_t);
  }
  uint32_t num_restarts() const {
    return static_cast<uint32_t>(prefixes_.size());
  }

 private:
  IndexPrefixes() = default;

  // p(key), as above.
  uint64_t PrefixOf(std::string_view key) const;

  std::string shared_;              // S
  std::vector<uint64_t> prefixes_;  // p[i], one per restart point
  // Each restart point holds one entry (the index blocks TableBuilder
  // writes): an entry before a restart point is then one at a restart
  // point, so its p tells where it stands.
  bool one_entry_per_restart_ = false;
};

}  // namespace shale

#endif  // SHALE_TABLE_INDEX_PREFIXES_H_
