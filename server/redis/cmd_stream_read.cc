// Stream reads: XRANGE XREVRANGE XREAD (with BLOCK).
//
// A range is one seek to its first ID (its last for XREVRANGE) and a walk
// that reads only the entries it returns (keyspace/stream.h).
//
// XREAD BLOCK: when no stream has an entry after its ID, the client blocks
// on its keys through the blocking registry (redis/blocking.h) with its
// arguments rewritten so that each `$` names the last ID at the time it
// blocked. To block, XREAD takes its keys' stripe locks before it reads
// (a read-only command otherwise takes none), so no XADD can commit between
// its check and its registration. A write to a waited key serves it from
// the writer's Tx (cmd_blocking.cc's ServeBlocked): the handler runs again
// with ctx.serving_key and answers with that key's entries after its ID,
// at most COUNT (1000 without COUNT, as Redis), if the stream's last ID is
// past it; XREAD consumes nothing, so every waiter of the key is served.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "server/redis/resp_session.h"
#include "server/redis/stream_cmd.h"

namespace shale::server {
namespace {

// XRANGE key start end [COUNT count]; XREVRANGE key end start [COUNT n].
void Range(CommandContext& ctx, Args& a, bool rev) {
  const std::string& start_arg = rev ? a[3] : a[2];
  const std::string& end_arg = rev ? a[2] : a[3];
  StreamId start, end;
  // "(id": exclusive, read strictly (no "-" or "+").
  const bool start_ex = start_arg.size() > 1 && start_arg[0] == '(';
  if (!ParseIdOrReply(ctx, start_ex ? start_arg.substr(1) : start_arg, 0,
                      start_ex, &start)) {
    return;
  }
  if (start_ex && !IncrStreamId(&start)) {
    return ctx.w->Error("ERR invalid start ID for the interval");
  }
  const bool end_ex = end_arg.size() > 1 && end_arg[0] == '(';
  if (!ParseIdOrReply(ctx, end_ex ? end_arg.substr(1) : end_arg, UINT64_MAX,
                      end_ex, &end)) {
    return;
  }
  if (end_ex && !DecrStreamId(&end)) {
    return ctx.w->Error("ERR invalid end ID for the interval");
  }
  int64_t count = -1;
  for (size_t j = 4; j < a.size(); j++) {
    if (OptionIs(a[j], "count") && j + 1 < a.size()) {
      if (!ParseInt64(a[j + 1], &count)) return ctx.w->Error(kErrNotInt);
      if (count < 0) count = 0;
      j++;
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  Collection c(ctx.ks(), KeyType::kStream);
  if (!OpenCollRead(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Array(0);
  if (count == 0) return ctx.w->NullArray();
  Stream s(&c);
  ReplyStreamRange(ctx.w, &s, start, end,
                   count < 0 ? 0 : static_cast<uint64_t>(count), rev);
}

void XRange(CommandContext& ctx, Args& a) { Range(ctx, a, false); }
void XRevRange(CommandContext& ctx, Args& a) { Range(ctx, a, true); }

// Without COUNT, a served XREAD BLOCK returns at most this many entries per
// stream (Redis's XREAD_BLOCKED_DEFAULT_COUNT).
constexpr uint64_t kBlockedDefaultCount = 1000;

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
void XRead(CommandContext& ctx, Args& a) {
  const bool serving = ctx.serving_key != nullptr;
  int64_t timeout = -1, count = 0;
  size_t streams_arg = 0;
  for (size_t i = 1; i < a.size(); i++) {
    const bool more = i + 1 < a.size();
    if (OptionIs(a[i], "block") && more) {
      if (ctx.session != nullptr && ctx.session->in_script()) {
        return ctx.w->Error("ERR " + std::string(CString(a[0])) +
                            " command is not allowed with BLOCK option from "
                            "scripts");
      }
      i++;
      if (!ParseInt64(a[i], &timeout)) {
        return ctx.w->Error("ERR timeout is not an integer or out of range");
      }
      if (timeout < 0) return ctx.w->Error("ERR timeout is negative");
    } else if (OptionIs(a[i], "count") && more) {
      i++;
      if (!ParseInt64(a[i], &count)) return ctx.w->Error(kErrNotInt);
      if (count < 0) count = 0;
    } else if (OptionIs(a[i], "streams") && more) {
      streams_arg = i + 1;
      if ((a.size() - streams_arg) % 2 != 0) {
        return ctx.w->Error(
            "ERR Unbalanced XREAD list of streams: for each stream key an ID "
            "or '$' must be specified.");
      }
      break;
    } else if (OptionIs(a[i], "group") && i + 2 < a.size()) {
      return ctx.w->Error(
          "ERR The GROUP option is only supported by XREADGROUP. You called "
          "XREAD instead.");
    } else if (OptionIs(a[i], "noack")) {
      return ctx.w->Error(
          "ERR The NOACK option is only supported by XREADGROUP. You called "
          "XREAD instead.");
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  if (streams_arg == 0) return ctx.w->Error(kErrSyntax);
  const size_t n = (a.size() - streams_arg) / 2;
  std::vector<std::string_view> keys(n);
  for (size_t i = 0; i < n; i++) keys[i] = a[streams_arg + i];
  const bool may_block = timeout != -1 && !serving && ctx.session != nullptr &&
                         ctx.session->CanBlock();
  if (may_block && !ctx.tx->locked()) {
    std::vector<Tx::DbKey> lock;
    for (std::string_view k : keys) lock.push_back({ctx.tx->db(), k});
    ctx.tx->LockKeys(lock);
  }
  // Resolve the IDs ("$": the stream's last ID now, 0-0 if absent).
  std::vector<StreamId> ids(n);
  std::vector<std::unique_ptr<Collection>> colls(n);
  for (size_t i = 0; i < n; i++) {
    colls[i] = std::make_unique<Collection>(ctx.ks(), KeyType::kStream);
    Collection* c = colls[i].get();
    if (serving && keys[i] != *ctx.serving_key) continue;
    if (!(serving ? OpenColl(ctx, c, keys[i])
                  : OpenCollRead(ctx, c, keys[i]))) {
      return;
    }
    const std::string_view arg = a[streams_arg + n + i];
    if (CString(arg) == "$") {
      if (c->found()) ids[i] = c->meta().stream.last;
      continue;
    }
    if (CString(arg) == ">") {
      return ctx.w->Error(
          "ERR The > ID can be specified only when calling XREADGROUP using "
          "the GROUP <group> <consumer> option.");
    }
    if (!ParseIdOrReply(ctx, arg, 0, true, &ids[i])) return;
  }
  if (serving) {
    // Served from a write's Tx: the one key, if its last ID passed ours.
    for (size_t i = 0; i < n; i++) {
      if (keys[i] != *ctx.serving_key) continue;
      Collection* c = colls[i].get();
      if (!c->found() || !(c->meta().stream.last > ids[i])) return;
      Stream s(c);
      StreamId start = ids[i];
      IncrStreamId(&start);
      if (ctx.w->version() == 2) {
        ctx.w->Array(1);
        ctx.w->Array(2);
      } else {
        ctx.w->Map(1);
      }
      ctx.w->Bulk(keys[i]);
      ReplyStreamRange(
          ctx.w, &s, start, kMaxStreamId,
          count > 0 ? static_cast<uint64_t>(count) : kBlockedDefaultCount,
          false);
      return;
    }
    return;
  }
  // Synchronously: every stream with an entry after its ID.
  std::string body;
  RespWriter bw(&body);
  bw.set_version(ctx.w->version());
  size_t served = 0;
  for (size_t i = 0; i < n; i++) {
    Collection* c = colls[i].get();
    // Redis looks each key up again here (a second "keymiss").
    if (!c->found()) {
      ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", keys[i]);
      continue;
    }
    Stream s(c);
    if (s.length() == 0) continue;
    StreamId top;
    bool found;
    Status st = s.LastEntryId(&top, &found);
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    if (!found || !(top > ids[i])) continue;
    served++;
    StreamId start = ids[i];
    IncrStreamId(&start);
    if (bw.version() == 2) bw.Array(2);
    bw.Bulk(keys[i]);
    if (!ReplyStreamRange(&bw, &s, start, kMaxStreamId,
                          static_cast<uint64_t>(count), false)) {
      ctx.w->out()->append(body);  // the error is at its end
      return;
    }
  }
  if (served > 0) {
    if (ctx.w->version() == 2) {
      ctx.w->Array(served);
    } else {
      ctx.w->Map(served);
    }
    ctx.w->out()->append(body);
    return;
  }
  if (timeout == -1 || !may_block) return ctx.w->NullArray();
  // Block, with each "$" replaced by the ID it stands for now.
  Args blocked = a;
  for (size_t i = 0; i < n; i++) {
    std::string& arg = blocked[streams_arg + n + i];
    if (CString(arg) == "$") arg = FormatStreamId(ids[i]);
  }
  // Each key once (a key named twice waits once, as Redis's blockForKeys).
  std::vector<std::string_view> waits;
  for (std::string_view k : keys) {
    if (std::find(waits.begin(), waits.end(), k) == waits.end()) {
      waits.push_back(k);
    }
  }
  ctx.session->Block(blocked, waits, false, timeout, true);
}

constexpr uint32_t R = kCmdReadOnly;

const CommandSpec kCommands[] = {
    {"xrange", -4, R, XRange, 1, 1, 1, "stream",
     "Return a range of elements in a stream, with IDs matching the "
     "specified IDs interval"},
    {"xrevrange", -4, R, XRevRange, 1, 1, 1, "stream",
     "Return a range of elements in a stream, with IDs matching the "
     "specified IDs interval, in reverse order (from greater to smaller IDs) "
     "compared to XRANGE"},
    {"xread", -4, R, XRead, 0, 0, 0, "stream",
     "Return never seen elements in multiple streams, with IDs greater than "
     "the ones reported by the caller for each stream. Can block."},
};

}  // namespace

std::span<const CommandSpec> StreamReadCommands() { return kCommands; }

}  // namespace shale::server
