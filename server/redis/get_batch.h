// GetBatch: consecutive plain `GET key` commands of one pipeline are read
// with one Keyspace::MultiGet instead of one engine Get each.
//
// A run of GETs from one pipeline goes through the engine's stages together
// (DB::MultiGet), so the cache misses of different keys' lookups overlap
// instead of following one another. The batch is flushed (read, then its
// replies appended in order) before any other command of the pipeline runs,
// when it is full, and whenever the session runs out of input, so replies
// keep their order and a GET sees every write of the same connection that
// came before it. The GETs of one batch read one view of the DB, which no
// client can tell from reads one after another.
//
// Keys are copied into one buffer as they are added (the parser reuses its
// arguments), and the entries are kept for the next batch, so a pipeline of
// GETs allocates nothing once the buffers have grown.
#ifndef SHALE_SERVER_REDIS_GET_BATCH_H_
#define SHALE_SERVER_REDIS_GET_BATCH_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/keyspace/keyspace.h"
#include "server/protocol/resp/resp_writer.h"

namespace shale::server {

class GetBatch {
 public:
  // Flush once this many GETs are pending.
  static constexpr size_t kMaxCount = 64;

  GetBatch();

  // Adds `GET key`. Returns true if the batch is full and should be flushed
  // now.
  bool Add(std::string_view key);
  bool empty() const { return key_ends_.empty(); }

  // Reads the pending keys and appends one reply each: the value, a null
  // for a missing key, or the engine's error.
  void Flush(KeyspaceDb* db, RespWriter* w);

 private:
  std::string keys_;              // the keys, back to back
  std::vector<size_t> key_ends_;  // where each key ends in keys_
  std::vector<std::string_view> views_;
  std::unique_ptr<Entry[]> entries_;  // kMaxCount
  std::vector<Status> statuses_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_GET_BATCH_H_
