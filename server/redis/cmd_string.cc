// String commands: GET SET SETNX SETEX PSETEX GETSET GETDEL GETEX MGET MSET
// MSETNX INCR DECR INCRBY DECRBY INCRBYFLOAT APPEND STRLEN GETRANGE SETRANGE.
//
// Each command runs in a Tx (keyspace/tx.h) whose keys the dispatcher has
// locked, which makes each read-modify-write atomic against every front
// end; its writes reach the engine as one batch.
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include "server/redis/command.h"

namespace shale::server {
namespace {

// The options of SET and GETEX, parsed as Redis's
// parseExtendedStringArgumentsOrReply: an option may repeat, and one that
// conflicts with an earlier one is a syntax error.
enum StringOption : uint32_t {
  kOptNx = 1 << 0,
  kOptXx = 1 << 1,
  kOptGet = 1 << 2,
  kOptKeepTtl = 1 << 3,
  kOptPersist = 1 << 4,
  kOptEx = 1 << 5,
  kOptPx = 1 << 6,
  kOptExAt = 1 << 7,
  kOptPxAt = 1 << 8,
};
constexpr uint32_t kOptAnyExpire = kOptEx | kOptPx | kOptExAt | kOptPxAt;

// Parses a[first..]; false (with the error written) on a syntax error.
// *expire points at the expiry argument of EX/PX/EXAT/PXAT, if any.
bool ParseStringOptions(CommandContext& ctx, const Args& a, size_t first,
                        bool is_set, uint32_t* flags,
                        const std::string** expire) {
  for (size_t i = first; i < a.size(); i++) {
    const std::string& o = a[i];
    const bool next = i + 1 < a.size();
    const uint32_t f = *flags;
    uint32_t expire_opt = 0;
    if (OptionIs(o, "nx") && !(f & kOptXx) && is_set) {
      *flags |= kOptNx;
    } else if (OptionIs(o, "xx") && !(f & kOptNx) && is_set) {
      *flags |= kOptXx;
    } else if (OptionIs(o, "get") && is_set) {
      *flags |= kOptGet;
    } else if (OptionIs(o, "keepttl") && !(f & (kOptPersist | kOptAnyExpire)) &&
               is_set) {
      *flags |= kOptKeepTtl;
    } else if (OptionIs(o, "persist") && !is_set &&
               !(f & (kOptKeepTtl | kOptAnyExpire))) {
      *flags |= kOptPersist;
    } else if (OptionIs(o, "ex")) {
      expire_opt = kOptEx;
    } else if (OptionIs(o, "px")) {
      expire_opt = kOptPx;
    } else if (OptionIs(o, "exat")) {
      expire_opt = kOptExAt;
    } else if (OptionIs(o, "pxat")) {
      expire_opt = kOptPxAt;
    } else {
      ctx.w->Error(kErrSyntax);
      return false;
    }
    if (expire_opt != 0) {
      // The same expiry option may repeat (the last one counts); any other
      // expiry option, KEEPTTL or PERSIST before it is a conflict.
      const uint32_t conflicts =
          (kOptKeepTtl | kOptPersist | kOptAnyExpire) & ~expire_opt;
      if ((f & conflicts) || !next) {
        ctx.w->Error(kErrSyntax);
        return false;
      }
      *flags |= expire_opt;
      *expire = &a[++i];
    }
  }
  return true;
}

// Converts the expiry argument of an option in flags into absolute Unix ms,
// as Redis's getExpireMillisecondsOrReply; false (with Redis's error
// written) on a bad value. cmd names the command in the error.
bool ExpireMs(CommandContext& ctx, std::string_view arg, uint32_t flags,
              std::string_view cmd, int64_t* at) {
  int64_t v;
  if (!ParseInt64(arg, &v)) {
    ctx.w->Error(kErrNotInt);
    return false;
  }
  const bool seconds = flags & (kOptEx | kOptExAt);
  if (v <= 0 || (seconds && v > INT64_MAX / 1000)) {
    ReplyInvalidExpire(ctx.w, cmd);
    return false;
  }
  if (seconds) v *= 1000;
  if (flags & (kOptEx | kOptPx)) {
    int64_t now = static_cast<int64_t>(Keyspace::NowMs());
    if (v > INT64_MAX - now) {
      ReplyInvalidExpire(ctx.w, cmd);
      return false;
    }
    v += now;
  }
  *at = v;
  return true;
}

// Redis's events of a write of a string (its "set" and, when the write
// gave it an expiry, "expire"; an expiry already past also "expired").
// "new" comes from Tx::Put.
void NotifySet(CommandContext& ctx, std::string_view key, const char* event,
               bool with_expire, uint64_t expire_at) {
  ctx.ks()->Notify(kNotifyString, event, key);
  if (!with_expire) return;
  ctx.ks()->Notify(kNotifyGeneric, "expire", key);
  if (expire_at <= Keyspace::NowMs()) {
    ctx.ks()->Notify(kNotifyExpired, "expired", key);
  }
}

// A key that exists but holds a collection (Redis's checkType).
bool WrongType(const Status& s, const Entry& e) {
  return s.ok() && e.meta().type != KeyType::kString;
}

// A read found no key (class m, Redis's "keymiss").
void KeyMiss(CommandContext& ctx, std::string_view key) {
  ctx.ks()->Notify(kNotifyKeyMiss, "keymiss", key);
}

void Get(CommandContext& ctx, Args& a) {
  // The hottest read: one entry per I/O thread, whose buffer every GET
  // reuses instead of allocating one per value.
  thread_local Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (s.IsNotFound()) {
    KeyMiss(ctx, a[1]);
    return ctx.w->Null();
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (WrongType(s, e)) return ctx.w->Error(kErrWrongType);
  ctx.w->Bulk(e.payload());
  e.Trim();
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
// As Redis's setGenericCommand: options, then the expiry's value, then GET's
// read, then the NX/XX condition.
void SetGeneric(CommandContext& ctx, std::string_view key,
                std::string_view value, uint32_t flags,
                const std::string* expire, std::string_view cmd,
                bool reply_int) {
  int64_t expire_at = 0;
  if (expire != nullptr && !ExpireMs(ctx, *expire, flags, cmd, &expire_at)) {
    return;
  }
  Entry old;
  bool exists = false;
  if (flags & (kOptNx | kOptXx | kOptGet | kOptKeepTtl)) {
    Status s = ctx.ks()->Get(key, &old);
    if (!s.ok() && !s.IsNotFound()) return ReplyStatus(ctx.w, s);
    exists = s.ok();
    if ((flags & kOptGet) && !exists) KeyMiss(ctx, key);
    // SET ... GET of a collection fails before anything is written.
    if ((flags & kOptGet) && WrongType(s, old)) {
      return ctx.w->Error(kErrWrongType);
    }
  }
  const bool get = flags & kOptGet;
  auto reply_old = [&] {
    if (exists) return ctx.w->Bulk(old.payload());
    ctx.w->Null();
  };
  if (((flags & kOptNx) && exists) || ((flags & kOptXx) && !exists)) {
    if (get) return reply_old();
    return reply_int ? ctx.w->Int(0) : ctx.w->Null();
  }
  uint64_t at = static_cast<uint64_t>(expire_at);
  if ((flags & kOptKeepTtl) && exists) at = old.meta().expire_at_ms;
  Status s = ctx.ks()->Put(key, value, 0, at);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  NotifySet(ctx, key, "set", expire != nullptr, at);
  if (get) return reply_old();
  reply_int ? ctx.w->Int(1) : ctx.w->Ok();
}

void Set(CommandContext& ctx, Args& a) {
  uint32_t flags = 0;
  const std::string* expire = nullptr;
  if (!ParseStringOptions(ctx, a, 3, true, &flags, &expire)) return;
  SetGeneric(ctx, a[1], a[2], flags, expire, "set", false);
}

void SetNx(CommandContext& ctx, Args& a) {
  SetGeneric(ctx, a[1], a[2], kOptNx, nullptr, "setnx", true);
}

// SETEX key seconds value / PSETEX key ms value
void SetEx(CommandContext& ctx, Args& a) {
  SetGeneric(ctx, a[1], a[3], kOptEx, &a[2], "setex", false);
}
void PSetEx(CommandContext& ctx, Args& a) {
  SetGeneric(ctx, a[1], a[3], kOptPx, &a[2], "psetex", false);
}

void GetSet(CommandContext& ctx, Args& a) {
  Entry old;
  Status s = ctx.ks()->Get(a[1], &old);
  if (!s.ok() && !s.IsNotFound()) return ReplyStatus(ctx.w, s);
  if (WrongType(s, old)) return ctx.w->Error(kErrWrongType);
  bool exists = s.ok();
  if (!exists) KeyMiss(ctx, a[1]);
  s = ctx.ks()->Put(a[1], a[2], 0, 0);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  NotifySet(ctx, a[1], "set", false, 0);
  if (exists) return ctx.w->Bulk(old.payload());
  ctx.w->Null();
}

void GetDel(CommandContext& ctx, Args& a) {
  Entry old;
  Status s = ctx.ks()->Get(a[1], &old);
  if (s.IsNotFound()) {
    KeyMiss(ctx, a[1]);
    return ctx.w->Null();
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (WrongType(s, old)) return ctx.w->Error(kErrWrongType);
  s = ctx.ks()->Delete(a[1]);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.ks()->Notify(kNotifyGeneric, "del", a[1]);
  ctx.w->Bulk(old.payload());
}

// GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]: options, then the key's
// read (a missing key is nil whatever the expiry), then the expiry's value.
void GetEx(CommandContext& ctx, Args& a) {
  uint32_t flags = 0;
  const std::string* expire = nullptr;
  if (!ParseStringOptions(ctx, a, 2, false, &flags, &expire)) return;
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (s.IsNotFound()) {
    KeyMiss(ctx, a[1]);
    return ctx.w->Null();
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (WrongType(s, e)) return ctx.w->Error(kErrWrongType);
  int64_t at = 0;
  if (expire != nullptr && !ExpireMs(ctx, *expire, flags, "getex", &at)) {
    return;
  }
  if (expire != nullptr ||
      ((flags & kOptPersist) && e.meta().expire_at_ms != 0)) {
    // An absolute time already past deletes the key (Put does).
    s = ctx.ks()->Put(a[1], e.payload(), e.meta().flags,
                      static_cast<uint64_t>(at));
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    const bool has_expire = expire != nullptr;
    const bool gone =
        has_expire && static_cast<uint64_t>(at) <= Keyspace::NowMs();
    ctx.ks()->Notify(kNotifyGeneric,
                     gone         ? "del"
                     : has_expire ? "expire"
                                  : "persist",
                     a[1]);
  }
  ctx.w->Bulk(e.payload());
}

void MGet(CommandContext& ctx, Args& a) {
  const size_t n = a.size() - 1;
  std::vector<std::string_view> keys(a.begin() + 1, a.end());
  auto entries = std::make_unique<Entry[]>(n);
  std::vector<Status> statuses(n);
  ctx.ks()->MultiGet(keys, std::span(entries.get(), n), statuses);
  ctx.w->Array(n);
  for (size_t i = 0; i < n; i++) {
    if (WrongType(statuses[i], entries[i])) {
      ctx.w->Null();  // as Redis: a key of another type reads as nil
    } else if (statuses[i].ok()) {
      ctx.w->Bulk(entries[i].payload());
    } else {
      if (statuses[i].IsNotFound()) KeyMiss(ctx, keys[i]);
      ctx.w->Null();
    }
  }
}

// MSET / MSETNX: every pair in one atomic batch under all the keys' locks.
void MSetGeneric(CommandContext& ctx, Args& a, bool nx) {
  if (a.size() % 2 != 1) return ReplyArity(ctx.w, a[0]);
  std::vector<std::string_view> keys;
  for (size_t i = 1; i < a.size(); i += 2) keys.push_back(a[i]);
  if (nx) {
    for (auto k : keys) {
      if (ctx.ks()->Exists(k)) return ctx.w->Int(0);
    }
  }
  for (size_t i = 1; i < a.size(); i += 2) {
    Status s = ctx.ks()->Put(a[i], a[i + 1], 0, 0);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    NotifySet(ctx, a[i], "set", false, 0);
  }
  if (nx) return ctx.w->Int(1);
  ctx.w->Ok();
}
void MSet(CommandContext& ctx, Args& a) { MSetGeneric(ctx, a, false); }
void MSetNx(CommandContext& ctx, Args& a) { MSetGeneric(ctx, a, true); }

// The INCR family: value and expiry and flags of the key are kept.
void IncrBy(CommandContext& ctx, std::string_view key, int64_t delta) {
  Entry e;
  Status s = ctx.ks()->Get(key, &e);
  if (!s.ok() && !s.IsNotFound()) return ReplyStatus(ctx.w, s);
  if (WrongType(s, e)) return ctx.w->Error(kErrWrongType);
  int64_t v = 0;
  if (s.ok() && !ParseInt64(e.payload(), &v)) return ctx.w->Error(kErrNotInt);
  if ((delta > 0 && v > INT64_MAX - delta) ||
      (delta < 0 && v < INT64_MIN - delta)) {
    return ctx.w->Error(kErrOverflow);
  }
  v += delta;
  s = ctx.ks()->Put(key, std::to_string(v), e.meta().flags,
                    e.meta().expire_at_ms);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.ks()->Notify(kNotifyString, "incrby", key);
  ctx.w->Int(v);
}
void Incr(CommandContext& ctx, Args& a) { IncrBy(ctx, a[1], 1); }
void Decr(CommandContext& ctx, Args& a) { IncrBy(ctx, a[1], -1); }
void IncrByCmd(CommandContext& ctx, Args& a) {
  int64_t d;
  if (!ParseInt64(a[2], &d)) return ctx.w->Error(kErrNotInt);
  IncrBy(ctx, a[1], d);
}
void DecrByCmd(CommandContext& ctx, Args& a) {
  int64_t d;
  if (!ParseInt64(a[2], &d)) return ctx.w->Error(kErrNotInt);
  if (d == INT64_MIN) return ctx.w->Error("ERR decrement would overflow");
  IncrBy(ctx, a[1], -d);
}

void IncrByFloat(CommandContext& ctx, Args& a) {
  // As Redis: the key's type, then its value, then the increment.
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (!s.ok() && !s.IsNotFound()) return ReplyStatus(ctx.w, s);
  if (WrongType(s, e)) return ctx.w->Error(kErrWrongType);
  long double v = 0;
  if (s.ok() && !ParseLongDouble(e.payload(), &v)) {
    return ctx.w->Error(kErrNotFloat);
  }
  long double d;
  if (!ParseLongDouble(a[2], &d)) return ctx.w->Error(kErrNotFloat);
  v += d;
  if (std::isnan(v) || std::isinf(v)) {
    return ctx.w->Error("ERR increment would produce NaN or Infinity");
  }
  std::string out = HumanDouble(v);
  s = ctx.ks()->Put(a[1], out, e.meta().flags, e.meta().expire_at_ms);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.ks()->Notify(kNotifyString, "incrbyfloat", a[1]);
  ctx.w->Bulk(out);
}

void Append(CommandContext& ctx, Args& a) {
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (!s.ok() && !s.IsNotFound()) return ReplyStatus(ctx.w, s);
  if (WrongType(s, e)) return ctx.w->Error(kErrWrongType);
  if (e.payload().size() + a[2].size() > ctx.server->max_value_bytes()) {
    return ctx.w->Error(kErrTooBig);
  }
  std::string v = e.TakePayload();
  v += a[2];
  s = ctx.ks()->Put(a[1], v, e.meta().flags, e.meta().expire_at_ms);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.ks()->Notify(kNotifyString, "append", a[1]);
  ctx.w->Int(static_cast<int64_t>(v.size()));
}

void StrLen(CommandContext& ctx, Args& a) {
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (s.IsNotFound()) {
    KeyMiss(ctx, a[1]);
    return ctx.w->Int(0);
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (WrongType(s, e)) return ctx.w->Error(kErrWrongType);
  ctx.w->Int(static_cast<int64_t>(e.payload().size()));
}

void GetRange(CommandContext& ctx, Args& a) {
  int64_t start, end;
  if (!ParseInt64(a[2], &start) || !ParseInt64(a[3], &end)) {
    return ctx.w->Error(kErrNotInt);
  }
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (s.IsNotFound()) {
    KeyMiss(ctx, a[1]);
    return ctx.w->Bulk("");
  }
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (WrongType(s, e)) return ctx.w->Error(kErrWrongType);
  std::string_view v = e.payload();
  int64_t len = static_cast<int64_t>(v.size());
  // Redis 7.0 semantics: both negative and start > end is empty.
  if (start < 0 && end < 0 && start > end) return ctx.w->Bulk("");
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len == 0 || start > end) return ctx.w->Bulk("");
  ctx.w->Bulk(v.substr(static_cast<size_t>(start),
                       static_cast<size_t>(end - start + 1)));
}

void SetRange(CommandContext& ctx, Args& a) {
  int64_t offset;
  if (!ParseInt64(a[2], &offset)) return ctx.w->Error(kErrNotInt);
  if (offset < 0) return ctx.w->Error("ERR offset is out of range");
  const std::string& piece = a[3];
  Entry e;
  Status s = ctx.ks()->Get(a[1], &e);
  if (!s.ok() && !s.IsNotFound()) return ReplyStatus(ctx.w, s);
  if (WrongType(s, e)) return ctx.w->Error(kErrWrongType);
  if (piece.empty())
    return ctx.w->Int(static_cast<int64_t>(e.payload().size()));
  if (static_cast<uint64_t>(offset) + piece.size() >
      ctx.server->max_value_bytes()) {
    return ctx.w->Error(kErrTooBig);
  }
  std::string v = e.TakePayload();
  size_t need = static_cast<size_t>(offset) + piece.size();
  if (v.size() < need) v.resize(need, '\0');
  v.replace(static_cast<size_t>(offset), piece.size(), piece);
  s = ctx.ks()->Put(a[1], v, e.meta().flags, e.meta().expire_at_ms);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.ks()->Notify(kNotifyString, "setrange", a[1]);
  ctx.w->Int(static_cast<int64_t>(v.size()));
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;

const CommandSpec kCommands[] = {
    {"get", 2, R | F, Get, 1, 1, 1, "string", "Get the value of a key"},
    {"set", -3, W, Set, 1, 1, 1, "string", "Set the value of a key"},
    {"setnx", 3, W | F, SetNx, 1, 1, 1, "string", "Set a key if it is absent"},
    {"setex", 4, W, SetEx, 1, 1, 1, "string",
     "Set a key with a TTL in seconds"},
    {"psetex", 4, W, PSetEx, 1, 1, 1, "string", "Set a key with a TTL in ms"},
    {"getset", 3, W | F, GetSet, 1, 1, 1, "string",
     "Set a key, return the old value"},
    {"getdel", 2, W | F, GetDel, 1, 1, 1, "string", "Get a key and delete it"},
    {"getex", -2, W | F, GetEx, 1, 1, 1, "string",
     "Get a key and set its expiry"},
    {"mget", -2, R | F, MGet, 1, -1, 1, "string", "Get the values of keys"},
    {"mset", -3, W, MSet, 1, -1, 2, "string", "Set keys atomically"},
    {"msetnx", -3, W, MSetNx, 1, -1, 2, "string", "Set keys if none exists"},
    {"incr", 2, W | F, Incr, 1, 1, 1, "string", "Increment by one"},
    {"decr", 2, W | F, Decr, 1, 1, 1, "string", "Decrement by one"},
    {"incrby", 3, W | F, IncrByCmd, 1, 1, 1, "string", "Increment by n"},
    {"decrby", 3, W | F, DecrByCmd, 1, 1, 1, "string", "Decrement by n"},
    {"incrbyfloat", 3, W | F, IncrByFloat, 1, 1, 1, "string",
     "Increment by a float"},
    {"append", 3, W | F, Append, 1, 1, 1, "string", "Append to a value"},
    {"strlen", 2, R | F, StrLen, 1, 1, 1, "string", "Length of a value"},
    {"getrange", 4, R, GetRange, 1, 1, 1, "string", "A substring of a value"},
    {"setrange", 4, W, SetRange, 1, 1, 1, "string",
     "Overwrite part of a value"},
};

}  // namespace

std::span<const CommandSpec> StringCommands() { return kCommands; }

}  // namespace shale::server
