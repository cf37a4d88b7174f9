#include "server/redis/stream_cmd.h"

#include <string>
#include <vector>

#include "server/util/coding.h"

namespace shale::server {

bool ParseIdOrReply(CommandContext& ctx, std::string_view arg,
                    uint64_t missing_seq, bool strict, StreamId* id,
                    bool* seq_given) {
  if (ParseStreamId(arg, missing_seq, strict, id, seq_given)) return true;
  ctx.w->Error(kErrInvalidStreamId);
  return false;
}

bool ReplyStreamEntry(RespWriter* w, std::string_view sub,
                      std::string_view value) {
  thread_local std::vector<std::string_view> fields;
  StreamId id;
  if (!ParseIdSub(sub, &id) || !DecodeStreamFields(value, &fields)) {
    return false;
  }
  w->Array(2);
  w->Bulk(FormatStreamId(id));
  w->Array(fields.size());
  for (std::string_view f : fields) w->Bulk(f);
  return true;
}

bool ReplyStreamRange(RespWriter* w, Stream* s, StreamId start, StreamId end,
                      uint64_t count, bool rev) {
  std::string* out = w->out();
  const size_t mark = out->size();
  // The length is known only at the end: the entries go after a
  // placeholder header that is rewritten then.
  std::string body;
  RespWriter bw(&body);
  bw.set_version(w->version());
  uint64_t n = 0;
  Status st;
  // A walk back stops at the first entry: the trimmed ones lie below it.
  if (s->length() > 0) start = std::max(start, s->state().first);
  if (start <= end) {
    auto it = s->NewIterator();
    if (rev) {
      s->SeekBackFrom(it.get(), end);
    } else {
      s->SeekFrom(it.get(), start);
    }
    // The loop stops at the count before stepping past it: a step can
    // cost a block read.
    for (; it->Valid(); rev ? it->Prev() : it->Next()) {
      StreamId id;
      if (!ParseIdSub(it->sub(), &id)) {
        st = Status::Corruption("bad stream entry key");
        break;
      }
      if (rev ? id < start : id > end) break;
      if (!ReplyStreamEntry(&bw, it->sub(), it->value())) {
        st = Status::Corruption("bad stream entry");
        break;
      }
      if (++n == count) break;
    }
    if (st.ok()) st = it->status();
  }
  if (!st.ok()) {
    out->resize(mark);
    ReplyStatus(w, st);
    return false;
  }
  w->Array(n);
  out->append(body);
  return true;
}

bool ParseIntervalId(CommandContext& ctx, std::string_view arg,
                     uint64_t missing_seq, StreamId* id, bool start) {
  const bool ex = arg.size() > 1 && arg[0] == '(';
  if (!ParseIdOrReply(ctx, ex ? arg.substr(1) : arg, missing_seq, ex, id)) {
    return false;
  }
  if (ex && !(start ? IncrStreamId(id) : DecrStreamId(id))) {
    ctx.w->Error(start ? "ERR invalid start ID for the interval"
                       : "ERR invalid end ID for the interval");
    return false;
  }
  return true;
}

Status CreateConsumer(CommandContext& ctx, Collection* c,
                      std::string_view group, StreamGroup* g,
                      std::string_view name, bool* created,
                      StreamConsumer* con) {
  StreamGroups groups(c);
  StreamConsumer own;
  if (con == nullptr) con = &own;
  Status s = groups.GetConsumer(g->gid, name, con, created);
  if (!s.ok()) return s;
  *created = !*created;
  if (!*created) return Status::OK();
  *con = StreamConsumer();
  con->seen_ms = Keyspace::WallNowMs();
  groups.PutConsumer(g->gid, name, *con);
  g->consumers++;
  groups.PutGroup(group, *g);
  ctx.ks()->Notify(kNotifyStream, "xgroup-createconsumer", c->key());
  return Status::OK();
}

namespace {

// The ID at the end of a pending sub-key (tag gid [clen consumer] id).
bool TrailingId(std::string_view sub, StreamId* id) {
  if (sub.size() < 16) return false;
  return ParseIdSub(sub.substr(sub.size() - 16), id);
}

}  // namespace

Status ReplyPendingSummary(CommandContext& ctx, StreamGroups* groups,
                           const StreamGroup& g) {
  RespWriter* w = ctx.w;
  std::string body;
  RespWriter bw(&body);
  bw.set_version(w->version());
  bw.Int(static_cast<int64_t>(g.pel));
  if (g.pel == 0) {
    bw.Null();
    bw.Null();
    bw.NullArray();
  } else {
    const std::string prefix = StreamGroups::PendingPrefix(g.gid);
    auto it = groups->NewIterator();
    StreamId first, last;
    it->Seek(prefix);
    if (!it->Valid() || !it->sub().starts_with(prefix) ||
        !TrailingId(it->sub(), &first)) {
      return it->status().ok() ? Status::Corruption("pending list empty")
                               : it->status();
    }
    auto back = groups->NewIterator();
    back->SeekForPrev(PrefixSuccessor(prefix));
    if (!back->Valid() || !back->sub().starts_with(prefix) ||
        !TrailingId(back->sub(), &last)) {
      return back->status().ok() ? Status::Corruption("pending list empty")
                                 : back->status();
    }
    bw.Bulk(FormatStreamId(first));
    bw.Bulk(FormatStreamId(last));
    std::string cons;
    RespWriter cw(&cons);
    cw.set_version(w->version());
    size_t n = 0;
    const std::string cprefix = StreamGroups::ConsumersPrefix(g.gid);
    auto ci = groups->NewIterator();
    for (ci->Seek(cprefix); ci->Valid() && ci->sub().starts_with(cprefix);
         ci->Next()) {
      StreamConsumer con;
      if (!StreamGroups::DecodeConsumer(ci->value(), &con)) {
        return Status::Corruption("bad consumer");
      }
      if (con.pending == 0) continue;
      cw.Array(2);
      cw.Bulk(ci->sub().substr(cprefix.size()));
      cw.Bulk(std::to_string(con.pending));
      n++;
    }
    if (!ci->status().ok()) return ci->status();
    bw.Array(n);
    body.append(cons);
  }
  w->Array(4);
  w->out()->append(body);
  return Status::OK();
}

Status ReplyPendingRange(CommandContext& ctx, StreamGroups* groups,
                         const StreamGroup& g, StreamId start, StreamId end,
                         uint64_t count, int64_t min_idle, bool with_consumer,
                         std::string_view consumer) {
  RespWriter* w = ctx.w;
  std::string prefix = StreamGroups::PendingPrefix(g.gid);
  if (with_consumer) {
    StreamConsumer con;
    bool found;
    Status s = groups->GetConsumer(g.gid, consumer, &con, &found);
    if (!s.ok()) return s;
    if (!found) {
      w->Array(0);
      return Status::OK();
    }
    prefix = StreamGroups::ConsumerPendingPrefix(g.gid, consumer);
  }
  const int64_t now = static_cast<int64_t>(Keyspace::WallNowMs());
  std::string body;
  RespWriter bw(&body);
  bw.set_version(w->version());
  size_t n = 0;
  auto it = groups->NewIterator();
  it->Seek(prefix + IdSub(start));
  for (; count > 0 && it->Valid() && it->sub().starts_with(prefix);
       it->Next()) {
    StreamId id;
    if (!TrailingId(it->sub(), &id)) {
      return Status::Corruption("bad pending entry key");
    }
    if (id > end) break;
    PendingEntry p;
    if (with_consumer) {
      bool found;
      Status s = groups->GetPending(g.gid, id, &p, &found);
      if (!s.ok()) return s;
      if (!found) return Status::Corruption("pending index without entry");
    } else if (!StreamGroups::DecodePending(it->value(), &p)) {
      return Status::Corruption("bad pending entry");
    }
    const int64_t idle = now - static_cast<int64_t>(p.delivered_ms);
    if (min_idle != 0 && idle < min_idle) continue;
    n++;
    count--;
    bw.Array(4);
    bw.Bulk(FormatStreamId(id));
    bw.Bulk(p.consumer);
    bw.Int(idle < 0 ? 0 : idle);
    bw.Int(static_cast<int64_t>(p.deliveries));
  }
  if (!it->status().ok()) return it->status();
  w->Array(n);
  w->out()->append(body);
  return Status::OK();
}

bool OpenStreamGroup(CommandContext& ctx, Collection* c, std::string_view key,
                     std::string_view group, StreamGroup* g) {
  if (!OpenCollRead(ctx, c, key)) return false;
  bool found = false;
  if (c->found()) {
    Status s = StreamGroups(c).GetGroup(group, g, &found);
    if (!s.ok()) {
      ReplyStatus(ctx.w, s);
      return false;
    }
  }
  if (!found) {
    ctx.w->Error("NOGROUP No such key '" + std::string(CString(key)) +
                 "' or consumer group '" + std::string(CString(group)) + "'");
  }
  return found;
}

}  // namespace shale::server
