// XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS, XINFO HELP.
//
// XINFO STREAM answers from the stream's metadata (keyspace/stream.h) and
// two seeks (its first and last entries); FULL lists the first COUNT
// entries (10; 0: all) from one seek. shale has no radix tree of listpack
// nodes: radix-tree-keys is what an append-only Redis stream of that
// length holds with the default stream-node-max-entries 100 (one node per
// 100 entries), radix-tree-nodes that plus one (docs/protocols.md).
//
// XINFO GROUPS walks the stream's groups (kind 0x05, in name order), with
// entries-read and lag as Redis 7.0 computes them; XINFO CONSUMERS walks one
// group's consumers (idle: now minus their last interaction).
#include <functional>
#include <string>
#include <vector>

#include "server/redis/stream_cmd.h"

namespace shale::server {
namespace {

// Opens the stream key or answers Redis's "no such key" (a "keymiss", as
// its lookupKeyRead) / WRONGTYPE.
bool OpenInfo(CommandContext& ctx, Collection* c, std::string_view key) {
  Status st = c->Open(key);
  if (!st.ok()) {
    ReplyStatus(ctx.w, st);
    return false;
  }
  if (c->wrong_type()) {
    ctx.w->Error(kErrWrongType);
    return false;
  }
  if (!c->found()) {
    ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", key);
    ctx.w->Error("ERR no such key");
    return false;
  }
  return true;
}

// The entry at it (or a nil when there is none) into body.
bool EntryOrNil(RespWriter* w, ElementIterator* it) {
  if (!it->Valid()) {
    w->Null();
    return true;
  }
  return ReplyStreamEntry(w, it->sub(), it->value());
}

// Redis's streamReplyWithCGLag: the entries the group has not read yet,
// or nil where the counters cannot tell.
void ReplyLag(RespWriter* w, const Stream& s, const StreamGroup& g) {
  const StreamState& st = s.state();
  if (st.entries_added == 0) return w->Int(0);
  int64_t read = g.entries_read;
  if (read == kInvalidEntriesRead || TombstonesFrom(st, s.length(), g.last)) {
    read = EstimateEntriesRead(st, s.length(), g.last);
    if (read == kInvalidEntriesRead) return w->Null();
  }
  w->Int(static_cast<int64_t>(st.entries_added) - read);
}

void ReplyEntriesRead(RespWriter* w, const StreamGroup& g) {
  if (g.entries_read == kInvalidEntriesRead) return w->Null();
  w->Int(g.entries_read);
}

// Every group of the stream, in name order, with its name.
Status ForEachGroup(
    StreamGroups* groups,
    const std::function<Status(std::string_view, const StreamGroup&)>& fn) {
  const std::string prefix = StreamGroups::GroupsPrefix();
  auto it = groups->NewIterator();
  for (it->Seek(prefix); it->Valid() && it->sub().starts_with(prefix);
       it->Next()) {
    StreamGroup g;
    if (!StreamGroups::DecodeGroup(it->value(), &g)) {
      return Status::Corruption("bad stream group");
    }
    Status s = fn(it->sub().substr(prefix.size()), g);
    if (!s.ok()) return s;
  }
  return it->status();
}

// The number of groups (their records: the metadata keeps no count, so
// that XGROUP writes no metadata).
Status CountGroups(StreamGroups* groups, uint64_t* n) {
  *n = 0;
  return ForEachGroup(groups, [n](std::string_view, const StreamGroup&) {
    ++*n;
    return Status::OK();
  });
}

// XINFO STREAM FULL's groups: each with its pending entries and consumers
// (the first count of each list; 0: all), times absolute as Redis's.
Status ReplyFullGroups(RespWriter* w, Stream* s, uint64_t count) {
  StreamGroups groups(s->coll());
  uint64_t n = 0;
  Status st = CountGroups(&groups, &n);
  if (!st.ok()) return st;
  w->Array(n);
  return ForEachGroup(
      &groups, [&](std::string_view name, const StreamGroup& g) -> Status {
        w->Map(7);
        w->Bulk("name");
        w->Bulk(name);
        w->Bulk("last-delivered-id");
        w->Bulk(FormatStreamId(g.last));
        w->Bulk("entries-read");
        ReplyEntriesRead(w, g);
        w->Bulk("lag");
        ReplyLag(w, *s, g);
        w->Bulk("pel-count");
        w->Int(static_cast<int64_t>(g.pel));
        w->Bulk("pending");
        const std::string pprefix = StreamGroups::PendingPrefix(g.gid);
        std::vector<std::pair<StreamId, PendingEntry>> pel;
        auto it = groups.NewIterator();
        for (it->Seek(pprefix); it->Valid() && it->sub().starts_with(pprefix) &&
                                (count == 0 || pel.size() < count);
             it->Next()) {
          std::pair<StreamId, PendingEntry> e;
          if (!ParseIdSub(it->sub().substr(pprefix.size()), &e.first) ||
              !StreamGroups::DecodePending(it->value(), &e.second)) {
            return Status::Corruption("bad pending entry");
          }
          pel.push_back(std::move(e));
        }
        if (!it->status().ok()) return it->status();
        w->Array(pel.size());
        for (const auto& [id, p] : pel) {
          w->Array(4);
          w->Bulk(FormatStreamId(id));
          w->Bulk(p.consumer);
          w->Int(static_cast<int64_t>(p.delivered_ms));
          w->Int(static_cast<int64_t>(p.deliveries));
        }
        w->Bulk("consumers");
        w->Array(g.consumers);
        const std::string cprefix = StreamGroups::ConsumersPrefix(g.gid);
        auto ci = groups.NewIterator();
        for (ci->Seek(cprefix); ci->Valid() && ci->sub().starts_with(cprefix);
             ci->Next()) {
          StreamConsumer con;
          if (!StreamGroups::DecodeConsumer(ci->value(), &con)) {
            return Status::Corruption("bad consumer");
          }
          const std::string_view cname = ci->sub().substr(cprefix.size());
          w->Map(4);
          w->Bulk("name");
          w->Bulk(cname);
          w->Bulk("seen-time");
          w->Int(static_cast<int64_t>(con.seen_ms));
          w->Bulk("pel-count");
          w->Int(static_cast<int64_t>(con.pending));
          w->Bulk("pending");
          const std::string iprefix =
              StreamGroups::ConsumerPendingPrefix(g.gid, cname);
          std::vector<StreamId> ids;
          auto pi = groups.NewIterator();
          for (pi->Seek(iprefix);
               pi->Valid() && pi->sub().starts_with(iprefix) &&
               (count == 0 || ids.size() < count);
               pi->Next()) {
            StreamId id;
            if (!ParseIdSub(pi->sub().substr(iprefix.size()), &id)) {
              return Status::Corruption("bad pending index entry");
            }
            ids.push_back(id);
          }
          if (!pi->status().ok()) return pi->status();
          w->Array(ids.size());
          for (StreamId id : ids) {
            PendingEntry p;
            bool found;
            Status st = groups.GetPending(g.gid, id, &p, &found);
            if (!st.ok()) return st;
            if (!found)
              return Status::Corruption("pending index without entry");
            w->Array(3);
            w->Bulk(FormatStreamId(id));
            w->Int(static_cast<int64_t>(p.delivered_ms));
            w->Int(static_cast<int64_t>(p.deliveries));
          }
        }
        return ci->status();
      });
}

void XInfoStream(CommandContext& ctx, Args& a) {
  // The key first, then the options, as Redis's xinfoCommand.
  Collection c(ctx.ks(), KeyType::kStream);
  if (!OpenInfo(ctx, &c, a[2])) return;
  bool full = false;
  int64_t count = 10;
  if (a.size() > 3) {
    const bool shape =
        a.size() == 4 || (a.size() == 6 && OptionIs(a[4], "count"));
    if (!OptionIs(a[3], "full") || !shape) {
      return ctx.w->Error(
          "ERR unknown subcommand or wrong number of arguments for '" +
          std::string(CString(a[1]).substr(0, 128)) + "'. Try XINFO HELP.");
    }
    full = true;
    if (a.size() == 6) {
      if (!ParseInt64(a[5], &count)) return ctx.w->Error(kErrNotInt);
      if (count < 0) count = 10;
    }
  }
  Stream s(&c);
  const StreamState& st = s.state();
  const uint64_t len = s.length();
  const uint64_t nodes = (len + 99) / 100;
  std::string body;
  RespWriter w(&body);
  w.set_version(ctx.w->version());
  w.Map(full ? 9 : 10);
  w.Bulk("length");
  w.Int(static_cast<int64_t>(len));
  w.Bulk("radix-tree-keys");
  w.Int(static_cast<int64_t>(nodes));
  w.Bulk("radix-tree-nodes");
  w.Int(static_cast<int64_t>(nodes + 1));
  w.Bulk("last-generated-id");
  w.Bulk(FormatStreamId(st.last));
  w.Bulk("max-deleted-entry-id");
  w.Bulk(FormatStreamId(st.max_deleted));
  w.Bulk("entries-added");
  w.Int(static_cast<int64_t>(st.entries_added));
  w.Bulk("recorded-first-entry-id");
  w.Bulk(FormatStreamId(st.first));
  if (full) {
    w.Bulk("entries");
    const size_t mark = body.size();
    if (!ReplyStreamRange(&w, &s, StreamId{}, kMaxStreamId,
                          static_cast<uint64_t>(count), false)) {
      ctx.w->out()->append(body.substr(mark));  // the error alone
      return;
    }
    w.Bulk("groups");
    Status gs = ReplyFullGroups(&w, &s, static_cast<uint64_t>(count));
    if (!gs.ok()) return ReplyStatus(ctx.w, gs);
  } else {
    w.Bulk("groups");
    uint64_t n_groups = 0;
    StreamGroups groups(&c);
    Status gs = CountGroups(&groups, &n_groups);
    if (!gs.ok()) return ReplyStatus(ctx.w, gs);
    w.Int(static_cast<int64_t>(n_groups));
    auto first = s.NewIterator();
    auto last = s.NewIterator();
    if (len > 0) {
      s.SeekFrom(first.get(), StreamId{});
      s.SeekBackFrom(last.get(), kMaxStreamId);
    }
    Status e = first->status().ok() ? last->status() : first->status();
    w.Bulk("first-entry");
    const bool ok1 = len == 0 ? (w.Null(), true) : EntryOrNil(&w, first.get());
    w.Bulk("last-entry");
    const bool ok2 = len == 0 ? (w.Null(), true) : EntryOrNil(&w, last.get());
    if (e.ok() && !(ok1 && ok2)) e = Status::Corruption("bad stream entry");
    if (!e.ok()) return ReplyStatus(ctx.w, e);
  }
  ctx.w->out()->append(body);
}

void XInfoGroups(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kStream);
  if (!OpenInfo(ctx, &c, a[2])) return;
  Stream s(&c);
  StreamGroups groups(&c);
  std::string body;
  RespWriter w(&body);
  w.set_version(ctx.w->version());
  uint64_t n = 0;
  Status st = ForEachGroup(
      &groups, [&](std::string_view name, const StreamGroup& g) -> Status {
        n++;
        w.Map(6);
        w.Bulk("name");
        w.Bulk(name);
        w.Bulk("consumers");
        w.Int(static_cast<int64_t>(g.consumers));
        w.Bulk("pending");
        w.Int(static_cast<int64_t>(g.pel));
        w.Bulk("last-delivered-id");
        w.Bulk(FormatStreamId(g.last));
        w.Bulk("entries-read");
        ReplyEntriesRead(&w, g);
        w.Bulk("lag");
        ReplyLag(&w, s, g);
        return Status::OK();
      });
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  ctx.w->Array(n);
  ctx.w->out()->append(body);
}

void XInfoConsumers(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kStream);
  if (!OpenInfo(ctx, &c, a[2])) return;
  StreamGroups groups(&c);
  StreamGroup g;
  bool found;
  Status st = groups.GetGroup(a[3], &g, &found);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (!found) {
    return ctx.w->Error("NOGROUP No such consumer group '" +
                        std::string(CString(a[3])) + "' for key name '" +
                        std::string(CString(a[2])) + "'");
  }
  const int64_t now = static_cast<int64_t>(Keyspace::WallNowMs());
  std::string body;
  RespWriter w(&body);
  w.set_version(ctx.w->version());
  uint64_t n = 0;
  const std::string prefix = StreamGroups::ConsumersPrefix(g.gid);
  auto it = groups.NewIterator();
  for (it->Seek(prefix); it->Valid() && it->sub().starts_with(prefix);
       it->Next()) {
    StreamConsumer con;
    if (!StreamGroups::DecodeConsumer(it->value(), &con)) {
      return ReplyStatus(ctx.w, Status::Corruption("bad consumer"));
    }
    n++;
    w.Map(3);
    w.Bulk("name");
    w.Bulk(it->sub().substr(prefix.size()));
    w.Bulk("pending");
    w.Int(static_cast<int64_t>(con.pending));
    w.Bulk("idle");
    const int64_t idle = now - static_cast<int64_t>(con.seen_ms);
    w.Int(idle < 0 ? 0 : idle);
  }
  if (!it->status().ok()) return ReplyStatus(ctx.w, it->status());
  ctx.w->Array(n);
  ctx.w->out()->append(body);
}

void XInfoHelp(CommandContext& ctx, Args& a) {
  static const char* const kLines[] = {
      "CONSUMERS <key> <groupname>",
      "    Show consumers of <groupname>.",
      "GROUPS <key>",
      "    Show the stream consumer groups.",
      "STREAM <key> [FULL [COUNT <count>]",
      "    Show information about the stream.",
  };
  ReplyHelp(ctx.w, a[0], kLines);
}

constexpr uint32_t R = kCmdReadOnly;

const CommandSpec kXInfoSubcommands[] = {
    {"consumers", 4, R, XInfoConsumers, 2, 2, 1, "stream",
     "List the consumers in a consumer group"},
    {"groups", 3, R, XInfoGroups, 2, 2, 1, "stream",
     "List the consumer groups of a stream"},
    {"help", 2, kCmdLoading, XInfoHelp, 0, 0, 0, "stream",
     "Show helpful text about the different subcommands"},
    {"stream", -3, R, XInfoStream, 2, 2, 1, "stream",
     "Get information about a stream"},
};

const CommandSpec kCommands[] = {
    {"xinfo", -2, 0, nullptr, 0, 0, 0, "stream",
     "A container for stream introspection commands", kXInfoSubcommands},
};

}  // namespace

std::span<const CommandSpec> StreamInfoCommands() { return kCommands; }

}  // namespace shale::server
