// The blocking pops: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN
// BZPOPMAX BZMPOP, and ServeBlocked, which serves their waiters (and those
// of XREAD and XREADGROUP BLOCK, cmd_stream_read.cc) from a write's Tx
// (blocking.h, blocking_cmd.h).
//
// Each command first does what its non-blocking form does (the pop code of
// cmd_list.cc and cmd_zset_pop.cc) on the first of its keys that holds
// something; if none does, it blocks (RespSession::Block), or inside
// MULTI/EXEC answers at once as on a timeout (nil array, or nil bulk for
// BLMOVE and BRPOPLPUSH). Serving a waiter runs its own handler again in
// the writer's Tx with ctx.serving_key set: only that key is tried, and an
// empty key writes nothing (the waiter stays blocked).
#include <algorithm>
#include <climits>
#include <cmath>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "server/net/connection.h"
#include "server/redis/blocking_cmd.h"
#include "server/redis/list_cmd.h"
#include "server/redis/resp_session.h"
#include "server/redis/zset_cmd.h"

namespace shale::server {
namespace {

// Redis 7.0's getTimeoutFromObjectOrReply in seconds: a long double,
// rounded up to milliseconds (so 0.0001 waits 1 ms, where truncating
// would make it 0, forever; -0.0001 rounds to 0 and waits forever, as in
// Redis); 0 blocks forever. As Redis on x86-64, a value past the int64
// milliseconds (inf too) converts to a negative one.
bool ParseTimeout(CommandContext& ctx, std::string_view arg, int64_t* ms) {
  long double t;
  if (!ParseLongDouble(arg, &t)) {
    ctx.w->Error("ERR timeout is not a float or out of range");
    return false;
  }
  t = std::ceil(t * 1000.0L);
  if (!(t < 9223372036854775808.0L) || t <= -9223372036854775808.0L ||
      static_cast<int64_t>(t) < 0) {
    ctx.w->Error("ERR timeout is negative");
    return false;
  }
  *ms = static_cast<int64_t>(t);
  return true;
}

// The keys a call tries: all of them, or the one being served.
std::vector<std::string_view> KeysToTry(
    CommandContext& ctx, const std::vector<std::string_view>& keys) {
  if (ctx.serving_key != nullptr) return {*ctx.serving_key};
  return keys;
}

// Nothing to pop: block (or, inside MULTI/EXEC or without a connection,
// answer at once: a nil array, or a nil bulk for BLMOVE and BRPOPLPUSH, as
// Redis 7.0). Serving: nothing happens.
void BlockOrNil(CommandContext& ctx, const Args& a,
                const std::vector<std::string_view>& keys, bool zset,
                int64_t ms, bool nil_bulk) {
  if (ctx.serving_key != nullptr) return;
  if (ctx.session == nullptr || !ctx.session->CanBlock()) {
    return nil_bulk ? ctx.w->Null() : ctx.w->NullArray();
  }
  ctx.session->Block(a, keys, zset, ms);
}

std::vector<std::string_view> Views(const Args& a, size_t from, size_t to) {
  return std::vector<std::string_view>(a.begin() + static_cast<long>(from),
                                       a.begin() + static_cast<long>(to));
}

// BLPOP / BRPOP key [key ...] timeout.
void BPop(CommandContext& ctx, Args& a, bool left) {
  int64_t ms;
  if (!ParseTimeout(ctx, a.back(), &ms)) return;
  const auto keys = Views(a, 1, a.size() - 1);
  for (std::string_view key : KeysToTry(ctx, keys)) {
    Collection c(ctx.ks(), KeyType::kList);
    if (!OpenColl(ctx, &c, key)) return;
    if (!c.found()) continue;
    std::vector<std::string> popped;
    if (!ListPopN(ctx, &c, left, 1, &popped)) return;
    ctx.w->Array(2);
    ctx.w->Bulk(key);
    return ctx.w->Bulk(popped[0]);
  }
  BlockOrNil(ctx, a, keys, false, ms, false);
}
void BLPop(CommandContext& ctx, Args& a) { BPop(ctx, a, true); }
void BRPop(CommandContext& ctx, Args& a) { BPop(ctx, a, false); }

// BLMOVE / BRPOPLPUSH: src's pop pushed onto dst (LMOVE's code).
void BMove(CommandContext& ctx, Args& a, bool from_left, bool to_left,
           int64_t ms) {
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenColl(ctx, &c, a[1])) return;
  if (c.found()) return ListMove(ctx, a[1], a[2], from_left, to_left);
  BlockOrNil(ctx, a, Views(a, 1, 2), false, ms, true);
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.
void BLMove(CommandContext& ctx, Args& a) {
  bool from_left, to_left;
  if (!ParseWhere(a[3], &from_left) || !ParseWhere(a[4], &to_left)) {
    return ctx.w->Error(kErrSyntax);
  }
  int64_t ms;
  if (!ParseTimeout(ctx, a[5], &ms)) return;
  BMove(ctx, a, from_left, to_left, ms);
}

// BRPOPLPUSH source destination timeout.
void BRPopLPush(CommandContext& ctx, Args& a) {
  int64_t ms;
  if (!ParseTimeout(ctx, a[3], &ms)) return;
  BMove(ctx, a, false, true, ms);
}

// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count].
void BLMPop(CommandContext& ctx, Args& a) {
  // Redis 7.0 checks the LMPOP arguments before the timeout.
  MPopArgs m;
  if (!ParseMPop(ctx, a, 2, &m)) return;
  int64_t ms;
  if (!ParseTimeout(ctx, a[1], &ms)) return;
  for (std::string_view key : KeysToTry(ctx, m.keys)) {
    Collection c(ctx.ks(), KeyType::kList);
    if (!OpenColl(ctx, &c, key)) return;
    if (!c.found()) continue;
    std::vector<std::string> popped;
    if (!ListPopN(ctx, &c, m.left, static_cast<uint64_t>(m.count), &popped)) {
      return;
    }
    ctx.w->Array(2);
    ctx.w->Bulk(key);
    ctx.w->Array(popped.size());
    for (const std::string& e : popped) ctx.w->Bulk(e);
    return;
  }
  BlockOrNil(ctx, a, m.keys, false, ms, false);
}

// The first key of keys (or the served one) holding a sorted set; false
// if none (or an error was written: *err).
bool FirstZSet(CommandContext& ctx, const std::vector<std::string_view>& keys,
               std::string* found, bool* err) {
  *err = false;
  for (std::string_view key : KeysToTry(ctx, keys)) {
    Collection c(ctx.ks(), KeyType::kZSet);
    if (!OpenZ(ctx, &c, key)) {
      *err = true;
      return false;
    }
    if (c.found()) {
      *found = std::string(key);
      return true;
    }
  }
  return false;
}

// BZPOPMIN / BZPOPMAX key [key ...] timeout.
void BZPop(CommandContext& ctx, Args& a, bool max) {
  int64_t ms;
  if (!ParseTimeout(ctx, a.back(), &ms)) return;
  const auto keys = Views(a, 1, a.size() - 1);
  std::string key;
  bool err;
  if (FirstZSet(ctx, keys, &key, &err)) {
    return ZPopKeys(ctx, std::span<const std::string>(&key, 1), max,
                    ZPopForm::kFlatKey, -1);
  }
  if (!err) BlockOrNil(ctx, a, keys, true, ms, false);
}
void BZPopMin(CommandContext& ctx, Args& a) { BZPop(ctx, a, false); }
void BZPopMax(CommandContext& ctx, Args& a) { BZPop(ctx, a, true); }

// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count].
void BZMPop(CommandContext& ctx, Args& a) {
  ZMPopArgs m;
  if (!ParseZMPop(ctx, a, 2, &m)) return;
  int64_t ms;
  if (!ParseTimeout(ctx, a[1], &ms)) return;
  std::vector<std::string_view> keys(m.keys.begin(), m.keys.end());
  std::string key;
  bool err;
  if (FirstZSet(ctx, keys, &key, &err)) {
    return ZPopKeys(ctx, std::span<const std::string>(&key, 1), m.max,
                    ZPopForm::kNestedKey, m.count);
  }
  if (!err) BlockOrNil(ctx, a, keys, true, ms, false);
}

bool IsMove(const BlockedClient& b) {
  return EqualsIgnoreCase(b.args[0], "blmove") ||
         EqualsIgnoreCase(b.args[0], "brpoplpush");
}

bool IsReadGroup(const BlockedClient& b) {
  return b.stream && EqualsIgnoreCase(b.args[0], "xreadgroup");
}

// Serves the waiters of (db, key) in order; true if any was served.
bool ServeKey(ServerState* server, Tx* tx, int db, const std::string& key,
              std::vector<Wakeup>* out) {
  bool served = false;
  server->blocking.WithWaiters(
      db, key, [&](const std::deque<BlockedClient*>& waiters) {
        for (BlockedClient* b : waiters) {
          tx->set_db(db);
          Entry e;
          const Status got = tx->Get(key, &e);
          // XREADGROUP's waiters learn that their stream went (deleted or
          // overwritten), as Redis 7.0's signalDeletedKeyAsReady.
          if (IsReadGroup(*b) &&
              (got.IsNotFound() ||
               (got.ok() && e.meta().type != KeyType::kStream))) {
            std::shared_ptr<Connection> conn = server->blocking.Claim(b);
            if (conn == nullptr) continue;
            std::string reply;
            RespWriter w(&reply);
            w.Error("UNBLOCKED the stream key no longer exists");
            out->push_back({std::move(conn), b, std::move(reply), false});
            served = true;
            continue;
          }
          if (!got.ok()) return;  // gone (or an engine error)
          const KeyType want = b->stream ? KeyType::kStream
                               : b->zset ? KeyType::kZSet
                                         : KeyType::kList;
          if (e.meta().type != want) continue;
          // XREAD is served only by a key marked ready (Tx::MarkReady).
          if (b->stream && !tx->IsReady(db, key)) continue;
          const bool rerun = IsMove(*b) && !tx->TryLockMore(db, b->args[2]);
          std::string reply;
          if (!rerun) {
            RespWriter w(&reply);
            w.set_version(b->resp);
            CommandContext ctx{server, nullptr, nullptr, &w, tx};
            ctx.serving_key = &key;
            Args args = b->args;
            const Command* cmd = LookupCommand(args[0]);
            cmd->handler(ctx, args);
            if (reply.empty()) continue;  // nothing for it after all
          }
          std::shared_ptr<Connection> conn = server->blocking.Claim(b);
          if (conn == nullptr) continue;  // its connection is going
          out->push_back({std::move(conn), b, std::move(reply), rerun});
          served = true;
          // A re-run keeps its place: the others wait for its pop.
          if (rerun) return;
        }
      });
  return served;
}

constexpr uint32_t W = kCmdWrite;

const CommandSpec kCommands[] = {
    {"blpop", -3, W, BLPop, 1, -2, 1, "list",
     "Pop the first element of the first non-empty list, or block"},
    {"brpop", -3, W, BRPop, 1, -2, 1, "list",
     "Pop the last element of the first non-empty list, or block"},
    {"blmove", 6, W, BLMove, 1, 2, 1, "list",
     "Pop from one list and push onto another, or block"},
    {"brpoplpush", 4, W, BRPopLPush, 1, 2, 1, "list",
     "Pop the last element and push it onto another list, or block"},
    {"blmpop", -5, W, BLMPop, 0, 0, 0, "list",
     "Pop elements from the first non-empty list, or block"},
    {"bzpopmin", -3, W, BZPopMin, 1, -2, 1, "sorted_set",
     "Pop the lowest-scored member of the first non-empty sorted set, or "
     "block"},
    {"bzpopmax", -3, W, BZPopMax, 1, -2, 1, "sorted_set",
     "Pop the highest-scored member of the first non-empty sorted set, or "
     "block"},
    {"bzmpop", -5, W, BZMPop, 0, 0, 0, "sorted_set",
     "Pop members from the first non-empty sorted set, or block"},
};

}  // namespace

void ServeBlocked(ServerState* server, Tx* tx, std::vector<Wakeup>* out) {
  if (server->blocking.size() == 0 || (tx->empty() && !tx->has_ready())) {
    tx->ClearReady();
    return;
  }
  const int saved_db = tx->db();
  std::vector<std::pair<int, std::string>> keys;
  std::set<std::pair<int, std::string>> held;
  // A served BLMOVE writes its destination, which may have waiters too:
  // passes until one serves nobody.
  for (bool again = true; again;) {
    again = false;
    keys.clear();
    tx->WrittenKeys(&keys);
    // In write order, as Redis's ready keys; each once.
    std::set<std::pair<int, std::string>> seen;
    for (const auto& dk : keys) {
      if (!seen.insert(dk).second || held.count(dk) != 0) continue;
      const size_t before = out->size();
      if (ServeKey(server, tx, dk.first, dk.second, out)) again = true;
      // A waiter re-run on its connection keeps its turn on this key.
      if (out->size() > before && out->back().rerun) held.insert(dk);
    }
    if (server->blocking.size() == 0) break;
  }
  // Served: a pipelined run's later commands share this Tx, and only what
  // they mark ready may serve XREAD.
  tx->ClearReady();
  tx->set_db(saved_db);
}

void PostWakeups(std::vector<Wakeup>* wakeups, bool ok) {
  for (Wakeup& w : *wakeups) {
    BlockedClient* b = w.client;
    w.conn->Post([b, reply = std::move(w.reply), rerun = w.rerun || !ok](
                     std::string* out) { b->wake(reply, rerun, out); });
  }
  wakeups->clear();
}

std::span<const CommandSpec> BlockingCommands() { return kCommands; }

}  // namespace shale::server
