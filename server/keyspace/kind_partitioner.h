// KindPartitioner: the server's TablePartitioner (shale/table_partitioner.h).
//
// Every engine key starts with its kind byte (docs/format/server_keys.md
// §1): key metadata, collection elements, sorted-set score indexes, stream
// groups, the expiry index. A collection's metadata is rewritten by every
// write to it, so without a cut every flush would span from the metadata
// kind to the newest elements, overlap everything below and make each
// level-0 compaction rewrite the level under it: appending to one big
// stream, list or sorted set slowed down as it grew (docs/bench.md, "a
// stream of 50 million entries"). Cut at kind changes, the appended
// elements get files of their own that move down untouched.
#ifndef SHALE_SERVER_KEYSPACE_KIND_PARTITIONER_H_
#define SHALE_SERVER_KEYSPACE_KIND_PARTITIONER_H_

#include <string_view>

#include "server/keyspace/key_codec.h"
#include "shale/table_partitioner.h"

namespace shale::server {

class KindPartitioner final : public TablePartitioner {
 public:
  bool ShouldPartition(std::string_view prev,
                       std::string_view next) const override {
    return KindOf(prev) != KindOf(next);
  }
  const char* Name() const override { return "shale.server.kind"; }
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_KIND_PARTITIONER_H_
