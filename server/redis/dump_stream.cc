#include "server/redis/dump_stream.h"

#include <algorithm>
#include <vector>

#include "server/keyspace/stream.h"
#include "server/keyspace/stream_group.h"
#include "server/rdb/stream_encoder.h"

namespace shale::server {
namespace {

using RdbId = rdb::StreamValue::Id;

RdbId ToRdb(StreamId id) { return RdbId{id.ms, id.seq}; }
StreamId FromRdb(RdbId id) { return StreamId{id.ms, id.seq}; }

const LiveConfig::Ref& NodeMaxBytes() {
  static const LiveConfig::Ref r = LiveConfig::Resolve("stream-node-max-bytes");
  return r;
}

const LiveConfig::Ref& NodeMaxEntries() {
  static const LiveConfig::Ref r =
      LiveConfig::Resolve("stream-node-max-entries");
  return r;
}

// The IDs after prefix of the kind 0x05 records under prefix, to fn.
template <typename Fn>
Status ForEachUnder(StreamGroups* groups, const std::string& prefix, Fn fn) {
  auto it = groups->NewIterator();
  for (it->Seek(prefix); it->Valid() && it->sub().starts_with(prefix);
       it->Next()) {
    Status s = fn(it->sub().substr(prefix.size()), it->value());
    if (!s.ok()) return s;
  }
  return it->status();
}

Status DumpEntries(Stream* s, rdb::StreamEncoder* e) {
  const uint64_t n = s->length();
  uint64_t got = 0;
  std::vector<std::string_view> pairs;
  auto it = s->NewIterator();
  s->SeekFrom(it.get(), s->state().first);
  for (; it->Valid() && got < n; it->Next(), got++) {
    StreamId id;
    if (!ParseIdSub(it->sub(), &id) ||
        !DecodeStreamFields(it->value(), &pairs)) {
      return Status::Corruption("bad stream entry");
    }
    e->AddEntry(ToRdb(id), pairs);
  }
  if (!it->status().ok()) return it->status();
  if (got != n) return Status::Corruption("stream shorter than its count");
  return Status::OK();
}

// One group's pending entries and consumers (their owned IDs).
Status DumpGroup(StreamGroups* groups, std::string_view name,
                 const StreamGroup& g, rdb::StreamEncoder* e) {
  e->BeginGroup(name, ToRdb(g.last), static_cast<uint64_t>(g.entries_read),
                g.pel);
  uint64_t pel = 0;
  Status s = ForEachUnder(
      groups, StreamGroups::PendingPrefix(g.gid),
      [&](std::string_view sub, std::string_view value) {
        StreamId id;
        PendingEntry p;
        if (!ParseIdSub(sub, &id) || !StreamGroups::DecodePending(value, &p) ||
            ++pel > g.pel) {
          return Status::Corruption("bad pending entry");
        }
        e->AddPending(ToRdb(id), p.delivered_ms, p.deliveries);
        return Status::OK();
      });
  if (s.ok() && pel != g.pel) s = Status::Corruption("pending count");
  if (!s.ok()) return s;
  e->BeginConsumers(g.consumers);
  uint64_t consumers = 0;
  s = ForEachUnder(
      groups, StreamGroups::ConsumersPrefix(g.gid),
      [&](std::string_view cname, std::string_view value) {
        StreamConsumer c;
        if (!StreamGroups::DecodeConsumer(value, &c) ||
            ++consumers > g.consumers) {
          return Status::Corruption("bad consumer");
        }
        e->BeginConsumer(cname, c.seen_ms, c.pending);
        uint64_t owned = 0;
        Status st = ForEachUnder(
            groups, StreamGroups::ConsumerPendingPrefix(g.gid, cname),
            [&](std::string_view sub, std::string_view) {
              StreamId id;
              if (!ParseIdSub(sub, &id) || ++owned > c.pending) {
                return Status::Corruption("bad pending index entry");
              }
              e->AddOwned(ToRdb(id));
              return Status::OK();
            });
        if (st.ok() && owned != c.pending) {
          st = Status::Corruption("consumer pending count");
        }
        return st;
      });
  if (s.ok() && consumers != g.consumers) {
    s = Status::Corruption("consumer count");
  }
  return s;
}

}  // namespace

Status DumpStream(CommandContext& ctx, Collection* c, bool compress,
                  std::string* out) {
  const auto max_bytes =
      static_cast<uint64_t>(ctx.server->live.Int(NodeMaxBytes()));
  const int64_t max_entries = ctx.server->live.Int(NodeMaxEntries());
  rdb::StreamEncoder e(out, compress, max_bytes, max_entries);
  Stream s(c);
  Status st = DumpEntries(&s, &e);
  if (!st.ok()) return st;
  const StreamState& ss = s.state();
  e.EndEntries({s.length(), ToRdb(ss.last), ToRdb(ss.first),
                ToRdb(ss.max_deleted), ss.entries_added});
  StreamGroups groups(c);
  st = ForEachUnder(&groups, StreamGroups::GroupsPrefix(),
                    [&](std::string_view name, std::string_view value) {
                      StreamGroup g;
                      if (!StreamGroups::DecodeGroup(value, &g)) {
                        return Status::Corruption("bad stream group");
                      }
                      return DumpGroup(&groups, name, g, &e);
                    });
  if (!st.ok()) return st;
  e.End();
  return Status::OK();
}

Status WriteStream(CommandContext& ctx, std::string_view key,
                   const rdb::StreamValue& v, uint64_t expire_at_ms) {
  Collection c(ctx.ks(), KeyType::kStream);
  Status s = c.Open(key);
  if (!s.ok()) return s;
  Stream stream(&c);
  stream.CreateIfAbsent();
  std::vector<std::string> pairs;
  std::string buf;
  for (const rdb::StreamValue::Entry& e : v.entries) {
    pairs.clear();
    for (size_t i = 0; i < e.values.size(); i++) {
      pairs.push_back((*e.fields)[i]);
      pairs.push_back(e.values[i]);
    }
    buf.clear();
    EncodeStreamFields(pairs, &buf);
    c.Put(IdSub(FromRdb(e.id)), buf);
  }
  c.AddCount(static_cast<int64_t>(v.entries.size()));
  StreamState st;
  st.last = FromRdb(v.last);
  // Entries below first are garbage to the compaction filter (stream.h):
  // a payload's first_id past an entry must not hide it. Redis's own
  // payloads name the first entry (max-max in an empty type-15 stream, as
  // Redis computes it, which XINFO shows).
  st.first = FromRdb(v.first);
  for (const rdb::StreamValue::Entry& e : v.entries) {
    st.first = std::min(st.first, FromRdb(e.id));
  }
  st.max_deleted = FromRdb(v.max_deleted);
  st.entries_added = v.entries_added;
  s = stream.SetState(st);
  if (!s.ok()) return s;
  StreamGroups groups(&c);
  for (const rdb::StreamValue::Group& rg : v.groups) {
    StreamGroup g;
    g.gid = ctx.keyspace()->NextCas();
    g.last = FromRdb(rg.last);
    g.entries_read = rg.has_entries_read
                         ? static_cast<int64_t>(rg.entries_read)
                         : EstimateEntriesRead(st, v.entries.size(), g.last);
    g.pel = rg.pel.size();
    g.consumers = rg.consumers.size();
    groups.PutGroup(rg.name, g);
    std::vector<uint64_t> owned(rg.consumers.size());
    for (const rdb::StreamValue::Pending& p : rg.pel) {
      owned[p.consumer]++;
      groups.PutPending(g.gid, FromRdb(p.id),
                        PendingEntry{p.delivered_ms, p.deliveries,
                                     rg.consumers[p.consumer].name});
    }
    for (size_t i = 0; i < rg.consumers.size(); i++) {
      groups.PutConsumer(g.gid, rg.consumers[i].name,
                         StreamConsumer{rg.consumers[i].seen_ms, owned[i]});
    }
  }
  s = c.Finish();
  if (!s.ok()) return s;
  // A stream key coming into being serves XREAD's waiters, as Redis's
  // dbAdd signals it (Tx::MarkReady).
  ctx.ks()->MarkReady(ctx.ks()->db(), key);
  if (expire_at_ms == 0) return s;
  Entry e;
  s = ctx.ks()->Get(key, &e);
  if (!s.ok()) return s;
  return ctx.ks()->SetExpiry(key, e, expire_at_ms);
}

}  // namespace shale::server
