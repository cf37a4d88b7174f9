// What the stream commands (cmd_stream.cc, cmd_stream_read.cc,
// cmd_stream_info.cc) share: opening a stream key with Redis's WRONGTYPE
// rule, parsing IDs with Redis 7.0's error, and replying entries and ranges
// as Redis's streamReplyWithRange does.
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_REDIS_STREAM_CMD_H_
#define SHALE_SERVER_REDIS_STREAM_CMD_H_

#include <cstdint>
#include <string_view>

#include "server/keyspace/stream.h"
#include "server/keyspace/stream_group.h"
#include "server/redis/collection_cmd.h"

namespace shale::server {

inline constexpr const char* kErrInvalidStreamId =
    "ERR Invalid stream ID specified as stream command argument";

// ParseStreamId (keyspace/stream.h), writing Redis's error on failure.
bool ParseIdOrReply(CommandContext& ctx, std::string_view arg,
                    uint64_t missing_seq, bool strict, StreamId* id,
                    bool* seq_given = nullptr);

// Replies the entries of s with IDs in [start, end] (walking back from end
// if rev), at most count of them (0: all), as Redis's streamReplyWithRange:
// an array of [id, [field, value ...]]. Reads only what it returns.
// REQUIRES: s's collection found. On an engine error the partial reply is
// replaced by the error; false then.
bool ReplyStreamRange(RespWriter* w, Stream* s, StreamId start, StreamId end,
                      uint64_t count, bool rev);

// One entry as [id, [field, value ...]] from an iterator's position; false
// (nothing written) if the entry does not decode.
bool ReplyStreamEntry(RespWriter* w, std::string_view sub,
                      std::string_view value);

// Opens stream key for reading and its consumer group group into *g; false
// with the reply written: an engine error, WRONGTYPE, or Redis's
// "NOGROUP No such key '<key>' or consumer group '<group>'" when either is
// missing (XPENDING, XCLAIM, XAUTOCLAIM).
bool OpenStreamGroup(CommandContext& ctx, Collection* c, std::string_view key,
                     std::string_view group, StreamGroup* g);

// A range bound as Redis's streamParseIntervalIDOrReply: "-", "+", an ID
// (a missing seq is missing_seq) or "(id" (strict), exclusive bounds moved
// one ID inward (start: up, else down) with Redis's "invalid start/end ID
// for the interval" at the ends. False with the error written.
bool ParseIntervalId(CommandContext& ctx, std::string_view arg,
                     uint64_t missing_seq, StreamId* id, bool start);

// Finds consumer name in group g (named group) of the stream c, creating
// it if absent (*created): the consumer (seen now, nothing pending) and
// the group's count are written, and "xgroup-createconsumer" recorded.
// *con (if not null) is the consumer's record, as found or created.
Status CreateConsumer(CommandContext& ctx, Collection* c,
                      std::string_view group, StreamGroup* g,
                      std::string_view name, bool* created,
                      StreamConsumer* con = nullptr);

// XPENDING's two replies for group g: the summary (count, first and last
// pending IDs, the consumers with pending entries), and the entries with
// IDs in [start, end] (at most count; idle at least min_idle ms; of one
// consumer if with_consumer: none if it does not exist).
Status ReplyPendingSummary(CommandContext& ctx, StreamGroups* groups,
                           const StreamGroup& g);
Status ReplyPendingRange(CommandContext& ctx, StreamGroups* groups,
                         const StreamGroup& g, StreamId start, StreamId end,
                         uint64_t count, int64_t min_idle, bool with_consumer,
                         std::string_view consumer);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_STREAM_CMD_H_
