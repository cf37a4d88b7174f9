// BatchDedup: drops from a WriteBatch the writes that a later write of the
// same key in the same batch replaces.
//
// The Tx of a pipelined run or of an EXEC often writes one key many times:
// a list's metadata once per LPOP, a consumer group's record once per
// XREADGROUP. The engine applies a batch's records in order, each with its
// own sequence number, and no reader sees part of a batch (its sequence is
// published after the last record), so only the last write of each key can
// ever be read. The others would each cost a memtable insert (the largest
// part of a pipelined XREADGROUP's time), WAL bytes and compaction work.
//
// Thread safety: none (one Tx's).
#ifndef SHALE_SERVER_KEYSPACE_BATCH_DEDUP_H_
#define SHALE_SERVER_KEYSPACE_BATCH_DEDUP_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "shale/write_batch.h"

namespace shale::server {

class BatchDedup {
 public:
  // If batch writes some key more than once, fills *out with the records
  // of batch that no later record of the same key replaces, in batch
  // order, and returns true. Otherwise returns false and leaves *out as it
  // was. Reuses its buffers: no allocation once they have grown.
  bool Compact(const WriteBatch& batch, WriteBatch* out);

 private:
  struct Record {
    std::string_view key;
    std::string_view value;  // the payload (a Put's)
    uint64_t expire_at_ms;
    bool deleted;
    bool replaced;  // a later record writes the same key
  };
  class Collector;

  std::vector<Record> records_;  // views into the batch being compacted
  // Open addressing over records_: index + 1, or 0 for an empty slot.
  std::vector<uint32_t> slots_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_BATCH_DEDUP_H_
