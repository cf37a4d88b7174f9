// BlockBuilder: encodes sorted key/value pairs into one block.
//
// Byte grammar (docs/format/sstable.md, "Blocks"):
//
//   block   := entry* | fixed32 restart[num_restarts] | fixed32 num_restarts
//   entry   := varint32 shared | varint32 unshared | varint32 value_len
//              | key_delta[unshared] | value[value_len]
//
// An entry's key is the first `shared` bytes of the previous entry's key
// followed by key_delta. Every restart_interval-th entry is a restart point:
// it stores its whole key (shared = 0) and its offset is listed in restart[],
// so a reader can binary-search the restart points. A block always has at
// least one restart point (offset 0, even when it holds no entries).
//
// Thread safety: none; one builder per thread.
#ifndef SHALE_TABLE_BLOCK_BUILDER_H_
#define SHALE_TABLE_BLOCK_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shale {

class BlockBuilder {
 public:
  // REQUIRES: restart_interval >= 1.
  explicit BlockBuilder(int restart_interval);
  BlockBuilder(const BlockBuilder&) = delete;
  BlockBuilder& operator=(const BlockBuilder&) = delete;

  // Starts a new, empty block; the memory of the last one is reused.
  void Reset();

  // REQUIRES: Finish() not called since the last Reset(); key sorts after
  // every key added since then (the caller's comparator); key and value
  // below 4 GiB, and the block stays below 4 GiB.
  void Add(std::string_view key, std::string_view value);

  // Appends the restart array and returns the block's contents, valid until
  // the next Reset() or destruction.
  std::string_view Finish();

  // The size of the block if Finish() were called now.
  size_t CurrentSizeEstimate() const {
    return buffer_.size() + 4 * restarts_.size() + 4;
  }

  bool empty() const { return buffer_.empty(); }

 private:
  const int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int counter_ = 0;  // entries since the last restart point
  bool finished_ = false;
  std::string last_key_;
};

}  // namespace shale

#endif  // SHALE_TABLE_BLOCK_BUILDER_H_
