// XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS, XINFO HELP.
//
// XINFO STREAM answers from the stream's metadata (keyspace/stream.h) and
// two seeks (its first and last entries); FULL lists the first COUNT
// entries (10; 0: all) from one seek. shale has no radix tree of listpack
// nodes: radix-tree-keys is what an append-only Redis stream of that
// length holds with the default stream-node-max-entries 100 (one node per
// 100 entries), radix-tree-nodes that plus one (docs/protocols.md).
//
// Consumer groups are not built yet (the encoding is: docs/format/
// server_keys.md §4.5): a stream has none, so XINFO GROUPS answers an
// empty list and XINFO CONSUMERS Redis's NOGROUP error.
#include <string>

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
    w.Array(0);
  } else {
    w.Bulk("groups");
    w.Int(static_cast<int64_t>(st.groups));
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
  ctx.w->Array(0);
}

void XInfoConsumers(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kStream);
  if (!OpenInfo(ctx, &c, a[2])) return;
  ctx.w->Error("NOGROUP No such consumer group '" + std::string(CString(a[3])) +
               "' for key name '" + std::string(CString(a[2])) + "'");
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
