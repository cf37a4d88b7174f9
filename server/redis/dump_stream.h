// DUMP and RESTORE of a stream (cmd_dump.cc calls these): the stream's
// entries, metadata, consumer groups, consumers and pending entries as
// Redis 7.0's STREAM_LISTPACKS_2 object, and back. docs/impl.md, "DUMP and
// RESTORE"; the bytes: docs/format/dump_payload.md, "Streams".
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_REDIS_DUMP_STREAM_H_
#define SHALE_SERVER_REDIS_DUMP_STREAM_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "server/rdb/stream_decoder.h"
#include "server/redis/command.h"

namespace shale::server {

// Appends the object of the found stream c (its type byte first) to *out,
// streamed from its iterators: the entries from the first, packed into
// nodes by the live stream-node-max-bytes / -entries; then each group (in
// name order) with its pending entries (ID order) and consumers (name
// order) with the IDs they own. compress: rdbcompression.
// Corruption if the records disagree with the counts they keep.
Status DumpStream(CommandContext& ctx, Collection* c, bool compress,
                  std::string* out);

// Writes the decoded stream v as key (absent in the Tx), with expire_at_ms
// (0: none), in the Tx: the entries, the metadata, then each group (a new
// group id), its consumers and its pending entries, so that every stream
// command answers as on the Redis the payload came from. A type 15 group's
// entries_read is estimated as Redis's loader does. Marks the key ready
// (its XREAD and XREADGROUP waiters are served, as after Redis's dbAdd).
Status WriteStream(CommandContext& ctx, std::string_view key,
                   const rdb::StreamValue& v, uint64_t expire_at_ms);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_DUMP_STREAM_H_
