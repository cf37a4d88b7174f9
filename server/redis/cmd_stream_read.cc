// Stream reads: XRANGE XREVRANGE XREAD and XREADGROUP (with BLOCK).
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
#include <map>
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

// XREADGROUP's delivery of new entries (Redis's streamReplyWithRange with
// a group): the entries after start, at most count (0: all); each moves
// the group's last ID (and entries_read, as Redis counts it) and, unless
// noack, becomes a pending entry of the consumer (taken from its old
// owner if it had one, after an XGROUP SETID). Writes the group and the
// consumers at the end.
Status DeliverNew(Stream* s, StreamGroups* groups, std::string_view group,
                  StreamGroup* g, std::string_view consumer,
                  StreamConsumer* con, StreamId start, uint64_t count,
                  bool noack, RespWriter* w) {
  const uint64_t now = Keyspace::WallNowMs();
  std::string body;
  RespWriter bw(&body);
  bw.set_version(w->version());
  std::map<std::string, uint64_t, std::less<>> taken;  // from other owners
  uint64_t n = 0;
  auto it = s->NewIterator();
  for (s->SeekFrom(it.get(), start); it->Valid(); it->Next()) {
    StreamId id;
    if (!ParseIdSub(it->sub(), &id)) return Status::Corruption("bad entry");
    if (id > g->last) {
      if (g->entries_read != kInvalidEntriesRead &&
          !TombstonesFrom(s->state(), s->length(), id)) {
        g->entries_read++;
      } else if (s->state().entries_added != 0) {
        g->entries_read = EstimateEntriesRead(s->state(), s->length(), id);
      }
      g->last = id;
    }
    if (!ReplyStreamEntry(&bw, it->sub(), it->value())) {
      return Status::Corruption("bad stream entry");
    }
    if (!noack) {
      PendingEntry p;
      bool found;
      Status st = groups->GetPending(g->gid, id, &p, &found);
      if (!st.ok()) return st;
      if (found) {
        if (p.consumer != consumer) {
          groups->UnindexPending(g->gid, id, p.consumer);
          taken[p.consumer]++;
          con->pending++;
        }
      } else {
        g->pel++;
        con->pending++;
      }
      p.consumer.assign(consumer);
      p.delivered_ms = now;
      p.deliveries = 1;
      groups->PutPending(g->gid, id, p);
    }
    if (++n == count) break;  // before a step that may read a block
  }
  if (!it->status().ok()) return it->status();
  for (const auto& [name, k] : taken) {
    StreamConsumer other;
    bool found;
    Status st = groups->GetConsumer(g->gid, name, &other, &found);
    if (!st.ok()) return st;
    if (!found) return Status::Corruption("pending entry without owner");
    other.pending -= k;
    groups->PutConsumer(g->gid, name, other);
  }
  groups->PutConsumer(g->gid, consumer, *con);
  groups->PutGroup(group, *g);
  w->Array(n);
  w->out()->append(body);
  return Status::OK();
}

// XREADGROUP with an ID: the consumer's own pending entries after start
// (Redis's streamReplyWithRangeFromConsumerPEL): each delivered again
// (time, count), or [id, nil] if its entry was deleted.
Status DeliverHistory(Stream* s, StreamGroups* groups, const StreamGroup& g,
                      std::string_view consumer, StreamId start, uint64_t count,
                      RespWriter* w) {
  const uint64_t now = Keyspace::WallNowMs();
  std::string body;
  RespWriter bw(&body);
  bw.set_version(w->version());
  const std::string prefix =
      StreamGroups::ConsumerPendingPrefix(g.gid, consumer);
  std::vector<StreamId> ids;
  auto it = groups->NewIterator();
  for (it->Seek(prefix + IdSub(start));
       it->Valid() && it->sub().starts_with(prefix); it->Next()) {
    StreamId id;
    if (!ParseIdSub(it->sub().substr(prefix.size()), &id)) {
      return Status::Corruption("bad pending index entry");
    }
    ids.push_back(id);
    if (ids.size() == count) break;  // before a step that may read a block
  }
  if (!it->status().ok()) return it->status();
  std::string value;
  for (StreamId id : ids) {
    Status st = s->GetEntry(id, &value);
    if (st.IsNotFound()) {
      bw.Array(2);
      bw.Bulk(FormatStreamId(id));
      bw.NullArray();
      continue;
    }
    if (!st.ok()) return st;
    if (!ReplyStreamEntry(&bw, IdSub(id), value)) {
      return Status::Corruption("bad stream entry");
    }
    PendingEntry p;
    bool found;
    st = groups->GetPending(g.gid, id, &p, &found);
    if (!st.ok()) return st;
    if (!found) return Status::Corruption("pending index without entry");
    p.delivered_ms = now;
    p.deliveries++;
    groups->PutPending(g.gid, id, p);
  }
  w->Array(ids.size());
  w->out()->append(body);
  return Status::OK();
}

// The consumer of XREADGROUP, created if absent, seen now.
Status TouchConsumer(CommandContext& ctx, Collection* c, std::string_view group,
                     StreamGroup* g, std::string_view name,
                     StreamConsumer* con) {
  bool created;
  Status s = CreateConsumer(ctx, c, group, g, name, &created, con);
  if (!s.ok()) return s;
  con->seen_ms = Keyspace::WallNowMs();
  StreamGroups(c).PutConsumer(g->gid, name, *con);
  return Status::OK();
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds]
//            [NOACK] STREAMS key [key ...] id [id ...]
void ReadGeneric(CommandContext& ctx, Args& a, bool xreadgroup) {
  const bool serving = ctx.serving_key != nullptr;
  int64_t timeout = -1, count = 0;
  size_t streams_arg = 0;
  std::string_view group, consumer;
  bool noack = false, grouped = false;
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
      if (!xreadgroup) {
        return ctx.w->Error(
            "ERR The GROUP option is only supported by XREADGROUP. You "
            "called XREAD instead.");
      }
      group = a[i + 1];
      consumer = a[i + 2];
      grouped = true;
      i += 2;
    } else if (OptionIs(a[i], "noack")) {
      if (!xreadgroup) {
        return ctx.w->Error(
            "ERR The NOACK option is only supported by XREADGROUP. You "
            "called XREAD instead.");
      }
      noack = true;
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  if (streams_arg == 0) return ctx.w->Error(kErrSyntax);
  if (xreadgroup && !grouped) {
    return ctx.w->Error("ERR Missing GROUP option for XREADGROUP");
  }
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
  // Resolve the IDs ("$": the stream's last ID now, 0-0 if absent; ">":
  // the group's new entries, kMaxStreamId).
  std::vector<StreamId> ids(n);
  std::vector<std::unique_ptr<Collection>> colls(n);
  std::vector<StreamGroup> groups(n);
  for (size_t i = 0; i < n; i++) {
    colls[i] = std::make_unique<Collection>(ctx.ks(), KeyType::kStream);
    Collection* c = colls[i].get();
    if (serving && keys[i] != *ctx.serving_key) continue;
    if (!(serving ? OpenColl(ctx, c, keys[i])
                  : OpenCollRead(ctx, c, keys[i]))) {
      return;
    }
    if (xreadgroup) {
      bool found = false;
      if (c->found()) {
        Status st = StreamGroups(c).GetGroup(group, &groups[i], &found);
        if (!st.ok()) return ReplyStatus(ctx.w, st);
      }
      if (!found) {
        return ctx.w->Error(
            serving
                ? std::string("NOGROUP the consumer group this client "
                              "was blocked on no longer exists")
                : "NOGROUP No such key '" + std::string(CString(keys[i])) +
                      "' or consumer group '" + std::string(CString(group)) +
                      "' in XREADGROUP with GROUP option");
      }
    }
    const std::string_view arg = a[streams_arg + n + i];
    if (CString(arg) == "$") {
      if (xreadgroup) {
        return ctx.w->Error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you "
            "want to read the history of this consumer by specifying a "
            "proper ID, or use the > ID to get new messages. The $ ID would "
            "just return an empty result set.");
      }
      if (c->found()) ids[i] = c->meta().stream.last;
      continue;
    }
    if (CString(arg) == ">") {
      if (!xreadgroup) {
        return ctx.w->Error(
            "ERR The > ID can be specified only when calling XREADGROUP "
            "using the GROUP <group> <consumer> option.");
      }
      ids[i] = kMaxStreamId;
      continue;
    }
    if (!ParseIdOrReply(ctx, arg, 0, true, &ids[i])) return;
  }
  // Replies one stream's part: [key, entries] (RESP3: a map's pair).
  auto reply_one = [&](RespWriter* w, size_t i, StreamId gt, bool history,
                       uint64_t n_max) -> Status {
    Collection* c = colls[i].get();
    Stream s(c);
    StreamId start = gt;
    IncrStreamId(&start);
    if (w->version() == 2) w->Array(2);
    w->Bulk(keys[i]);
    if (!xreadgroup) {
      return ReplyStreamRange(w, &s, start, kMaxStreamId, n_max, false)
                 ? Status::OK()
                 : Status::Corruption("bad stream entry");
    }
    StreamGroups gs(c);
    StreamConsumer con;
    Status st = TouchConsumer(ctx, c, group, &groups[i], consumer, &con);
    if (!st.ok()) return st;
    if (history) {
      st = DeliverHistory(&s, &gs, groups[i], consumer, start, n_max, w);
    } else {
      st = DeliverNew(&s, &gs, group, &groups[i], consumer, &con, start, n_max,
                      noack, w);
    }
    return st;
  };
  if (serving) {
    // Served from a write's Tx: the one key, if its last ID passed ours
    // (the group's last delivered ID for XREADGROUP).
    for (size_t i = 0; i < n; i++) {
      if (keys[i] != *ctx.serving_key) continue;
      Collection* c = colls[i].get();
      const StreamId gt = xreadgroup ? groups[i].last : ids[i];
      if (!c->found() || !(c->meta().stream.last > gt)) return;
      std::string body;
      RespWriter bw(&body);
      bw.set_version(ctx.w->version());
      Status st = reply_one(
          &bw, i, gt, false,
          count > 0 ? static_cast<uint64_t>(count) : kBlockedDefaultCount);
      if (!st.ok()) return ReplyStatus(ctx.w, st);
      if (ctx.w->version() == 2) {
        ctx.w->Array(1);
      } else {
        ctx.w->Map(1);
      }
      ctx.w->out()->append(body);
      return;
    }
    return;
  }
  // Synchronously: every stream with something to read after its ID.
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
    StreamId gt = ids[i];
    bool history = false, serve = false;
    if (xreadgroup && std::find(keys.begin(), keys.begin() + i, keys[i]) !=
                          keys.begin() + i) {
      // A key named twice shares its group: read what the earlier part of
      // this command left (Redis's one group object).
      bool found;
      Status st = StreamGroups(c).GetGroup(group, &groups[i], &found);
      if (!st.ok()) return ReplyStatus(ctx.w, st);
    }
    if (xreadgroup && gt != kMaxStreamId) {
      history = serve = true;
    } else if (s.length() > 0) {
      StreamId top;
      bool found;
      Status st = s.LastEntryId(&top, &found);
      if (!st.ok()) return ReplyStatus(ctx.w, st);
      if (xreadgroup) gt = groups[i].last;
      serve = found && top > gt;
    }
    if (!serve) continue;
    served++;
    Status st = reply_one(&bw, i, gt, history, static_cast<uint64_t>(count));
    if (!st.ok()) return ReplyStatus(ctx.w, st);
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

void XRead(CommandContext& ctx, Args& a) { ReadGeneric(ctx, a, false); }
void XReadGroup(CommandContext& ctx, Args& a) { ReadGeneric(ctx, a, true); }

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
    {"xreadgroup", -7, kCmdWrite, XReadGroup, 0, 0, 0, "stream",
     "Return new entries from a stream using a consumer group, or access "
     "the history of the pending entries for a given consumer. Can "
     "block."},
};

}  // namespace

std::span<const CommandSpec> StreamReadCommands() { return kCommands; }

}  // namespace shale::server
