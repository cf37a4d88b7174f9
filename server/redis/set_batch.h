// SetBatch: consecutive plain `SET key value` commands of one pipeline are
// written as one engine WriteBatch instead of one write each.
//
// Each engine write pays for a trip through the writer queue and a WAL
// append; a pipeline of SETs pays it once. The batch is flushed (written,
// then its "+OK" replies appended) before any other command of the pipeline
// runs and whenever the session runs out of input, so replies keep their
// order and no SET is acknowledged before it is in the WAL. The SETs of one
// batch become visible together, which no client can tell from one-by-one.
#ifndef SHALE_SERVER_REDIS_SET_BATCH_H_
#define SHALE_SERVER_REDIS_SET_BATCH_H_

#include <string>
#include <vector>

#include "server/keyspace/keyspace.h"
#include "server/protocol/resp/resp_writer.h"

namespace shale::server {

class SetBatch {
 public:
  // Flush once this many SETs or bytes are pending.
  static constexpr size_t kMaxCount = 256;
  static constexpr size_t kMaxBytes = 1 << 20;

  // Takes the key and value (moved from). Returns true if the batch is full
  // and should be flushed now.
  bool Add(std::string* key, std::string* value);
  bool empty() const { return keys_.empty(); }

  // Writes the pending SETs atomically under their keys' locks and appends
  // one reply each (+OK, or the engine's error for every one).
  void Flush(Keyspace* ks, RespWriter* w);

 private:
  std::vector<std::string> keys_, values_;
  size_t bytes_ = 0;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_SET_BATCH_H_
