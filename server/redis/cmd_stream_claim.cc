// XCLAIM and XAUTOCLAIM: moving pending entries of a consumer group to
// another consumer (keyspace/stream_group.h).
//
// A claim rewrites the pending entry (owner, delivery time and count),
// moves its index entry from the old owner to the new one, and rewrites
// both consumers' counts and the group once. A pending entry whose stream
// entry was deleted is dropped from the PEL instead (both commands, as
// Redis). XAUTOCLAIM walks the group's pending entries from its start ID,
// at most COUNT claims and 10 * COUNT entries looked at, as Redis.
#include <climits>
#include <map>
#include <string>
#include <vector>

#include "server/redis/stream_cmd.h"

namespace shale::server {
namespace {

// One claim or drop at a time, with the counts written at the end.
class Claimer {
 public:
  Claimer(CommandContext& ctx, Collection* c, std::string_view group,
          StreamGroup* g, std::string_view consumer)
      : ctx_(ctx),
        c_(c),
        groups_(c),
        group_(group),
        g_(g),
        consumer_(consumer) {}

  // The pending entry id (found: *p) moves to the consumer (created on
  // its first claim) with the delivery time and count given.
  Status Claim(StreamId id, PendingEntry* p, bool existed, uint64_t time,
               int64_t retrycount, bool justid) {
    if (!have_consumer_) {
      bool created;
      Status s =
          CreateConsumer(ctx_, c_, group_, g_, consumer_, &created, &con_);
      if (!s.ok()) return s;
      con_.seen_ms = Keyspace::WallNowMs();
      have_consumer_ = true;
    }
    if (!existed) {
      g_->pel++;
      con_.pending++;
    } else if (p->consumer != consumer_) {
      groups_.UnindexPending(g_->gid, id, p->consumer);
      lost_[p->consumer]++;
      con_.pending++;
    }
    p->consumer.assign(consumer_);
    p->delivered_ms = time;
    if (retrycount >= 0) {
      p->deliveries = static_cast<uint64_t>(retrycount);
    } else if (!justid) {
      p->deliveries++;
    }
    groups_.PutPending(g_->gid, id, *p);
    return Status::OK();
  }

  // The pending entry's stream entry is gone: it leaves the PEL.
  void Drop(StreamId id, const PendingEntry& p) {
    groups_.DeletePending(g_->gid, id, p.consumer);
    lost_[p.consumer]++;
    g_->pel--;
  }

  // Writes the counts (consumers, group): kind 0x05 entries only, no
  // metadata (no WATCH is touched, as in Redis).
  Status Finish() {
    for (const auto& [name, n] : lost_) {
      if (have_consumer_ && name == consumer_) {
        con_.pending -= n;
        continue;
      }
      StreamConsumer other;
      bool found;
      Status s = groups_.GetConsumer(g_->gid, name, &other, &found);
      if (!s.ok()) return s;
      if (!found) return Status::Corruption("pending entry without owner");
      other.pending -= n;
      groups_.PutConsumer(g_->gid, name, other);
    }
    if (have_consumer_) groups_.PutConsumer(g_->gid, consumer_, con_);
    groups_.PutGroup(group_, *g_);
    return Status::OK();
  }

  StreamGroups* groups() { return &groups_; }

 private:
  CommandContext& ctx_;
  Collection* const c_;
  StreamGroups groups_;
  const std::string_view group_;
  StreamGroup* const g_;
  const std::string_view consumer_;
  bool have_consumer_ = false;
  StreamConsumer con_;
  std::map<std::string, uint64_t, std::less<>> lost_;
};

// The reply for one claimed entry: its ID (JUSTID) or the entry (nil if
// it is gone).
Status ReplyClaimed(Collection* c, StreamId id, bool justid, RespWriter* w) {
  if (justid) {
    w->Bulk(FormatStreamId(id));
    return Status::OK();
  }
  std::string value;
  Status s = Stream(c).GetEntry(id, &value);
  if (s.IsNotFound()) {
    w->Null();
    return Status::OK();
  }
  if (!s.ok()) return s;
  if (!ReplyStreamEntry(w, IdSub(id), value)) {
    return Status::Corruption("bad stream entry");
  }
  return Status::OK();
}

bool EntryExists(Collection* c, StreamId id, Status* s) {
  std::string value;
  *s = Stream(c).GetEntry(id, &value);
  if (s->IsNotFound()) {
    *s = Status::OK();
    return false;
  }
  return s->ok();
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms]
//        [TIME unix-ms] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
void XClaim(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kStream);
  StreamGroup g;
  if (!OpenStreamGroup(ctx, &c, a[1], a[2], &g)) return;
  int64_t min_idle;
  if (!ParseInt64(a[4], &min_idle)) {
    return ctx.w->Error("ERR Invalid min-idle-time argument for XCLAIM");
  }
  if (min_idle < 0) min_idle = 0;
  std::vector<StreamId> ids;
  size_t j = 5;
  for (; j < a.size(); j++) {
    StreamId id;
    if (!ParseStreamId(a[j], 0, true, &id)) break;
    ids.push_back(id);
  }
  const int64_t now = static_cast<int64_t>(Keyspace::WallNowMs());
  int64_t retrycount = -1, delivery = -1;
  bool force = false, justid = false;
  StreamId last_id;
  for (; j < a.size(); j++) {
    const bool more = j + 1 < a.size();
    if (OptionIs(a[j], "force")) {
      force = true;
    } else if (OptionIs(a[j], "justid")) {
      justid = true;
    } else if (OptionIs(a[j], "idle") && more) {
      if (!ParseInt64(a[++j], &delivery)) {
        return ctx.w->Error("ERR Invalid IDLE option argument for XCLAIM");
      }
      delivery = now - delivery;
    } else if (OptionIs(a[j], "time") && more) {
      if (!ParseInt64(a[++j], &delivery)) {
        return ctx.w->Error("ERR Invalid TIME option argument for XCLAIM");
      }
    } else if (OptionIs(a[j], "retrycount") && more) {
      if (!ParseInt64(a[++j], &retrycount)) {
        return ctx.w->Error(
            "ERR Invalid RETRYCOUNT option argument for XCLAIM");
      }
    } else if (OptionIs(a[j], "lastid") && more) {
      if (!ParseIdOrReply(ctx, a[++j], 0, true, &last_id)) return;
    } else {
      return ctx.w->Error("ERR Unrecognized XCLAIM option '" +
                          std::string(CString(a[j])) + "'");
    }
  }
  if (last_id > g.last) g.last = last_id;
  if (delivery < 0 || delivery > now) delivery = now;
  Claimer claimer(ctx, &c, a[2], &g, a[3]);
  StreamGroups* groups = claimer.groups();
  std::string body;
  RespWriter bw(&body);
  bw.set_version(ctx.w->version());
  size_t n = 0;
  for (StreamId id : ids) {
    PendingEntry p;
    bool pending;
    Status s = groups->GetPending(g.gid, id, &p, &pending);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    const bool exists = EntryExists(&c, id, &s);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    if (!exists) {
      if (pending) claimer.Drop(id, p);
      continue;
    }
    if (!pending && !force) continue;
    // An entry FORCE adds to the PEL has no owner: no idle check.
    if (pending && min_idle != 0 &&
        now - static_cast<int64_t>(p.delivered_ms) < min_idle) {
      continue;
    }
    if (!pending) p = PendingEntry();
    s = claimer.Claim(id, &p, pending, static_cast<uint64_t>(delivery),
                      retrycount, justid);
    if (s.ok()) s = ReplyClaimed(&c, id, justid, &bw);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    n++;
  }
  Status s = claimer.Finish();
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.w->Array(n);
  ctx.w->out()->append(body);
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
void XAutoClaim(CommandContext& ctx, Args& a) {
  int64_t min_idle;
  if (!ParseInt64(a[4], &min_idle)) {
    return ctx.w->Error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
  }
  if (min_idle < 0) min_idle = 0;
  StreamId start;
  if (!ParseIntervalId(ctx, a[5], 0, &start, true)) return;
  // Redis bounds COUNT so that its attempts (10 per claim) and its array
  // of deleted IDs cannot overflow.
  constexpr int64_t kMaxCount = LONG_MAX / 16;
  int64_t count = 100;
  bool justid = false;
  for (size_t j = 6; j < a.size(); j++) {
    if (OptionIs(a[j], "count") && j + 1 < a.size()) {
      if (!ParseInt64(a[j + 1], &count) || count < 1 || count > kMaxCount) {
        return ctx.w->Error("ERR COUNT must be > 0");
      }
      j++;
    } else if (OptionIs(a[j], "justid")) {
      justid = true;
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  Collection c(ctx.ks(), KeyType::kStream);
  StreamGroup g;
  if (!OpenStreamGroup(ctx, &c, a[1], a[2], &g)) return;
  const int64_t now = static_cast<int64_t>(Keyspace::WallNowMs());
  Claimer claimer(ctx, &c, a[2], &g, a[3]);
  StreamGroups* groups = claimer.groups();
  std::string body;
  RespWriter bw(&body);
  bw.set_version(ctx.w->version());
  size_t n = 0;
  std::vector<StreamId> deleted;
  int64_t attempts = count * 10;
  const std::string prefix = StreamGroups::PendingPrefix(g.gid);
  auto it = groups->NewIterator();
  it->Seek(prefix + IdSub(start));
  Status s;
  for (; attempts-- > 0 && count > 0 && it->Valid() &&
         it->sub().starts_with(prefix);
       it->Next()) {
    StreamId id;
    PendingEntry p;
    if (!ParseIdSub(it->sub().substr(prefix.size()), &id) ||
        !StreamGroups::DecodePending(it->value(), &p)) {
      return ReplyStatus(ctx.w, Status::Corruption("bad pending entry"));
    }
    const bool exists = EntryExists(&c, id, &s);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    if (!exists) {
      claimer.Drop(id, p);
      deleted.push_back(id);
      count--;
      continue;
    }
    if (min_idle != 0 &&
        now - static_cast<int64_t>(p.delivered_ms) < min_idle) {
      continue;
    }
    s = claimer.Claim(id, &p, true, static_cast<uint64_t>(now), -1, justid);
    if (s.ok()) s = ReplyClaimed(&c, id, justid, &bw);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    n++;
    count--;
  }
  if (!it->status().ok()) return ReplyStatus(ctx.w, it->status());
  // The cursor: the next pending entry, 0-0 at the end.
  StreamId next;
  if (it->Valid() && it->sub().starts_with(prefix) &&
      !ParseIdSub(it->sub().substr(prefix.size()), &next)) {
    return ReplyStatus(ctx.w, Status::Corruption("bad pending entry"));
  }
  s = claimer.Finish();
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.w->Array(3);
  ctx.w->Bulk(FormatStreamId(next));
  ctx.w->Array(n);
  ctx.w->out()->append(body);
  ctx.w->Array(deleted.size());
  for (StreamId id : deleted) ctx.w->Bulk(FormatStreamId(id));
}

constexpr uint32_t W = kCmdWrite, F = kCmdFast;

const CommandSpec kCommands[] = {
    {"xclaim", -6, W | F, XClaim, 1, 1, 1, "stream",
     "Changes (or acquires) ownership of a message in a consumer group, as "
     "if the message was delivered to the specified consumer."},
    {"xautoclaim", -6, W | F, XAutoClaim, 1, 1, 1, "stream",
     "Changes (or acquires) ownership of messages in a consumer group, as "
     "if the messages were delivered to the specified consumer."},
};

}  // namespace

std::span<const CommandSpec> StreamClaimCommands() { return kCommands; }

}  // namespace shale::server
