// WriteBatchInternal: the engine's access to a WriteBatch's encoding, which
// is also the payload of every WAL record (docs/format/wal.md).
//
//   rep     := sequence:fixed64 count:fixed32 record{count}
//   record  := kTypeValue           key:lpstr value:lpstr
//            | kTypeDeletion        key:lpstr
//            | kTypeValueWithExpiry key:lpstr stored:lpstr
//   stored  := expire_at_ms:fixed64 user_value     (so stored is >= 8 bytes)
//   lpstr   := length:varint32 bytes[length]
//
// The type byte is the ValueType of db/dbformat.h, and the value field is the
// value exactly as the memtable and tables store it for that type, so a
// record goes into the memtable without re-encoding. The records take the
// sequence numbers sequence, sequence + 1, ... in order.
#ifndef SHALE_DB_WRITE_BATCH_INTERNAL_H_
#define SHALE_DB_WRITE_BATCH_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "db/dbformat.h"
#include "shale/status.h"
#include "shale/write_batch.h"

namespace shale {

class WriteBatchInternal {
 public:
  // sequence (8) + count (4).
  static constexpr size_t kHeaderSize = 12;

  static uint32_t Count(const WriteBatch* batch);
  static void SetCount(WriteBatch* batch, uint32_t n);

  // The sequence number of the batch's first record.
  static SequenceNumber Sequence(const WriteBatch* batch);
  static void SetSequence(WriteBatch* batch, SequenceNumber seq);

  // The encoding; valid until the batch changes.
  static std::string_view Contents(const WriteBatch* batch) {
    return batch->rep_;
  }
  static size_t ByteSize(const WriteBatch* batch) { return batch->rep_.size(); }

  // Replaces the batch with a copy of an encoding read back from a WAL.
  // Checks only that the header is present (Corruption otherwise); Iterate
  // checks the records.
  [[nodiscard]] static Status SetContents(WriteBatch* batch,
                                          std::string_view contents);

  // Appends src's records to dst and adds the counts (group commit). dst
  // keeps its sequence number.
  static void Append(WriteBatch* dst, const WriteBatch* src);

  // Visits each record in its encoded form; see RecordHandler.
  class RecordHandler {
   public:
    virtual ~RecordHandler() = default;
    // stored_value is empty for kTypeDeletion and, for kTypeValueWithExpiry,
    // fixed64(expire_at_ms) | user value (at least 8 bytes).
    virtual void Record(ValueType type, std::string_view key,
                        std::string_view stored_value) = 0;
  };
  // Validates like WriteBatch::Iterate: a truncated record, an unknown type,
  // a short expiring value or a count that does not match the records is a
  // Corruption. The whole batch is checked before the handler sees any
  // record, so a damaged batch is never half applied.
  [[nodiscard]] static Status IterateRecords(const WriteBatch* batch,
                                             RecordHandler* handler);
};

}  // namespace shale

#endif  // SHALE_DB_WRITE_BATCH_INTERNAL_H_
