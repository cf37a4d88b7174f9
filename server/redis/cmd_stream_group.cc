// Consumer groups: XGROUP (CREATE SETID DESTROY CREATECONSUMER DELCONSUMER
// HELP), XACK, XPENDING (XREADGROUP is in cmd_stream_read.cc).
//
// Groups, consumers and pending entries are kind 0x05 entries of the
// stream (keyspace/stream_group.h); none of these commands writes the
// stream's metadata (but XGROUP CREATE MKSTREAM creating it), so none
// touches a WATCH on the key, as in Redis: XACK reads and deletes two small
// entries per ID and rewrites the group and each owner once; XPENDING's
// summary reads the group, two pending entries (first and last) and the
// group's consumers; its extended form walks the pending entries (or one
// consumer's index) from the start ID.
#include <map>
#include <string>
#include <vector>

#include "server/redis/stream_cmd.h"

namespace shale::server {
namespace {

std::string SubcommandSyntaxError(std::string_view sub) {
  return "ERR unknown subcommand or wrong number of arguments for '" +
         std::string(CString(sub).substr(0, 128)) + "'. Try XGROUP HELP.";
}

bool ParseEntriesRead(CommandContext& ctx, std::string_view arg, int64_t* v) {
  if (!ParseInt64(arg, v)) {
    ctx.w->Error(kErrNotInt);
    return false;
  }
  if (*v < 0 && *v != kInvalidEntriesRead) {
    ctx.w->Error("ERR value for ENTRIESREAD must be positive or -1");
    return false;
  }
  return true;
}

// What every XGROUP subcommand but HELP does first, as Redis's
// xgroupCommand: the key must hold a stream (or be absent with
// MKSTREAM), and SETID, CREATECONSUMER and DELCONSUMER need the group.
bool OpenGroupKey(CommandContext& ctx, const Args& a, Collection* c,
                  bool mkstream, bool need_group, StreamGroup* g,
                  bool* group_found) {
  if (!OpenColl(ctx, c, a[2])) return false;
  *group_found = false;
  if (!c->found()) {
    if (mkstream) return true;
    ctx.w->Error(
        "ERR The XGROUP subcommand requires the key to exist. Note that for "
        "CREATE you may want to use the MKSTREAM option to create an empty "
        "stream automatically.");
    return false;
  }
  StreamGroups groups(c);
  Status s = groups.GetGroup(a[3], g, group_found);
  if (!s.ok()) {
    ReplyStatus(ctx.w, s);
    return false;
  }
  if (need_group && !*group_found) {
    ctx.w->Error("NOGROUP No such consumer group '" +
                 std::string(CString(a[3])) + "' for key name '" +
                 std::string(CString(a[2])) + "'");
    return false;
  }
  return true;
}

// The options after the ID, as Redis 7.0 reads them for CREATE (MKSTREAM,
// ENTRIESREAD) and SETID (ENTRIESREAD) before anything else; repeats are
// accepted here and the argument count checked after the key.
bool ParseGroupOptions(CommandContext& ctx, const Args& a, bool create,
                       bool* mkstream, int64_t* entries_read) {
  for (size_t i = 5; i < a.size(); i++) {
    if (create && OptionIs(a[i], "mkstream")) {
      *mkstream = true;
    } else if (OptionIs(a[i], "entriesread") && i + 1 < a.size()) {
      if (!ParseEntriesRead(ctx, a[i + 1], entries_read)) return false;
      i++;
    } else {
      ctx.w->Error(SubcommandSyntaxError(a[1]));
      return false;
    }
  }
  return true;
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]
void XGroupCreate(CommandContext& ctx, Args& a) {
  bool mkstream = false;
  int64_t entries_read = kInvalidEntriesRead;
  if (!ParseGroupOptions(ctx, a, true, &mkstream, &entries_read)) return;
  Collection c(ctx.ks(), KeyType::kStream);
  StreamGroup g;
  bool exists;
  if (!OpenGroupKey(ctx, a, &c, mkstream, false, &g, &exists)) return;
  if (a.size() > 8) return ctx.w->Error(SubcommandSyntaxError(a[1]));
  StreamId id;
  if (CString(a[4]) == "$") {
    if (c.found()) id = c.meta().stream.last;
  } else if (!ParseIdOrReply(ctx, a[4], 0, true, &id)) {
    return;
  }
  if (exists) {
    return ctx.w->Error("BUSYGROUP Consumer Group name already exists");
  }
  // MKSTREAM's new stream is a metadata write; a group alone is not (as
  // in Redis, XGROUP does not touch a WATCH on the key).
  if (!c.found()) {
    Stream(&c).CreateIfAbsent();
    Status s = c.Finish();
    if (!s.ok()) return ReplyStatus(ctx.w, s);
  }
  g = StreamGroup();
  g.gid = ctx.keyspace()->NextCas();
  g.last = id;
  g.entries_read = entries_read;
  StreamGroups(&c).PutGroup(a[3], g);
  ctx.ks()->Notify(kNotifyStream, "xgroup-create", a[2]);
  ctx.w->Ok();
}

// XGROUP SETID key group id|$ [ENTRIESREAD n]
void XGroupSetId(CommandContext& ctx, Args& a) {
  bool mkstream = false;
  int64_t entries_read = kInvalidEntriesRead;
  if (!ParseGroupOptions(ctx, a, false, &mkstream, &entries_read)) return;
  Collection c(ctx.ks(), KeyType::kStream);
  StreamGroup g;
  bool exists;
  if (!OpenGroupKey(ctx, a, &c, false, true, &g, &exists)) return;
  if (a.size() != 5 && a.size() != 7) {
    return ctx.w->Error(SubcommandSyntaxError(a[1]));
  }
  StreamId id = c.meta().stream.last;
  if (CString(a[4]) != "$" && !ParseIdOrReply(ctx, a[4], 0, false, &id)) {
    return;
  }
  g.last = id;
  g.entries_read = entries_read;
  StreamGroups(&c).PutGroup(a[3], g);
  ctx.ks()->Notify(kNotifyStream, "xgroup-setid", a[2]);
  ctx.w->Ok();
}

// XGROUP DESTROY key group: its consumers and pending entries go too.
void XGroupDestroy(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kStream);
  StreamGroup g;
  bool exists;
  if (!OpenGroupKey(ctx, a, &c, false, false, &g, &exists)) return;
  if (!exists) return ctx.w->Int(0);
  Status s = StreamGroups(&c).DeleteGroup(a[3], g);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.ks()->Notify(kNotifyStream, "xgroup-destroy", a[2]);
  // XREADGROUP's waiters on the group get their error (Redis's
  // signalKeyAsReady).
  ctx.ks()->MarkReady(ctx.ks()->db(), a[2]);
  ctx.w->Int(1);
}

// XGROUP CREATECONSUMER key group consumer
void XGroupCreateConsumer(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kStream);
  StreamGroup g;
  bool exists;
  if (!OpenGroupKey(ctx, a, &c, false, true, &g, &exists)) return;
  bool created;
  Status s = CreateConsumer(ctx, &c, a[3], &g, a[4], &created);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.w->Int(created ? 1 : 0);
}

// XGROUP DELCONSUMER key group consumer: replies its pending count.
void XGroupDelConsumer(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kStream);
  StreamGroup g;
  bool exists;
  if (!OpenGroupKey(ctx, a, &c, false, true, &g, &exists)) return;
  StreamGroups groups(&c);
  StreamConsumer con;
  bool found;
  Status s = groups.GetConsumer(g.gid, a[4], &con, &found);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (!found) return ctx.w->Int(0);
  s = groups.DeleteConsumer(g.gid, a[4]);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  g.pel -= con.pending;
  g.consumers--;
  groups.PutGroup(a[3], g);
  ctx.ks()->Notify(kNotifyStream, "xgroup-delconsumer", a[2]);
  ctx.w->Int(static_cast<int64_t>(con.pending));
}

void XGroupHelp(CommandContext& ctx, Args& a) {
  static const char* const kLines[] = {
      "CREATE <key> <groupname> <id|$> [option]",
      "    Create a new consumer group. Options are:",
      "    * MKSTREAM",
      "      Create the empty stream if it does not exist.",
      "    * ENTRIESREAD entries_read",
      "      Set the group's entries_read counter (internal use).",
      "CREATECONSUMER <key> <groupname> <consumer>",
      "    Create a new consumer in the specified group.",
      "DELCONSUMER <key> <groupname> <consumer>",
      "    Remove the specified consumer.",
      "DESTROY <key> <groupname>",
      "    Remove the specified group.",
      "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
      "    Set the current group ID and entries_read counter.",
  };
  ReplyHelp(ctx.w, a[0], kLines);
}

// XACK key group id [id ...]
void XAck(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kStream);
  if (!OpenCollRead(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Int(0);
  StreamGroups groups(&c);
  StreamGroup g;
  bool found;
  Status s = groups.GetGroup(a[2], &g, &found);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (!found) return ctx.w->Int(0);
  std::vector<StreamId> ids(a.size() - 3);
  for (size_t j = 3; j < a.size(); j++) {
    if (!ParseIdOrReply(ctx, a[j], 0, true, &ids[j - 3])) return;
  }
  // Each owner's pending count drops once, whatever it acknowledged.
  std::map<std::string, uint64_t> owners;
  int64_t acked = 0;
  for (StreamId id : ids) {
    PendingEntry p;
    s = groups.GetPending(g.gid, id, &p, &found);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    if (!found) continue;
    groups.DeletePending(g.gid, id, p.consumer);
    owners[p.consumer]++;
    acked++;
  }
  for (const auto& [name, n] : owners) {
    StreamConsumer con;
    s = groups.GetConsumer(g.gid, name, &con, &found);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    if (!found) return ReplyStatus(ctx.w, Status::Corruption("no owner"));
    con.pending -= n;
    groups.PutConsumer(g.gid, name, con);
  }
  if (acked > 0) {
    g.pel -= static_cast<uint64_t>(acked);
    groups.PutGroup(a[2], g);
  }
  ctx.w->Int(acked);
}

// XPENDING key group [[IDLE min-idle] start end count [consumer]]
void XPending(CommandContext& ctx, Args& a) {
  const bool summary = a.size() == 3;
  if (!summary && (a.size() < 6 || a.size() > 9)) {
    return ctx.w->Error(kErrSyntax);
  }
  int64_t count = 0, min_idle = 0;
  StreamId start, end;
  std::string_view consumer;
  bool with_consumer = false;
  if (!summary) {
    size_t at = 3;
    if (OptionIs(a[3], "idle")) {
      if (!ParseInt64(a[4], &min_idle)) return ctx.w->Error(kErrNotInt);
      if (a.size() < 8) return ctx.w->Error(kErrSyntax);
      at += 2;
    }
    if (!ParseInt64(a[at + 2], &count)) return ctx.w->Error(kErrNotInt);
    if (count < 0) count = 0;
    if (!ParseIntervalId(ctx, a[at], 0, &start, true)) return;
    if (!ParseIntervalId(ctx, a[at + 1], UINT64_MAX, &end, false)) return;
    if (at + 3 < a.size()) {
      consumer = a[at + 3];
      with_consumer = true;
    }
  }
  Collection c(ctx.ks(), KeyType::kStream);
  StreamGroup g;
  if (!OpenStreamGroup(ctx, &c, a[1], a[2], &g)) return;
  StreamGroups groups(&c);
  Status s = summary ? ReplyPendingSummary(ctx, &groups, g)
                     : ReplyPendingRange(ctx, &groups, g, start, end,
                                         static_cast<uint64_t>(count), min_idle,
                                         with_consumer, consumer);
  if (!s.ok()) ReplyStatus(ctx.w, s);
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;

const CommandSpec kXGroupSubcommands[] = {
    {"create", -5, W, XGroupCreate, 2, 2, 1, "stream",
     "Create a consumer group"},
    {"createconsumer", 5, W, XGroupCreateConsumer, 2, 2, 1, "stream",
     "Create a consumer in a consumer group"},
    {"delconsumer", 5, W, XGroupDelConsumer, 2, 2, 1, "stream",
     "Delete a consumer from a consumer group"},
    {"destroy", 4, W, XGroupDestroy, 2, 2, 1, "stream",
     "Destroy a consumer group"},
    {"help", 2, kCmdLoading, XGroupHelp, 0, 0, 0, "stream",
     "Show helpful text about the different subcommands"},
    {"setid", -5, W, XGroupSetId, 2, 2, 1, "stream",
     "Set the last delivered ID of a consumer group"},
};

const CommandSpec kCommands[] = {
    {"xgroup", -2, 0, nullptr, 0, 0, 0, "stream",
     "A container for consumer groups commands", kXGroupSubcommands},
    {"xack", -4, W | F, XAck, 1, 1, 1, "stream",
     "Marks a pending message as correctly processed"},
    {"xpending", -3, R, XPending, 1, 1, 1, "stream",
     "Return information and entries from a stream consumer group pending "
     "entries list"},
};

}  // namespace

std::span<const CommandSpec> StreamGroupCommands() { return kCommands; }

}  // namespace shale::server
