// SetBatch: consecutive plain `SET key value` commands of one pipeline are
// written as one engine WriteBatch instead of one write each.
//
// Each engine write pays for a trip through the writer queue and a WAL
// append; a pipeline of SETs pays it once. The batch is flushed (written,
// then its "+OK" replies appended) before any other command of the pipeline
// runs and whenever the session runs out of input, so replies keep their
// order and no SET is acknowledged before it is in the WAL. The SETs of one
// batch become visible together, which no client can tell from one-by-one.
//
// A SET is encoded into the engine's batch as it is added, and its key
// copied into one buffer (the key locks are taken at Flush), so a pipeline
// of SETs allocates nothing once the buffers have grown. The batch is
// encoded for the database's namespace at Add; should a FLUSHDB have given
// the database a new one before Flush holds the locks, Flush re-encodes it.
#ifndef SHALE_SERVER_REDIS_SET_BATCH_H_
#define SHALE_SERVER_REDIS_SET_BATCH_H_

#include <string>
#include <string_view>
#include <vector>

#include "server/keyspace/keyspace.h"
#include "server/protocol/resp/resp_writer.h"

namespace shale::server {

class SetBatch {
 public:
  // Flush once this many SETs or bytes are pending.
  static constexpr size_t kMaxCount = 256;
  static constexpr size_t kMaxBytes = 1 << 20;

  // Adds `SET key value`. Returns true if the batch is full and should be
  // flushed now.
  // REQUIRES: every Add between two Flushes is for the same database.
  bool Add(KeyspaceDb* db, std::string_view key, std::string_view value);
  bool empty() const { return key_ends_.empty(); }

  // Writes the pending SETs atomically under their keys' locks and appends
  // one reply each (+OK, or the engine's error for every one).
  void Flush(Keyspace* ks, RespWriter* w);

 private:
  // Moves every entry of batch_ to namespace ns.
  Status Reencode(uint32_t ns);

  WriteBatch batch_;
  int db_ = 0;
  uint32_t ns_ = 0;               // the namespace batch_ is encoded for
  std::string keys_;              // the keys, back to back
  std::vector<size_t> key_ends_;  // where each key ends in keys_
  std::vector<std::string_view> views_;
  std::vector<TouchedKey> touched_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_SET_BATCH_H_
