// WriteBatch: a set of updates applied atomically by DB::Write.
//
// After any crash either every update of a batch is visible or none is.
// Updates apply in the order added, so a later Put of the same key wins.
//
// Thread safety: a batch needs external synchronization for concurrent use.
#ifndef SHALE_INCLUDE_WRITE_BATCH_H_
#define SHALE_INCLUDE_WRITE_BATCH_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "shale/status.h"

namespace shale {

class WriteBatch {
 public:
  WriteBatch();

  // Stores key -> value, with no expiry.
  void Put(std::string_view key, std::string_view value);
  // Stores key -> value, invisible to reads once the wall clock passes
  // expire_at_ms (milliseconds since the Unix epoch); 0 means never.
  void Put(std::string_view key, std::string_view value, uint64_t expire_at_ms);
  // Removes key if present.
  void Delete(std::string_view key);

  void Clear();
  // Number of updates in the batch.
  uint32_t Count() const;
  // Bytes of the batch's encoded form (roughly keys plus values).
  size_t ApproximateSize() const { return rep_.size(); }

  // Calls the handler once per update, in order. Returns Corruption if the
  // batch's encoding is damaged.
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void Put(std::string_view key, std::string_view value,
                     uint64_t expire_at_ms) = 0;
    virtual void Delete(std::string_view key) = 0;
  };
  Status Iterate(Handler* handler) const;

 private:
  friend class WriteBatchInternal;

  // See src/db/write_batch_internal.h and docs/format/wal.md for the layout.
  std::string rep_;
};

}  // namespace shale

#endif  // SHALE_INCLUDE_WRITE_BATCH_H_
