// DUMP and RESTORE: a key's value as Redis 7.0's serialization (an RDB
// value with version 10 and a CRC-64 footer, server/rdb/), and back.
//
// DUMP streams the value out of an iterator into the payload: the reply is
// the only copy. Streams: dump_stream.h. RESTORE checks the footer, decodes the
// whole value first (rdb/value_decoder.h: every length checked, nothing written
// if any byte is wrong) and then writes it in the command's Tx through the
// collection code, as the commands that build such a value would: OBJECT
// ENCODING follows Redis's thresholds for the same elements. docs/impl.md,
// "DUMP and RESTORE"; the bytes: docs/format/dump_payload.md.
#include "server/keyspace/list.h"
#include "server/keyspace/zset.h"
#include "server/rdb/rdb_format.h"
#include "server/rdb/value_decoder.h"
#include "server/rdb/value_encoder.h"
#include "server/redis/collection_cmd.h"
#include "server/redis/dump_stream.h"
#include "server/redis/zset_cmd.h"

namespace shale::server {
namespace {

// The elements of the found collection c (of type t) into *out, after the
// type byte and the count; strings LZF-compressed if compress.
Status DumpCollection(Collection* c, KeyType t, bool compress,
                      std::string* out) {
  const uint64_t n = c->count();
  switch (t) {
    case KeyType::kHash:
      rdb::AppendType(out, rdb::kTypeHash);
      break;
    case KeyType::kSet:
      rdb::AppendType(out, rdb::kTypeSet);
      break;
    case KeyType::kZSet:
      rdb::AppendType(out, rdb::kTypeZSet2);
      break;
    case KeyType::kList:
      rdb::AppendType(out, rdb::kTypeList);
      break;
    default:
      return Status::NotSupported("DUMP of this type");
  }
  rdb::AppendLen(out, n);
  std::unique_ptr<ElementIterator> it;
  List list(c);
  if (t == KeyType::kList) {
    it = list.IterateFrom(0);
  } else {
    it = c->NewIterator();
    it->SeekToFirst();
  }
  uint64_t got = 0;
  for (; it->Valid() && got < n; it->Next(), got++) {
    if (t == KeyType::kList) {
      rdb::AppendString(out, it->value(), compress);
      continue;
    }
    rdb::AppendString(out, it->sub(), compress);
    if (t == KeyType::kHash) {
      rdb::AppendString(out, it->value(), compress);
    } else if (t == KeyType::kZSet) {
      double score;
      if (!DecodeScoreValue(it->value(), &score)) {
        return Status::Corruption("bad sorted-set score entry");
      }
      rdb::AppendBinaryDouble(out, score);
    }
  }
  if (!it->status().ok()) return it->status();
  if (got != n) return Status::Corruption("collection shorter than its count");
  return Status::OK();
}

void Dump(CommandContext& ctx, Args& a) {
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (s.IsNotFound()) {
    ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", a[1]);
    return ctx.w->Null();
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  std::string payload;
  const KeyType t = e.meta().type;
  // As Redis: rdbcompression no writes every string uncompressed.
  const bool compress = ctx.server->live.Value("rdbcompression") == "yes";
  if (t == KeyType::kString) {
    rdb::AppendType(&payload, rdb::kTypeString);
    rdb::AppendString(&payload, e.payload(), compress);
  } else {
    Collection c(ctx.ks(), t);
    s = c.Open(a[1]);
    if (s.ok() && !c.found()) s = Status::Corruption("collection vanished");
    if (s.ok()) {
      s = t == KeyType::kStream ? DumpStream(ctx, &c, compress, &payload)
                                : DumpCollection(&c, t, compress, &payload);
    }
    if (!s.ok()) return ReplyStatus(ctx.w, s);
  }
  rdb::AppendPayloadFooter(&payload);
  ctx.w->Bulk(payload);
}

KeyType KindType(rdb::Value::Kind k) {
  switch (k) {
    case rdb::Value::Kind::kList:
      return KeyType::kList;
    case rdb::Value::Kind::kSet:
      return KeyType::kSet;
    case rdb::Value::Kind::kHash:
      return KeyType::kHash;
    case rdb::Value::Kind::kZSet:
      return KeyType::kZSet;
    default:
      return KeyType::kString;
  }
}

// Whether v came in a listpack or ziplist of a hash or sorted set: Redis
// 7.0 keeps such a blob as it is unless it has too many entries (its
// elements' lengths are not compared to the *-max-listpack-value).
bool KeptCompact(const rdb::Value& v) {
  return v.rdb_type == rdb::kTypeHashZiplist ||
         v.rdb_type == rdb::kTypeHashListpack ||
         v.rdb_type == rdb::kTypeZSetZiplist ||
         v.rdb_type == rdb::kTypeZSetListpack;
}

// Writes the decoded collection v as key (absent in the Tx), with
// expire_at_ms (0: none): one element write per element, the encoding
// marked as Redis 7.0's load leaves it (as the commands that add the same
// elements would, but for KeptCompact).
Status WriteCollection(CommandContext& ctx, std::string_view key,
                       const rdb::Value& v, uint64_t expire_at_ms) {
  Collection c(ctx.ks(), KindType(v.kind));
  const bool count_only = KeptCompact(v);
  Status s = c.Open(key);
  if (!s.ok()) return s;
  switch (v.kind) {
    case rdb::Value::Kind::kList: {
      List l(&c);
      for (const std::string& item : v.items) l.PushBack(item);
      break;
    }
    case rdb::Value::Kind::kSet:
      for (const std::string& m : v.items) {
        c.Put(m, {});
        c.AddCount(1);
        NoteSetAdd(ctx, &c, m);
      }
      break;
    case rdb::Value::Kind::kHash:
      for (size_t i = 0; i + 1 < v.items.size(); i += 2) {
        c.Put(v.items[i], v.items[i + 1]);
        c.AddCount(1);
        if (count_only) {
          NoteHashWrite(ctx, &c, {}, {});
        } else {
          NoteHashWrite(ctx, &c, v.items[i], v.items[i + 1]);
        }
      }
      break;
    case rdb::Value::Kind::kZSet: {
      ZSet z(&c);
      for (size_t i = 0; i < v.items.size(); i++) {
        z.Put(v.items[i], v.scores[i], false, 0);
        NoteZSetAdd(ctx, &c, count_only ? std::string_view() : v.items[i]);
      }
      break;
    }
    default:
      return Status::InvalidArgument("not a collection");
  }
  s = c.Finish();
  if (!s.ok() || expire_at_ms == 0) return s;
  Entry e;
  s = ctx.ks()->Get(key, &e);
  if (!s.ok()) return s;
  return ctx.ks()->SetExpiry(key, e, expire_at_ms);
}

// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], with
// Redis 7.0's checks in its order: options, the key (BUSYKEY), the TTL,
// the footer, the value. shale keeps no access times: IDLETIME and FREQ
// are checked and dropped (docs/protocols.md).
void Restore(CommandContext& ctx, Args& a) {
  bool replace = false, absttl = false, idle = false, freq = false;
  for (size_t j = 4; j < a.size(); j++) {
    const bool more = j + 1 < a.size();
    if (OptionIs(a[j], "replace")) {
      replace = true;
    } else if (OptionIs(a[j], "absttl")) {
      absttl = true;
    } else if (OptionIs(a[j], "idletime") && more && !freq) {
      int64_t v;
      if (!ParseInt64(a[j + 1], &v)) return ctx.w->Error(kErrNotInt);
      if (v < 0)
        return ctx.w->Error("ERR Invalid IDLETIME value, must be >= 0");
      idle = true;
      j++;
    } else if (OptionIs(a[j], "freq") && more && !idle) {
      int64_t v;
      if (!ParseInt64(a[j + 1], &v)) return ctx.w->Error(kErrNotInt);
      if (v < 0 || v > 255) {
        return ctx.w->Error("ERR Invalid FREQ value, must be >= 0 and <= 255");
      }
      freq = true;
      j++;
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  Tx* tx = ctx.ks();
  const std::string& key = a[1];
  if (!replace && tx->Exists(key)) {
    return ctx.w->Error("BUSYKEY Target key name already exists.");
  }
  int64_t ttl;
  if (!ParseInt64(a[2], &ttl)) return ctx.w->Error(kErrNotInt);
  if (ttl < 0) return ctx.w->Error("ERR Invalid TTL value, must be >= 0");
  if (!rdb::VerifyPayload(a[3])) {
    return ctx.w->Error("ERR DUMP payload version or checksum are wrong");
  }
  rdb::Value v;
  if (!rdb::DecodeValue(a[3], &v)) return ctx.w->Error("ERR Bad data format");

  bool deleted = false;
  if (replace && tx->Exists(key)) {
    Status s = tx->Delete(key);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    deleted = true;
  }
  // As Redis: a relative TTL is added to the clock (wrapping as its signed
  // sum does), and one already past deletes the old value, if REPLACE
  // took it, without creating anything.
  const auto now = static_cast<int64_t>(Keyspace::NowMs());
  int64_t when = ttl;
  if (ttl != 0 && !absttl) {
    when = static_cast<int64_t>(static_cast<uint64_t>(ttl) +
                                static_cast<uint64_t>(now));
  }
  if (ttl != 0 && when <= now) {
    if (deleted) tx->Notify(kNotifyGeneric, "del", key);
    return ctx.w->Ok();
  }
  const uint64_t expire = ttl != 0 ? static_cast<uint64_t>(when) : 0;
  Status s;
  if (v.kind == rdb::Value::Kind::kString) {
    s = tx->Put(key, v.items[0], 0, expire);
  } else if (v.kind == rdb::Value::Kind::kStream) {
    s = WriteStream(ctx, key, v.stream, expire);
  } else {
    s = WriteCollection(ctx, key, v, expire);
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  tx->Notify(kNotifyGeneric, "restore", key);
  ctx.w->Ok();
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly;

const CommandSpec kCommands[] = {
    {"dump", 2, R, Dump, 1, 1, 1, "keyspace",
     "A key's value, serialized as Redis 7.0's DUMP"},
    {"restore", -4, W, Restore, 1, 1, 1, "keyspace",
     "Create a key from a DUMP payload"},
};

}  // namespace

std::span<const CommandSpec> DumpCommands() { return kCommands; }

}  // namespace shale::server
