// The RESP command table: one declarative entry per command (name, arity,
// flags, key positions, handler), grouped in one file per command group:
//   cmd_string.cc  strings (GET SET INCR APPEND ...)
//   cmd_bits.cc    bits of strings (SETBIT BITCOUNT BITOP ...);
//                  cmd_bitfield.cc: BITFIELD
//   cmd_lcs.cc     LCS
//   cmd_hash.cc    hashes (HSET HGET HSCAN ...)
//   cmd_set.cc     sets (SADD SMEMBERS SPOP ...); cmd_set_ops.cc: SINTER..
//   cmd_zset.cc    sorted sets (ZADD ZSCORE ZRANK ...); cmd_zset_range.cc:
//                  ZRANGE..; cmd_zset_ops.cc: ZUNION..; cmd_zset_pop.cc:
//                  ZPOPMIN ZRANDMEMBER ZSCAN ...
//   cmd_list.cc    lists at the ends and by index (LPUSH LPOP LRANGE LMOVE
//                  ...); cmd_list_edit.cc: LINSERT LREM LTRIM LPOS
//   cmd_stream.cc  streams (XADD XDEL XTRIM XSETID XLEN);
//                  cmd_stream_read.cc: XRANGE XREVRANGE XREAD;
//                  cmd_stream_info.cc: XINFO; cmd_stream_group.cc:
//                  XGROUP XACK XPENDING; cmd_stream_claim.cc: XCLAIM
//                  XAUTOCLAIM
//   cmd_keys.cc    the keyspace (DEL EXPIRE TTL SCAN RENAME FLUSHDB ...)
//   cmd_dump.cc    DUMP RESTORE (the value codec: server/rdb/)
//   cmd_sort.cc    SORT SORT_RO
//   cmd_script.cc  scripts (EVAL EVALSHA SCRIPT ...)
//   cmd_function.cc functions (FCALL FUNCTION ...)
//   cmd_server.cc  connection and server (PING HELLO AUTH CLIENT CONFIG INFO
//   ...)
//
// A handler gets the parsed arguments (args[0] is the command name as sent)
// after the session has checked arity and authentication, and writes exactly
// one reply through ctx.w.
//
// A container command (CONFIG, COMMAND ...) lists its subcommands as specs
// of their own, as Redis 7 does: the session resolves `CONFIG GET` to the
// subcommand config|get, checks its arity, runs its handler and counts its
// statistics apart; an unknown subcommand is answered "ERR unknown
// subcommand 'x'. Try CONFIG HELP.". The container's own handler (if any)
// runs when it is called with no subcommand (COMMAND).
#ifndef SHALE_SERVER_REDIS_COMMAND_H_
#define SHALE_SERVER_REDIS_COMMAND_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/keyspace/collection.h"  // kErrWrongType
#include "server/keyspace/tx.h"
#include "server/protocol/resp/resp_writer.h"
#include "server/redis/command_stats.h"
#include "server/server_state.h"
#include "server/util/glob.h"  // GlobMatch, GlobPattern

namespace shale::server {

class RespSession;

struct CommandContext {
  ServerState* server;
  ClientState* client;
  RespSession* session;
  RespWriter* w;
  // The command's transaction, bound to the client's selected database:
  // reads see its writes; the dispatcher commits it after the handler.
  Tx* tx;
  // Set while a write serves a blocked client (cmd_blocking.cc): the key
  // its command may pop from; session and client are then nullptr.
  const std::string* serving_key = nullptr;
  Tx* ks() { return tx; }
  Keyspace* keyspace() { return server->ks; }
};

using Args = std::vector<std::string>;
using CommandHandler = void (*)(CommandContext& ctx, Args& args);

enum CommandFlags : uint32_t {
  kCmdWrite = 1 << 0,     // may modify the keyspace
  kCmdReadOnly = 1 << 1,  // reads the keyspace only
  kCmdFast = 1 << 2,      // O(1) or O(log n)
  kCmdNoAuth = 1 << 3,    // allowed before AUTH
  kCmdAdmin = 1 << 4,
  kCmdLoading = 1 << 5,  // connection-level (PING, ECHO, HELLO ...)
  kCmdAllKeys = 1 << 6,  // locks every stripe (FLUSHDB, SWAPDB ...)
  // Runs at once inside MULTI instead of being queued (MULTI EXEC DISCARD
  // WATCH QUIT RESET, as Redis).
  kCmdTxControl = 1 << 7,
  kCmdPubSub = 1 << 8,  // Redis's "pubsub" flag
  kCmdNoScript = 1 << 9,
  // Redis's "may_replicate": not a write, but CLIENT PAUSE WRITE holds it
  // (PUBLISH).
  kCmdMayReplicate = 1 << 10,
  // The key positions name shard channels, not keys: no key locks, no
  // max_key_bytes check (the command checks its own bound).
  kCmdNotKey = 1 << 11,
  // Redis's "skip_slowlog": never logged by SLOWLOG (EXEC: its commands
  // are logged one by one).
  kCmdSkipSlowlog = 1 << 12,
  // Runs a script (EVAL ...): EXEC locks every stripe when one is queued.
  kCmdScript = 1 << 13,
};

struct CommandSpec {
  const char* name;  // lowercase
  int arity;         // > 0: exactly; < 0: at least -arity (name included)
  uint32_t flags;
  CommandHandler handler;
  int first_key, last_key, step;  // as COMMAND INFO reports them
  const char* group;              // "string", "keyspace", "connection", ...
  const char* summary;            // a line about it (COMMAND DOCS answers
                                  // Redis's own documentation)
  // A container's subcommands; each spec's name is the subcommand's own
  // ("get"), its arity counts the container's name too (CONFIG GET: -3).
  std::span<const CommandSpec> subcommands = {};
};

// The keys a write command locks, as (database, key): the command table's
// first/last/step in database db, plus what commands with other key
// positions need (MOVE, COPY ... DB: the key in the target database too).
// Appends to *keys. Commands flagged kCmdAllKeys lock every stripe instead.
void CommandKeys(const CommandSpec& cmd, const Args& args, int db,
                 std::vector<Tx::DbKey>* keys);
// True if CommandKeys finds every key cmd may touch: the table's positions,
// or a numkeys argument (ZMPOP, LMPOP ...), or XREADGROUP's STREAMS.
bool CommandKeysKnown(const CommandSpec& cmd);

// One command or subcommand as the server runs it: its spec, its full name
// ("config|get") and its statistics. Built once from the specs; never
// destroyed.
struct Command : CommandSpec {
  std::string fullname;
  const Command* parent = nullptr;   // a subcommand's container
  std::vector<const Command*> subs;  // a container's subcommands
  mutable CommandStats stats;        // INFO commandstats

  bool container() const { return !subs.empty(); }
  // The subcommand named `name` (case-insensitive), or nullptr.
  const Command* FindSubcommand(std::string_view name) const;
};

// Looks a top-level command up by name, case-insensitively; nullptr if
// unknown.
const Command* LookupCommand(std::string_view name);
// Every top-level command, in table order.
const std::vector<const Command*>& AllCommands();
// The command a request runs: the subcommand args[1] names for a container
// called with one, else the command args[0] names; nullptr if unknown.
const Command* ResolveCommand(const Args& args);
// Looks "name" or "container|sub" up; nullptr if unknown.
const Command* LookupCommandByFullName(std::string_view fullname);

// The groups' tables (defined in cmd_*.cc).
std::span<const CommandSpec> StringCommands();
std::span<const CommandSpec> HashCommands();
std::span<const CommandSpec> BitCommands();
std::span<const CommandSpec> BitFieldCommands();
std::span<const CommandSpec> LcsCommands();
std::span<const CommandSpec> SetCommands();          // cmd_set.cc
std::span<const CommandSpec> SetOpCommands();        // cmd_set_ops.cc
std::span<const CommandSpec> ZSetCommands();         // cmd_zset.cc
std::span<const CommandSpec> ZSetRangeCommands();    // cmd_zset_range.cc
std::span<const CommandSpec> ZSetOpCommands();       // cmd_zset_ops.cc
std::span<const CommandSpec> ZSetPopCommands();      // cmd_zset_pop.cc
std::span<const CommandSpec> SetCommands();          // cmd_set.cc
std::span<const CommandSpec> SetOpCommands();        // cmd_set_ops.cc
std::span<const CommandSpec> ListCommands();         // cmd_list.cc
std::span<const CommandSpec> BlockingCommands();     // cmd_blocking.cc
std::span<const CommandSpec> ListEditCommands();     // cmd_list_edit.cc
std::span<const CommandSpec> StreamCommands();       // cmd_stream.cc
std::span<const CommandSpec> StreamReadCommands();   // cmd_stream_read.cc
std::span<const CommandSpec> StreamInfoCommands();   // cmd_stream_info.cc
std::span<const CommandSpec> StreamGroupCommands();  // cmd_stream_group.cc
std::span<const CommandSpec> StreamClaimCommands();  // cmd_stream_claim.cc
std::span<const CommandSpec> KeyCommands();
std::span<const CommandSpec> DumpCommands();  // cmd_dump.cc
std::span<const CommandSpec> SortCommands();  // cmd_sort.cc
std::span<const CommandSpec> ServerCommands();
std::span<const CommandSpec> MultiCommands();
std::span<const CommandSpec> PubSubCommands();
std::span<const CommandSpec> ConfigCommands();
std::span<const CommandSpec> SlowlogCommands();
std::span<const CommandSpec> ScriptCommands();    // cmd_script.cc
std::span<const CommandSpec> FunctionCommands();  // cmd_function.cc

// Runs a resolved command's handler and counts it in its statistics (one
// call, its time, failed if it replied an error). Arity and authentication
// are the caller's to check (see RespSession::Execute).
void CallCommand(const Command* cmd, CommandContext& ctx, Args& args);
// Logs a command that ran for usec into SLOWLOG if slowlog-log-slower-than
// asks for it (cmd_slowlog.cc), with Redis's redactions (AUTH, HELLO AUTH,
// CONFIG SET of a sensitive parameter).
void MaybeSlowlog(const Command* cmd, CommandContext& ctx, const Args& args,
                  uint64_t usec);

// --- argument helpers shared by the groups ---------------------------------

// Redis's error texts, used verbatim because clients parse them.
inline constexpr const char* kErrNotInt =
    "ERR value is not an integer or out of range";
inline constexpr const char* kErrNotFloat = "ERR value is not a valid float";
inline constexpr const char* kErrSyntax = "ERR syntax error";
inline constexpr const char* kErrOverflow =
    "ERR increment or decrement would overflow";
inline constexpr const char* kErrTooBig =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

// Strict integer parsing as Redis's string2ll: optional '-', no '+', no
// blanks, no leading zeros, within int64.
bool ParseInt64(std::string_view s, int64_t* v);
// Redis's string2ld: strtold of the whole argument, nothing around it; no
// NaN, no overflow, no underflow to zero ("inf" itself parses).
bool ParseLongDouble(std::string_view s, long double* v);
// A SCAN-family cursor as Redis reads it (strtoul of the argument as a C
// string): optional sign, decimal digits, nothing else; "" is 0, a
// negative number wraps. False on anything else or on overflow.
bool ParseScanCursor(std::string_view s, uint64_t* v);
// A long double as Redis's ld2string(LD_STR_HUMAN) writes it: %.17Lf with
// trailing zeros cut ("-0" is "0"): INCRBYFLOAT's and HINCRBYFLOAT's reply.
std::string HumanDouble(long double v);
// Lowercase copy, for option names.
std::string Lower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// Whether argument arg names the option name, as Redis compares options
// (strcasecmp: the argument read as a C string, so "NX\0junk" is NX).
inline bool OptionIs(std::string_view arg, std::string_view name) {
  return EqualsIgnoreCase(arg.substr(0, arg.find('\0')), name);
}

// The part of s before its first NUL: what Redis prints where it formats
// an argument with %s.
std::string_view CString(std::string_view s);
// "ERR invalid expire time in 'cmd' command".
void ReplyInvalidExpire(RespWriter* w, std::string_view cmd);

// As Redis's addReplyErrorFormat: CR and LF at the ends of msg are cut
// (those inside become spaces, as in every error).
void ReplyErrorFormat(RespWriter* w, std::string_view msg);

// Writes an engine error (anything but NotFound) as a RESP error.
void ReplyStatus(RespWriter* w, const Status& s);
// "ERR wrong number of arguments for 'x' command".
void ReplyArity(RespWriter* w, std::string_view name);
// "ERR unknown subcommand 'x'. Try CMD HELP." (x cut at 128 bytes).
std::string UnknownSubcommandError(std::string_view cmd, std::string_view sub);
void ReplyUnknownSubcommand(RespWriter* w, std::string_view cmd,
                            std::string_view sub);
// A HELP reply: "CMD <subcommand> [<arg> [value] [opt] ...]. Subcommands
// are:", the lines, then the HELP line, as Redis's addReplyHelp.
void ReplyHelp(RespWriter* w, std::string_view cmd,
               std::span<const char* const> lines);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_COMMAND_H_
