// Block: the parsed, read-only form of a block written by BlockBuilder
// (grammar in table/block_builder.h), and BlockIter, the cursor over it.
//
// Nothing in a block is trusted: every offset and length is checked against
// the block's bounds, and a malformed block or entry makes the iterator
// invalid with a Corruption status instead of reading out of bounds.
//
// Thread safety: a Block is immutable after construction and may be read by
// any number of iterators on any threads. A BlockIter is used by one thread.
#ifndef SHALE_TABLE_BLOCK_H_
#define SHALE_TABLE_BLOCK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "table/format.h"
#include "table/internal_iterator.h"

namespace shale {

class Comparator;

class Block {
 public:
  // Takes the contents (and their memory, if owned). A malformed restart
  // array is not an error here: the block then reads as corrupt.
  explicit Block(BlockContents contents) { Reset(std::move(contents)); }
  // An empty, malformed block, until Reset.
  Block() = default;
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;

  // Replaces the contents (freeing the old ones, if owned).
  void Reset(BlockContents contents);

  // The contents, including the restart array.
  std::string_view data() const { return contents_.data; }
  size_t size() const { return contents_.data.size(); }
  // Bytes of memory this block accounts for.
  size_t memory_usage() const {
    return sizeof(*this) + (contents_.owned ? size() : 0);
  }
  // True when the contents are in memory owned by this Block.
  bool owns_data() const { return contents_.owned != nullptr; }
  // False when the restart array is malformed (every iterator over the
  // block then reports Corruption).
  bool well_formed() const { return num_restarts_ != 0; }

  // Starts loading the restart array, which every search reads first.
  void Prefetch() const {
    if (num_restarts_ != 0) {
      __builtin_prefetch(contents_.data.data() + restart_offset_);
    }
  }

  // An iterator over the block ordered by cmp (see BlockIter::Init). Both
  // the block and cmp must outlive it; error_context (the file name) is
  // borrowed the same way and prefixes Corruption messages.
  std::unique_ptr<InternalIterator> NewIterator(
      const Comparator* cmp, std::string_view error_context,
      uint32_t min_key_size = 0) const;

 private:
  friend class BlockIter;

  BlockContents contents_;
  uint32_t restart_offset_ = 0;  // start of the restart array
  uint32_t num_restarts_ = 0;    // 0: the block is malformed
};

// The growable buffer holding a key rebuilt from a prefix-compressed entry.
// Keys up to kInline bytes never touch the heap.
class KeyBuffer {
 public:
  KeyBuffer() = default;
  KeyBuffer(const KeyBuffer&) = delete;
  KeyBuffer& operator=(const KeyBuffer&) = delete;

  const char* data() const { return data_; }

  // Makes the buffer hold src[0, shared) followed by delta[0, n); src may
  // point into this buffer. Returns the new contents.
  std::string_view Assemble(const char* src, size_t shared, const char* delta,
                            size_t n);

 private:
  static constexpr size_t kInline = 112;
  char inline_[kInline];
  std::unique_ptr<char[]> heap_;
  char* data_ = inline_;
  size_t capacity_ = kInline;
};

// A cursor over one Block. Cheap to construct on the stack (point lookups)
// and re-targetable with Init, which keeps the key buffer's memory. key()
// and value() point into the block (key() into the iterator's own buffer
// for entries that share a prefix) and stay valid until the iterator moves.
class BlockIter final : public InternalIterator {
 public:
  // An iterator over nothing.
  BlockIter() = default;

  // Positions nowhere (invalid) over block; nullptr makes it empty. block,
  // cmp and error_context must outlive the iterator's use of them. A key
  // shorter than min_key_size is Corruption: table blocks hold internal
  // keys (8 bytes at least), which the comparator may assume.
  void Init(const Comparator* cmp, const Block* block,
            std::string_view error_context, uint32_t min_key_size = 0);

  bool Valid() const override { return current_ < restarts_; }
  void SeekToFirst() override;
  void SeekToLast() override;
  void Seek(std::string_view target) override;
  void Next() override;
  void Prev() override;
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return value_; }
  Status status() const override { return status_; }

  // Seek with the search narrowed to restart points [left, right], for a
  // caller that knows more than the block (see table/index_prefixes.h).
  // REQUIRES: every entry before restart point left is < target, and the
  // key at restart point right + 1, if there is one, is >= target.
  void SeekBetweenRestarts(std::string_view target, uint32_t left,
                           uint32_t right);

  // The number of restart points of the block (0 when it is malformed).
  uint32_t num_restarts() const { return num_restarts_; }
  // Sets *key to the key at restart point index (< num_restarts()): a
  // view into the block, valid while the block is. False, with Corruption
  // in status(), if the entry there is malformed.
  bool KeyAtRestart(uint32_t index, std::string_view* key) {
    return RestartKey(index, key);
  }

 private:
  uint32_t RestartPoint(uint32_t index) const;
  void SeekToRestartPoint(uint32_t index);
  // Decodes the entry at next_; false at the end or on corruption.
  bool ParseNextEntry();
  // The full key stored at a restart point (shared must be 0); false and
  // Corruption if malformed.
  bool RestartKey(uint32_t index, std::string_view* key);
  void MarkCorrupt();
  // Decodes the region starting at restart point `region` up to the entry
  // ending at `end`, which becomes current; the entries before it are kept
  // in prev_entries_ for later Prev calls.
  void ScanRegionUntil(uint32_t region, uint32_t end);
  // The binary search over restart points [left, right] and the scan
  // after it, shared by Seek and SeekBetweenRestarts; resume_current: the
  // current entry is before target and in region left, so the scan goes on
  // from it.
  void SeekInRange(std::string_view target, uint32_t left, uint32_t right,
                   bool resume_current);

  const Comparator* cmp_ = nullptr;
  const char* data_ = nullptr;
  std::string_view error_context_;
  uint32_t min_key_size_ = 0;
  uint32_t restarts_ = 0;  // offset of the restart array: the entries' end
  uint32_t num_restarts_ = 0;

  // current_ == restarts_ means !Valid().
  uint32_t current_ = 0;        // offset of the current entry
  uint32_t next_ = 0;           // offset of the entry after it
  uint32_t restart_index_ = 0;  // restart region holding current_
  std::string_view key_;
  std::string_view value_;
  KeyBuffer key_buf_;
  Status status_;

  // Moving backwards decodes a restart region from its start; the entries
  // met on the way are remembered here, so that each further Prev inside
  // the region is O(1) instead of another scan. An entry is used only when
  // it ends exactly where the current one begins; Init forgets them.
  struct PrevEntry {
    uint32_t offset;      // of the entry
    uint32_t next;        // of the entry after it
    uint32_t key_offset;  // in prev_keys_
    uint32_t key_size;
    uint32_t value_offset;  // in the block
    uint32_t value_size;
  };
  std::vector<PrevEntry> prev_entries_;
  std::string prev_keys_;
  uint32_t prev_region_ = 0;  // the restart region the entries belong to
};

}  // namespace shale

#endif  // SHALE_TABLE_BLOCK_H_
