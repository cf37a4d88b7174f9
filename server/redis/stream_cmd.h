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

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_STREAM_CMD_H_
