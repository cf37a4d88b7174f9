// Keyspace commands: DEL UNLINK EXISTS TYPE EXPIRE PEXPIRE EXPIREAT PEXPIREAT
// EXPIRETIME PEXPIRETIME TTL PTTL PERSIST SCAN KEYS RANDOMKEY RENAME RENAMENX
// COPY DBSIZE FLUSHDB FLUSHALL SELECT MOVE SWAPDB TOUCH OBJECT.
//
// They act on keys of every type: a collection's DEL, expiry and FLUSHDB
// write only its metadata (O(1)); RENAME, MOVE and COPY of a collection copy
// its elements to a new incarnation (O(n)).
//
// Over an LSM tree, KEYS, SCAN, RANDOMKEY and DBSIZE walk an iterator over
// the database's keys: DBSIZE costs O(keys), SCAN O(COUNT) per call.
// FLUSHDB, FLUSHALL and SWAPDB are O(1): they rewrite the database table
// (keyspace/db_table.h). See docs/server.md.
#include <random>

#include "server/redis/collection_cmd.h"

namespace shale::server {
namespace {

void Del(CommandContext& ctx, Args& a) {
  int64_t n = 0;
  for (size_t i = 1; i < a.size(); i++) {
    // Exists sees this command's own deletes: a repeated key counts once.
    if (!ctx.ks()->Exists(a[i])) continue;
    Status s = ctx.ks()->Delete(a[i]);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    ctx.ks()->Notify(kNotifyGeneric, "del", a[i]);
    n++;
  }
  ctx.w->Int(n);
}

void Exists(CommandContext& ctx, Args& a) {
  int64_t n = 0;
  for (size_t i = 1; i < a.size(); i++) {
    if (ctx.ks()->Exists(a[i])) {
      n++;
    } else {
      ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", a[i]);
    }
  }
  ctx.w->Int(n);
}

void Type(CommandContext& ctx, Args& a) {
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (s.IsNotFound()) {
    ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", a[1]);
    return ctx.w->Simple("none");
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.w->Simple(TypeName(e.meta().type));
}

// EXPIRE key seconds [NX|XX|GT|LT] and its ms / absolute variants, as
// Redis's expireGenericCommand: options first, then the time.
void ExpireGeneric(CommandContext& ctx, Args& a, bool ms, bool absolute) {
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < a.size(); i++) {
    const std::string& o = a[i];
    if (OptionIs(o, "nx")) {
      nx = true;
    } else if (OptionIs(o, "xx")) {
      xx = true;
    } else if (OptionIs(o, "gt")) {
      gt = true;
    } else if (OptionIs(o, "lt")) {
      lt = true;
    } else {
      return ReplyErrorFormat(
          ctx.w, "ERR Unsupported option " + std::string(CString(o)));
    }
  }
  if (nx && (xx || gt || lt)) {
    return ctx.w->Error(
        "ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) {
    return ctx.w->Error(
        "ERR GT and LT options at the same time are not compatible");
  }
  int64_t v;
  if (!ParseInt64(a[2], &v)) return ctx.w->Error(kErrNotInt);
  // A negative time is allowed (it deletes); overflow is not.
  if (!ms) {
    if (v > INT64_MAX / 1000 || v < INT64_MIN / 1000) {
      return ReplyInvalidExpire(ctx.w, a[0]);
    }
    v *= 1000;
  }
  if (!absolute) {
    int64_t now = static_cast<int64_t>(Keyspace::NowMs());
    if (v > INT64_MAX - now) return ReplyInvalidExpire(ctx.w, a[0]);
    v += now;
  }
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (s.IsNotFound()) return ctx.w->Int(0);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  uint64_t cur = e.meta().expire_at_ms;  // 0: no expiry (infinite)
  if (nx && cur != 0) return ctx.w->Int(0);
  if (xx && cur == 0) return ctx.w->Int(0);
  if (gt && (cur == 0 || v <= static_cast<int64_t>(cur))) return ctx.w->Int(0);
  if (lt && cur != 0 && v >= static_cast<int64_t>(cur)) return ctx.w->Int(0);
  const bool past = v <= static_cast<int64_t>(Keyspace::NowMs());
  if (past) {
    s = ctx.ks()->Delete(a[1]);
  } else {
    s = ctx.ks()->SetExpiry(a[1], e, static_cast<uint64_t>(v));
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.ks()->Notify(kNotifyGeneric, past ? "del" : "expire", a[1]);
  ctx.w->Int(1);
}
void Expire(CommandContext& c, Args& a) { ExpireGeneric(c, a, false, false); }
void PExpire(CommandContext& c, Args& a) { ExpireGeneric(c, a, true, false); }
void ExpireAt(CommandContext& c, Args& a) { ExpireGeneric(c, a, false, true); }
void PExpireAt(CommandContext& c, Args& a) { ExpireGeneric(c, a, true, true); }

// TTL PTTL EXPIRETIME PEXPIRETIME: -2 absent, -1 no expiry.
void TtlGeneric(CommandContext& ctx, Args& a, bool ms, bool absolute) {
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (s.IsNotFound()) {
    ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", a[1]);
    return ctx.w->Int(-2);
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  uint64_t at = e.meta().expire_at_ms;
  if (at == 0) return ctx.w->Int(-1);
  if (absolute)
    return ctx.w->Int(static_cast<int64_t>(ms ? at : (at + 500) / 1000));
  // The time left by the wall clock, not the command's frozen time (as
  // Redis 7.0's ttlGenericCommand: inside an EXEC it can reach 0 while
  // the key still exists).
  uint64_t now = Keyspace::WallNowMs();
  int64_t left = at > now ? static_cast<int64_t>(at - now) : 0;
  ctx.w->Int(ms ? left : (left + 500) / 1000);
}
void Ttl(CommandContext& c, Args& a) { TtlGeneric(c, a, false, false); }
void PTtl(CommandContext& c, Args& a) { TtlGeneric(c, a, true, false); }
void ExpireTime(CommandContext& c, Args& a) { TtlGeneric(c, a, false, true); }
void PExpireTime(CommandContext& c, Args& a) { TtlGeneric(c, a, true, true); }

void Persist(CommandContext& ctx, Args& a) {
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (s.IsNotFound() || (s.ok() && e.meta().expire_at_ms == 0)) {
    return ctx.w->Int(0);
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  s = ctx.ks()->SetExpiry(a[1], e, 0);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.ks()->Notify(kNotifyGeneric, "persist", a[1]);
  ctx.w->Int(1);
}

// SCAN cursor [MATCH pattern] [COUNT n] [TYPE t]. Cursor 0 starts; a
// returned cursor maps to the key to resume at (see CursorTable).
void Scan(CommandContext& ctx, Args& a) {
  uint64_t cursor = 0;
  if (!ParseScanCursor(a[1], &cursor)) {
    return ctx.w->Error("ERR invalid cursor");
  }
  std::string pattern;
  bool has_pattern = false;
  int64_t count = 10;
  std::string type;
  for (size_t i = 2; i < a.size(); i++) {
    const std::string& o = a[i];
    if (i + 1 >= a.size()) return ctx.w->Error(kErrSyntax);
    if (OptionIs(o, "match")) {
      pattern = a[++i];
      has_pattern = pattern != "*";
    } else if (OptionIs(o, "count")) {
      if (!ParseInt64(a[++i], &count)) return ctx.w->Error(kErrNotInt);
      if (count < 1) return ctx.w->Error(kErrSyntax);
    } else if (OptionIs(o, "type")) {
      type = Lower(CString(a[++i]));
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  std::string start;
  if (cursor != 0 && !ctx.server->cursors.Load(cursor, &start)) {
    return ctx.w->Error("ERR invalid cursor");
  }
  auto it = ctx.ks()->NewIterator();
  it->Seek(start);
  GlobPattern glob(pattern);
  std::vector<std::string> keys;
  // Like Redis, COUNT bounds the work (keys visited), not the matches.
  for (int64_t visited = 0; it->Valid() && visited < count; visited++) {
    std::string_view k = it->key();
    if ((type.empty() || type == TypeName(it->meta().type)) &&
        (!has_pattern || glob.Match(k))) {
      keys.emplace_back(k);
    }
    it->Next();
  }
  if (!it->status().ok()) return ReplyStatus(ctx.w, it->status());
  uint64_t next = 0;
  if (it->Valid()) next = ctx.server->cursors.Save(std::string(it->key()));
  ctx.w->Array(2);
  ctx.w->Bulk(std::to_string(next));
  ctx.w->Array(keys.size());
  for (auto& k : keys) ctx.w->Bulk(k);
}

void Keys(CommandContext& ctx, Args& a) {
  bool all = a[1] == "*";
  GlobPattern glob(a[1]);
  auto it = ctx.ks()->NewIterator();
  std::vector<std::string> keys;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (all || glob.Match(it->key())) keys.emplace_back(it->key());
  }
  if (!it->status().ok()) return ReplyStatus(ctx.w, it->status());
  ctx.w->Array(keys.size());
  for (auto& k : keys) ctx.w->Bulk(k);
}

void RandomKey(CommandContext& ctx, Args&) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  auto it = ctx.ks()->NewIterator();
  // Seek to a random point of the key space: keys are not uniformly chosen,
  // but every key can come out (documented).
  std::string probe(8, '\0');
  uint64_t r = rng();
  for (int i = 0; i < 8; i++) probe[i] = static_cast<char>(r >> (56 - 8 * i));
  it->Seek(probe);
  if (!it->Valid()) it->SeekToFirst();
  if (!it->Valid()) return ctx.w->Null();
  ctx.w->Bulk(it->key());
}

void RenameGeneric(CommandContext& ctx, Args& a, bool nx) {
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (s.IsNotFound()) return ctx.w->Error("ERR no such key");
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (a[1] == a[2]) return nx ? ctx.w->Int(0) : ctx.w->Ok();
  if (nx && ctx.ks()->Exists(a[2])) return ctx.w->Int(0);
  // As Redis: the target is deleted, then added ("new"), then the events.
  s = ctx.ks()->Delete(a[2]);
  if (s.ok() && e.meta().type == KeyType::kString) {
    s = ctx.ks()->Put(a[2], e.payload(), e.meta().flags, e.meta().expire_at_ms);
  } else if (s.ok()) {
    // A collection moves element by element: O(n) (docs/protocols.md).
    s = CopyCollection(ctx.ks(), a[1], e.meta(), ctx.ks()->db(), a[2]);
  }
  if (s.ok()) s = ctx.ks()->Delete(a[1]);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.ks()->Notify(kNotifyGeneric, "rename_from", a[1]);
  ctx.ks()->Notify(kNotifyGeneric, "rename_to", a[2]);
  nx ? ctx.w->Int(1) : ctx.w->Ok();
}
void Rename(CommandContext& c, Args& a) { RenameGeneric(c, a, false); }
void RenameNx(CommandContext& c, Args& a) { RenameGeneric(c, a, true); }

// DBSIZE counts through the Tx's iterator, so inside EXEC or a script it
// sees the keys that transaction created or deleted, as Redis's does.
void DbSize(CommandContext& ctx, Args&) {
  int64_t n = 0;
  auto it = ctx.ks()->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
  if (!it->status().ok()) return ReplyStatus(ctx.w, it->status());
  ctx.w->Int(n);
}

// FLUSHDB / FLUSHALL [ASYNC|SYNC]: O(1) either way (a fresh namespace).
void FlushGeneric(CommandContext& ctx, Args& a, bool all) {
  if (a.size() > 2) return ctx.w->Error(kErrSyntax);
  if (a.size() == 2) {
    std::string o = Lower(a[1]);
    if (o != "async" && o != "sync") return ctx.w->Error(kErrSyntax);
  }
  std::vector<int> dbs;
  if (all) {
    for (int i = 0; i < ctx.keyspace()->databases(); i++) dbs.push_back(i);
  } else {
    dbs.push_back(ctx.ks()->db());
  }
  Status s = ctx.keyspace()->FlushDbs(dbs);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.w->Ok();
}
void FlushDb(CommandContext& c, Args& a) { FlushGeneric(c, a, false); }
void FlushAll(CommandContext& c, Args& a) { FlushGeneric(c, a, true); }

// A database index argument: false (with Redis's error written) if it is
// not an integer or out of range.
// A database index as Redis's getIntFromObjectOrReply reads it: an int
// (not_int, when given, replaces both of its errors).
bool ParseDbInt(CommandContext& ctx, std::string_view arg, int* db,
                const char* not_int = nullptr) {
  int64_t v;
  if (!ParseInt64(arg, &v)) {
    ctx.w->Error(not_int != nullptr ? not_int : kErrNotInt);
    return false;
  }
  if (v < INT32_MIN || v > INT32_MAX) {
    ctx.w->Error(not_int != nullptr
                     ? not_int
                     : "ERR value is out of range, value must between "
                       "-2147483648 and 2147483647");
    return false;
  }
  *db = static_cast<int>(v);
  return true;
}

bool DbInRange(CommandContext& ctx, int db) {
  if (db < 0 || db >= ctx.keyspace()->databases()) {
    ctx.w->Error("ERR DB index is out of range");
    return false;
  }
  return true;
}

bool ParseDbIndex(CommandContext& ctx, std::string_view arg, int* db) {
  return ParseDbInt(ctx, arg, db) && DbInRange(ctx, *db);
}

void Select(CommandContext& ctx, Args& a) {
  int db;
  if (!ParseDbIndex(ctx, a[1], &db)) return;
  ctx.client->db.store(db, std::memory_order_relaxed);
  ctx.ks()->set_db(db);  // the rest of an EXEC runs there
  ctx.w->Ok();
}

// MOVE key db: 1 if moved; 0 if key is absent here or present there.
void Move(CommandContext& ctx, Args& a) {
  int dst;
  if (!ParseDbIndex(ctx, a[2], &dst)) return;
  Tx* tx = ctx.ks();
  const int src = tx->db();
  if (dst == src) {
    return ctx.w->Error("ERR source and destination objects are the same");
  }
  Entry e;
  Status s = tx->Get(a[1], &e);
  if (s.IsNotFound()) return ctx.w->Int(0);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  tx->set_db(dst);
  bool there = tx->Exists(a[1]);
  tx->set_db(src);
  if (!there && e.meta().type == KeyType::kString) {
    tx->set_db(dst);
    s = tx->Put(a[1], e.payload(), e.meta().flags, e.meta().expire_at_ms);
    tx->set_db(src);
  } else if (!there) {
    s = CopyCollection(tx, a[1], e.meta(), dst, a[1]);
  }
  if (there) return ctx.w->Int(0);
  if (s.ok()) s = tx->Delete(a[1]);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  tx->Notify(kNotifyGeneric, "move_from", a[1]);
  tx->NotifyDb(dst, kNotifyGeneric, "move_to", a[1]);
  ctx.w->Int(1);
}

// COPY source destination [DB destination-db] [REPLACE]: 1 if copied; 0
// if source is absent or destination exists (without REPLACE). The copy
// keeps the expiry and memcached flags; a collection's elements are copied
// to a new incarnation, O(n) (docs/protocols.md).
void Copy(CommandContext& ctx, Args& a) {
  Tx* tx = ctx.ks();
  const int src = tx->db();
  int dst = src;
  bool replace = false;
  for (size_t j = 3; j < a.size(); j++) {
    if (OptionIs(a[j], "replace")) {
      replace = true;
    } else if (OptionIs(a[j], "db") && j + 1 < a.size()) {
      if (!ParseDbInt(ctx, a[++j], &dst)) return;
      if (!DbInRange(ctx, dst)) return;
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  if (src == dst && a[1] == a[2]) {
    return ctx.w->Error("ERR source and destination objects are the same");
  }
  Entry e;
  Status s = tx->Get(a[1], &e);
  if (s.IsNotFound()) {
    tx->Notify(kNotifyKeyMiss, "keymiss", a[1]);
    return ctx.w->Int(0);
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  tx->set_db(dst);
  const bool there = tx->Exists(a[2]);
  tx->set_db(src);
  if (there && !replace) return ctx.w->Int(0);
  // As Redis: the old destination is deleted, then the copy added ("new").
  if (e.meta().type == KeyType::kString) {
    tx->set_db(dst);
    if (there) s = tx->Delete(a[2]);
    if (s.ok()) {
      s = tx->Put(a[2], e.payload(), e.meta().flags, e.meta().expire_at_ms);
    }
    tx->set_db(src);
  } else {
    if (there) {
      tx->set_db(dst);
      s = tx->Delete(a[2]);
      tx->set_db(src);
    }
    if (s.ok()) s = CopyCollection(tx, a[1], e.meta(), dst, a[2]);
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  tx->NotifyDb(dst, kNotifyGeneric, "copy_to", a[2]);
  ctx.w->Int(1);
}

void SwapDb(CommandContext& ctx, Args& a) {
  int x, y;
  // Both indexes are parsed before either is checked, as Redis.
  if (!ParseDbInt(ctx, a[1], &x, "ERR invalid first DB index") ||
      !ParseDbInt(ctx, a[2], &y, "ERR invalid second DB index") ||
      !DbInRange(ctx, x) || !DbInRange(ctx, y)) {
    return;
  }
  Status s = ctx.keyspace()->SwapDb(x, y);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  // Clients blocked in either database may find their key there now
  // (Redis's scanDatabaseForReadyKeys): ServeBlocked tries them.
  if (x != y) {
    for (int db : {x, y}) {
      for (const std::string& key : ctx.server->blocking.KeysOf(db)) {
        ctx.tx->MarkReady(db, key);
      }
    }
  }
  ctx.w->Ok();
}

// OBJECT's lookup: no keymiss, no access recorded (Redis's LOOKUP_NOTOUCH
// and LOOKUP_NONOTIFY). False (a null reply written) if the key is absent.
bool ObjectLookup(CommandContext& ctx, std::string_view key, Entry* e) {
  Status s = ctx.ks()->Get(key, e);
  if (s.IsNotFound()) {
    ctx.w->Null();
    return false;
  }
  if (!s.ok()) {
    ReplyStatus(ctx.w, s);
    return false;
  }
  return true;
}

bool LfuPolicy(CommandContext& ctx) {
  return ctx.server->live.Value("maxmemory-policy").ends_with("-lfu");
}

// A string Redis would store as a shared or plain integer object: what
// string2l accepts, in at most 20 bytes.
bool IntEncoded(std::string_view v, int64_t* n) {
  return v.size() <= 20 && ParseInt64(v, n);
}

// As Redis encodes a string that a SET stored: "int", "embstr" up to 44
// bytes, else "raw". Redis also answers "raw" for short values that APPEND,
// SETRANGE, SETBIT or BITOP built in place: shale does not know how a value
// was written (docs/protocols.md). A hash, a set or a sorted set: its
// compact or big
// encoding as Redis 7.0's rules for the same writes give it
// (collection_cmd.h). A list: "quicklist", as Redis 7.0 answers for all; a
// stream: "stream".
void ObjectEncoding(CommandContext& ctx, Args& a) {
  Entry e;
  if (!ObjectLookup(ctx, a[2], &e)) return;
  const KeyType t = e.meta().type;
  if (t == KeyType::kHash || t == KeyType::kSet || t == KeyType::kZSet) {
    return ctx.w->Bulk(CollectionEncoding(e.meta()));
  }
  // Redis 7.0 keeps every list in a quicklist, however short.
  if (t == KeyType::kList) return ctx.w->Bulk("quicklist");
  // Every stream is a "stream" (Redis's radix tree of listpacks).
  if (t == KeyType::kStream) return ctx.w->Bulk("stream");
  if (t != KeyType::kString) {
    return ctx.w->Error("ERR OBJECT ENCODING of a " +
                        std::string(TypeName(e.meta().type)) +
                        " is not supported by shale");
  }
  int64_t n;
  if (IntEncoded(e.payload(), &n)) return ctx.w->Bulk("int");
  ctx.w->Bulk(e.payload().size() <= 44 ? "embstr" : "raw");
}

// Redis shares the integers 0..9999 (refcount INT_MAX) unless an LRU or
// LFU maxmemory policy is set with a maxmemory; every other value has one
// reference.
void ObjectRefcount(CommandContext& ctx, Args& a) {
  Entry e;
  if (!ObjectLookup(ctx, a[2], &e)) return;
  int64_t n;
  const bool shared = e.meta().type == KeyType::kString &&
                      IntEncoded(e.payload(), &n) && n >= 0 && n < 10000;
  ctx.w->Int(shared ? 2147483647 : 1);
}

// shale keeps no access times: a key's idle time is 0, its LFU counter 0.
void ObjectIdletime(CommandContext& ctx, Args& a) {
  Entry e;
  if (!ObjectLookup(ctx, a[2], &e)) return;
  if (LfuPolicy(ctx)) {
    return ctx.w->Error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. "
        "Please note that when switching between policies at runtime LRU "
        "and LFU data will take some time to adjust.");
  }
  ctx.w->Int(0);
}

void ObjectFreq(CommandContext& ctx, Args& a) {
  Entry e;
  if (!ObjectLookup(ctx, a[2], &e)) return;
  if (!LfuPolicy(ctx)) {
    return ctx.w->Error(
        "ERR An LFU maxmemory policy is not selected, access frequency not "
        "tracked. Please note that when switching between policies at "
        "runtime LRU and LFU data will take some time to adjust.");
  }
  ctx.w->Int(0);
}

void ObjectHelp(CommandContext& ctx, Args& a) {
  static const char* const kLines[] = {
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store "
      "the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned "
      "integer is",
      "    proportional to the logarithm of the recent access frequency of "
      "the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number "
      "of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the "
      "specified",
      "    <key>.",
  };
  ReplyHelp(ctx.w, a[0], kLines);
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast,
                   A = kCmdAllKeys;

const CommandSpec kObjectSubcommands[] = {
    {"encoding", 3, kCmdReadOnly, ObjectEncoding, 2, 2, 1, "keyspace",
     "How a value is stored"},
    {"freq", 3, kCmdReadOnly, ObjectFreq, 2, 2, 1, "keyspace",
     "A key's LFU counter"},
    {"idletime", 3, kCmdReadOnly, ObjectIdletime, 2, 2, 1, "keyspace",
     "Seconds since a key was accessed"},
    {"refcount", 3, kCmdReadOnly, ObjectRefcount, 2, 2, 1, "keyspace",
     "References to a value"},
    {"help", 2, kCmdLoading, ObjectHelp, 0, 0, 0, "keyspace",
     "Show helpful text"},
};

const CommandSpec kCommands[] = {
    {"del", -2, W, Del, 1, -1, 1, "keyspace", "Delete keys"},
    {"unlink", -2, W | F, Del, 1, -1, 1, "keyspace", "Delete keys"},
    {"exists", -2, R | F, Exists, 1, -1, 1, "keyspace", "Count existing keys"},
    {"object", -2, R, nullptr, 0, 0, 0, "keyspace",
     "Inspect how keys are stored", kObjectSubcommands},
    // As Redis's: counts the keys that exist (a missing one is a keymiss);
    // there is no access time to update (shale keeps none).
    {"touch", -2, R | F, Exists, 1, -1, 1, "keyspace",
     "Count existing keys (access times are not kept)"},
    {"type", 2, R | F, Type, 1, 1, 1, "keyspace", "Type of a key"},
    {"expire", -3, W | F, Expire, 1, 1, 1, "keyspace", "Set a TTL in seconds"},
    {"pexpire", -3, W | F, PExpire, 1, 1, 1, "keyspace", "Set a TTL in ms"},
    {"expireat", -3, W | F, ExpireAt, 1, 1, 1, "keyspace",
     "Expire at a Unix time"},
    {"pexpireat", -3, W | F, PExpireAt, 1, 1, 1, "keyspace",
     "Expire at a Unix ms"},
    {"expiretime", 2, R | F, ExpireTime, 1, 1, 1, "keyspace",
     "Expiry as Unix time"},
    {"pexpiretime", 2, R | F, PExpireTime, 1, 1, 1, "keyspace",
     "Expiry as Unix ms"},
    {"ttl", 2, R | F, Ttl, 1, 1, 1, "keyspace", "Seconds to live"},
    {"pttl", 2, R | F, PTtl, 1, 1, 1, "keyspace", "Milliseconds to live"},
    {"persist", 2, W | F, Persist, 1, 1, 1, "keyspace", "Remove the expiry"},
    {"scan", -2, R, Scan, 0, 0, 0, "keyspace", "Iterate over keys"},
    {"keys", 2, R, Keys, 0, 0, 0, "keyspace", "Keys matching a pattern"},
    {"randomkey", 1, R, RandomKey, 0, 0, 0, "keyspace", "A random key"},
    {"rename", 3, W, Rename, 1, 2, 1, "keyspace", "Rename a key"},
    {"copy", -3, W, Copy, 1, 2, 1, "keyspace", "Copy a key"},
    {"renamenx", 3, W | F, RenameNx, 1, 2, 1, "keyspace", "Rename if absent"},
    {"dbsize", 1, R, DbSize, 0, 0, 0, "server", "Number of keys"},
    {"flushdb", -1, W | A, FlushDb, 0, 0, 0, "server",
     "Delete every key of the database"},
    {"flushall", -1, W | A, FlushAll, 0, 0, 0, "server",
     "Delete every key of every database"},
    {"select", 2, kCmdLoading | F, Select, 0, 0, 0, "connection",
     "Change the selected database"},
    {"move", 3, W | F, Move, 1, 1, 1, "keyspace",
     "Move a key to another database"},
    {"swapdb", 3, W | F | A, SwapDb, 0, 0, 0, "server", "Swap two databases"},
};

}  // namespace

std::span<const CommandSpec> KeyCommands() { return kCommands; }

}  // namespace shale::server
