// Stream writes: XADD XDEL XTRIM XSETID, and XLEN (the reads by range and
// XREAD are in cmd_stream_read.cc, XINFO in cmd_stream_info.cc).
//
// A stream is a collection (keyspace/stream.h): one metadata entry with
// its count and Redis's stream fields (last ID, first ID, max deleted ID,
// entries added, groups), one engine entry per stream entry keyed by its
// ID (docs/format/server_keys.md §4.5). XADD is one point write; XDEL one
// read and delete per ID; trimming walks from the first entry and deletes
// what it removes, one by one: O(removed).
//
// Trimming with `~` trims exactly, as `=` does, but never more than LIMIT
// entries (default 100 * stream-node-max-entries, as Redis): Redis trims
// whole listpack nodes only, so its XLEN after `~` may be larger
// (docs/protocols.md).
#include <string>
#include <vector>

#include "server/live_config.h"
#include "server/redis/stream_cmd.h"

namespace shale::server {
namespace {

enum class Trim { kNone, kMaxLen, kMinId };

// XADD's and XTRIM's options, as Redis 7.0's
// streamParseAddOrTrimArgsOrReply reads them.
struct AddTrimArgs {
  Trim trim = Trim::kNone;
  bool approx = false;
  int64_t maxlen = 0;
  StreamId minid;
  int64_t limit = 0;
  bool nomkstream = false;
  bool id_given = false;
  bool seq_given = true;
  StreamId id;
};

const LiveConfig::Ref& NodeMaxEntries() {
  static const LiveConfig::Ref r =
      LiveConfig::Resolve("stream-node-max-entries");
  return r;
}

// Returns the position of XADD's ID (a.size() if none was found), or -1
// with the error written.
long ParseAddOrTrim(CommandContext& ctx, const Args& a, bool xadd,
                    AddTrimArgs* t) {
  bool limit_given = false;
  size_t i = 2;
  for (; i < a.size(); i++) {
    const size_t more = a.size() - 1 - i;
    const std::string_view opt = CString(a[i]);
    if (xadd && opt == "*") break;
    const bool maxlen = EqualsIgnoreCase(opt, "maxlen");
    if ((maxlen || EqualsIgnoreCase(opt, "minid")) && more > 0) {
      if (t->trim != Trim::kNone) {
        ctx.w->Error(
            "ERR syntax error, MAXLEN and MINID options at the same time are "
            "not compatible");
        return -1;
      }
      t->approx = false;
      const std::string_view next = CString(a[i + 1]);
      if (more >= 2 && next == "~") {
        t->approx = true;
        i++;
      } else if (more >= 2 && next == "=") {
        i++;
      }
      if (maxlen) {
        if (!ParseInt64(a[i + 1], &t->maxlen)) {
          ctx.w->Error(kErrNotInt);
          return -1;
        }
        if (t->maxlen < 0) {
          ctx.w->Error("ERR The MAXLEN argument must be >= 0.");
          return -1;
        }
        t->trim = Trim::kMaxLen;
      } else {
        if (!ParseIdOrReply(ctx, a[i + 1], 0, true, &t->minid)) return -1;
        t->trim = Trim::kMinId;
      }
      i++;
    } else if (EqualsIgnoreCase(opt, "limit") && more > 0) {
      if (!ParseInt64(a[i + 1], &t->limit)) {
        ctx.w->Error(kErrNotInt);
        return -1;
      }
      if (t->limit < 0) {
        ctx.w->Error("ERR The LIMIT argument must be >= 0.");
        return -1;
      }
      limit_given = true;
      i++;
    } else if (xadd && EqualsIgnoreCase(opt, "nomkstream")) {
      t->nomkstream = true;
    } else if (xadd) {
      if (!ParseIdOrReply(ctx, a[i], 0, true, &t->id, &t->seq_given)) {
        return -1;
      }
      t->id_given = true;
      break;
    } else {
      ctx.w->Error(kErrSyntax);
      return -1;
    }
  }
  if (t->limit != 0 && t->trim == Trim::kNone) {
    ctx.w->Error(
        "ERR syntax error, LIMIT cannot be used without specifying a trimming "
        "strategy");
    return -1;
  }
  if (!xadd && t->trim == Trim::kNone) {
    ctx.w->Error(
        "ERR syntax error, XTRIM must be called with a trimming strategy");
    return -1;
  }
  if (limit_given) {
    if (!t->approx) {
      ctx.w->Error(
          "ERR syntax error, LIMIT cannot be used without the special ~ "
          "option");
      return -1;
    }
  } else if (t->approx) {
    const int64_t node = ctx.server->live.Int(NodeMaxEntries());
    t->limit = node > 0 && node <= INT64_MAX / 100 ? 100 * node : 10000;
    if (t->limit > 1000000) t->limit = 10000;
  } else {
    t->limit = 0;
  }
  return static_cast<long>(i);
}

// Trims s as t asks; *removed entries went.
Status DoTrim(Stream* s, const AddTrimArgs& t, uint64_t* removed) {
  const uint64_t limit = static_cast<uint64_t>(t.limit);
  if (t.trim == Trim::kMaxLen) {
    return s->TrimMaxLen(static_cast<uint64_t>(t.maxlen), limit, removed);
  }
  return s->TrimMinId(t.minid, limit, removed);
}

constexpr const char* kErrIdTooSmall =
    "ERR The ID specified in XADD is equal or smaller than the target stream "
    "top item";

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]]
//      *|id field value [field value ...]
void XAdd(CommandContext& ctx, Args& a) {
  AddTrimArgs t;
  const long idpos = ParseAddOrTrim(ctx, a, true, &t);
  if (idpos < 0) return;
  const size_t field_pos = static_cast<size_t>(idpos) + 1;
  if (a.size() < field_pos + 2 || (a.size() - field_pos) % 2 == 1) {
    return ReplyArity(ctx.w, "xadd");
  }
  if (t.id_given && t.seq_given && t.id.zero()) {
    return ctx.w->Error(
        "ERR The ID specified in XADD must be greater than 0-0");
  }
  Collection c(ctx.ks(), KeyType::kStream);
  if (!OpenColl(ctx, &c, a[1])) return;
  if (!c.found() && t.nomkstream) return ctx.w->Null();
  Stream s(&c);
  const StreamId last = s.state().last;
  if (last == kMaxStreamId) {
    return ctx.w->Error(
        "ERR The stream has exhausted the last possible ID, unable to add "
        "more items");
  }
  StreamId id;
  if (t.id_given) {
    id = t.id;
    if (!t.seq_given && last.ms == t.id.ms) {
      if (last.seq == UINT64_MAX) return ctx.w->Error(kErrIdTooSmall);
      id = StreamId{last.ms, last.seq + 1};
    }
  } else {
    const uint64_t now = Keyspace::WallNowMs();
    id = last;
    if (now > last.ms) {
      id = StreamId{now, 0};
    } else {
      IncrStreamId(&id);
    }
  }
  if (id <= last) return ctx.w->Error(kErrIdTooSmall);
  s.Append(id, std::span<const std::string>(a.begin() + field_pos, a.end()));
  ctx.ks()->Notify(kNotifyStream, "xadd", a[1]);
  if (t.trim != Trim::kNone) {
    uint64_t removed = 0;
    Status st = DoTrim(&s, t, &removed);
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    if (removed > 0) ctx.ks()->Notify(kNotifyStream, "xtrim", a[1]);
  }
  Status st = c.Finish();
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  // Its XREAD waiters are served after the command (cmd_blocking.cc).
  ctx.ks()->MarkReady(ctx.ks()->db(), a[1]);
  ctx.w->Bulk(FormatStreamId(id));
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
void XTrim(CommandContext& ctx, Args& a) {
  AddTrimArgs t;
  if (ParseAddOrTrim(ctx, a, false, &t) < 0) return;
  Collection c(ctx.ks(), KeyType::kStream);
  if (!OpenColl(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Int(0);
  Stream s(&c);
  uint64_t removed = 0;
  Status st = DoTrim(&s, t, &removed);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (removed > 0 && !FinishColl(ctx, &c, kNotifyStream, "xtrim")) return;
  ctx.w->Int(static_cast<int64_t>(removed));
}

// XDEL key id [id ...]: every ID is checked before any is deleted.
void XDel(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kStream);
  if (!OpenColl(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Int(0);
  std::vector<StreamId> ids(a.size() - 2);
  for (size_t i = 2; i < a.size(); i++) {
    if (!ParseIdOrReply(ctx, a[i], 0, true, &ids[i - 2])) return;
  }
  Stream s(&c);
  int64_t deleted = 0;
  for (StreamId id : ids) {
    bool del;
    Status st = s.Delete(id, &del);
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    deleted += del;
  }
  if (deleted > 0 && !FinishColl(ctx, &c, kNotifyStream, "xdel")) return;
  ctx.w->Int(deleted);
}

void XLen(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kStream);
  if (!OpenCollRead(ctx, &c, a[1])) return;
  ctx.w->Int(static_cast<int64_t>(c.found() ? c.count() : 0));
}

// XSETID key last-id [ENTRIESADDED entries-added]
//        [MAXDELETEDID max-deleted-id]
void XSetId(CommandContext& ctx, Args& a) {
  StreamId id, max_deleted;
  int64_t entries_added = -1;
  if (!ParseIdOrReply(ctx, a[2], 0, true, &id)) return;
  for (size_t i = 3; i < a.size(); i += 2) {
    const bool more = i + 1 < a.size();
    if (OptionIs(a[i], "entriesadded") && more) {
      if (!ParseInt64(a[i + 1], &entries_added)) {
        return ctx.w->Error(kErrNotInt);
      }
      if (entries_added < 0) {
        return ctx.w->Error("ERR entries_added must be positive");
      }
    } else if (OptionIs(a[i], "maxdeletedid") && more) {
      if (!ParseIdOrReply(ctx, a[i + 1], 0, true, &max_deleted)) return;
      if (id < max_deleted) {
        return ctx.w->Error(
            "ERR The ID specified in XSETID is smaller than the provided "
            "max_deleted_entry_id");
      }
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  Collection c(ctx.ks(), KeyType::kStream);
  Status st = c.Open(a[1]);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (!c.found() && !c.wrong_type()) return ctx.w->Error("ERR no such key");
  if (c.wrong_type()) return ctx.w->Error(kErrWrongType);
  Stream s(&c);
  // Redis 7.0 does not compare the new ID with the stream's own
  // max_deleted_entry_id (only with MAXDELETEDID's).
  StreamState state = s.state();
  if (s.length() > 0) {
    StreamId top;
    bool found;
    st = s.LastEntryId(&top, &found);
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    if (id < top) {
      return ctx.w->Error(
          "ERR The ID specified in XSETID is smaller than the target stream "
          "top item");
    }
    if (entries_added != -1 &&
        s.length() > static_cast<uint64_t>(entries_added)) {
      return ctx.w->Error(
          "ERR The entries_added specified in XSETID is smaller than the "
          "target stream length");
    }
  }
  state.last = id;
  if (entries_added != -1) {
    state.entries_added = static_cast<uint64_t>(entries_added);
  }
  if (!max_deleted.zero()) state.max_deleted = max_deleted;
  st = s.SetState(state);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (!FinishColl(ctx, &c, kNotifyStream, "xsetid")) return;
  ctx.w->Ok();
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;

const CommandSpec kCommands[] = {
    {"xadd", -5, W | F, XAdd, 1, 1, 1, "stream",
     "Appends a new entry to a stream"},
    {"xtrim", -4, W, XTrim, 1, 1, 1, "stream",
     "Deletes messages from the beginning of a stream"},
    {"xdel", -3, W | F, XDel, 1, 1, 1, "stream",
     "Removes the specified entries from the stream"},
    {"xlen", 2, R | F, XLen, 1, 1, 1, "stream",
     "Return the number of entries in a stream"},
    {"xsetid", -3, W | F, XSetId, 1, 1, 1, "stream",
     "Sets the last-delivered ID of a stream"},
};

}  // namespace

std::span<const CommandSpec> StreamCommands() { return kCommands; }

}  // namespace shale::server
