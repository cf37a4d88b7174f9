// Hash commands: HSET HSETNX HGET HMGET HMSET HGETALL HDEL HEXISTS HINCRBY
// HINCRBYFLOAT HKEYS HVALS HLEN HSTRLEN HRANDFIELD HSCAN.
//
// A hash is a collection (keyspace/collection.h): one metadata entry with
// its field count, one engine entry per field (docs/format/server_keys.md
// §4.1), so fields come out in byte order of their names, not in Redis's
// insertion order (docs/protocols.md). No command but HGETALL, HKEYS and
// HVALS (and HRANDFIELD with a count that covers the hash) reads more of
// the hash than it returns; HRANDFIELD walks the fields up to the ones it
// picks, O(n) time and O(reply) memory.
#include <algorithm>
#include <cmath>
#include <vector>

#include "server/redis/collection_cmd.h"

namespace shale::server {
namespace {

// Finishes a write of a hash and records event (and "del" if the last
// field went); false with the error written.
bool FinishWrite(CommandContext& ctx, Collection* h, const char* event) {
  return FinishColl(ctx, h, kNotifyHash, event);
}

// HSET key field value [field value ...] / HMSET (replies OK).
void HSet(CommandContext& ctx, Args& a) {
  if (a.size() % 2 == 1) return ReplyArity(ctx.w, a[0]);
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenColl(ctx, &h, a[1])) return;
  int64_t created = 0;
  for (size_t i = 2; i < a.size(); i += 2) {
    bool added;
    Status s = h.Set(a[i], a[i + 1], &added);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    NoteHashWrite(ctx, &h, a[i], a[i + 1]);
    created += added;
  }
  if (!FinishWrite(ctx, &h, "hset")) return;
  if (a[0].size() > 1 && (a[0][1] == 's' || a[0][1] == 'S')) {
    return ctx.w->Int(created);
  }
  ctx.w->Ok();
}

void HSetNx(CommandContext& ctx, Args& a) {
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenColl(ctx, &h, a[1])) return;
  std::string v;
  if (h.found()) {
    Status s = h.Get(a[2], &v);
    if (s.ok()) return ctx.w->Int(0);
    if (!s.IsNotFound()) return ReplyStatus(ctx.w, s);
  }
  bool added;
  Status s = h.Set(a[2], a[3], &added);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  NoteHashWrite(ctx, &h, a[2], a[3]);
  if (!FinishWrite(ctx, &h, "hset")) return;
  ctx.w->Int(1);
}

// Reads field of an open hash into *v: false if absent (errors replied
// through *err).
bool GetField(Collection* h, std::string_view field, std::string* v,
              Status* err) {
  if (!h->found()) return false;
  Status s = h->Get(field, v);
  if (!s.ok() && !s.IsNotFound()) *err = s;
  return s.ok();
}

void HGet(CommandContext& ctx, Args& a) {
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenCollRead(ctx, &h, a[1])) return;
  std::string v;
  Status err;
  if (GetField(&h, a[2], &v, &err)) return ctx.w->Bulk(v);
  if (!err.ok()) return ReplyStatus(ctx.w, err);
  ctx.w->Null();
}

void HMGet(CommandContext& ctx, Args& a) {
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenCollRead(ctx, &h, a[1])) return;
  // Read every field before replying, so an engine error replaces the
  // whole reply.
  std::vector<std::string> values(a.size() - 2);
  std::vector<bool> present(a.size() - 2);
  Status err;
  for (size_t i = 2; i < a.size(); i++) {
    present[i - 2] = GetField(&h, a[i], &values[i - 2], &err);
    if (!err.ok()) return ReplyStatus(ctx.w, err);
  }
  ctx.w->Array(values.size());
  for (size_t i = 0; i < values.size(); i++) {
    if (present[i]) {
      ctx.w->Bulk(values[i]);
    } else {
      ctx.w->Null();
    }
  }
}

void HDel(CommandContext& ctx, Args& a) {
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenColl(ctx, &h, a[1])) return;
  if (!h.found()) return ctx.w->Int(0);
  int64_t n = 0;
  for (size_t i = 2; i < a.size(); i++) {
    bool removed;
    Status s = h.Remove(a[i], &removed);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    n += removed;
  }
  if (n > 0 && !FinishWrite(ctx, &h, "hdel")) return;
  ctx.w->Int(n);
}

void HLen(CommandContext& ctx, Args& a) {
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenCollRead(ctx, &h, a[1])) return;
  ctx.w->Int(h.found() ? static_cast<int64_t>(h.count()) : 0);
}

// HSTRLEN (the value's length) and HEXISTS (1): 0 for a missing field.
void FieldProbe(CommandContext& ctx, Args& a, bool length) {
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenCollRead(ctx, &h, a[1])) return;
  std::string v;
  Status err;
  const bool got = GetField(&h, a[2], &v, &err);
  if (!err.ok()) return ReplyStatus(ctx.w, err);
  if (!got) return ctx.w->Int(0);
  ctx.w->Int(length ? static_cast<int64_t>(v.size()) : 1);
}
void HStrLen(CommandContext& c, Args& a) { FieldProbe(c, a, true); }
void HExists(CommandContext& c, Args& a) { FieldProbe(c, a, false); }

void HIncrBy(CommandContext& ctx, Args& a) {
  int64_t incr;
  if (!ParseInt64(a[3], &incr)) return ctx.w->Error(kErrNotInt);
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenColl(ctx, &h, a[1])) return;
  std::string v;
  Status err;
  int64_t value = 0;
  if (GetField(&h, a[2], &v, &err)) {
    if (!ParseInt64(v, &value)) {
      return ctx.w->Error("ERR hash value is not an integer");
    }
  } else if (!err.ok()) {
    return ReplyStatus(ctx.w, err);
  }
  if ((incr < 0 && value < 0 && incr < INT64_MIN - value) ||
      (incr > 0 && value > 0 && incr > INT64_MAX - value)) {
    return ctx.w->Error(kErrOverflow);
  }
  value += incr;
  bool added;
  const std::string out = std::to_string(value);
  Status s = h.Set(a[2], out, &added);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  NoteHashWrite(ctx, &h, a[2], out);
  if (!FinishWrite(ctx, &h, "hincrby")) return;
  ctx.w->Int(value);
}

void HIncrByFloat(CommandContext& ctx, Args& a) {
  long double incr;
  if (!ParseLongDouble(a[3], &incr)) return ctx.w->Error(kErrNotFloat);
  if (std::isnan(incr) || std::isinf(incr)) {
    return ctx.w->Error("ERR value is NaN or Infinity");
  }
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenColl(ctx, &h, a[1])) return;
  std::string v;
  Status err;
  long double value = 0;
  if (GetField(&h, a[2], &v, &err)) {
    if (!ParseLongDouble(v, &value)) {
      return ctx.w->Error("ERR hash value is not a float");
    }
  } else if (!err.ok()) {
    return ReplyStatus(ctx.w, err);
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    return ctx.w->Error("ERR increment would produce NaN or Infinity");
  }
  const std::string out = HumanDouble(value);
  bool added;
  Status s = h.Set(a[2], out, &added);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  NoteHashWrite(ctx, &h, a[2], out);
  if (!FinishWrite(ctx, &h, "hincrbyfloat")) return;
  ctx.w->Bulk(out);
}

// HGETALL / HKEYS / HVALS: the whole hash, streamed from one iterator.
enum class Whole { kAll, kKeys, kVals };
void HGetWhole(CommandContext& ctx, Args& a, Whole what) {
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenCollRead(ctx, &h, a[1])) return;
  const uint64_t n = h.found() ? h.count() : 0;
  std::string* out = ctx.w->out();
  const size_t mark = out->size();
  if (what == Whole::kAll) {
    ctx.w->Map(n);
  } else {
    ctx.w->Array(n);
  }
  if (n == 0) return;
  auto it = h.NewIterator();
  uint64_t seen = 0;
  for (it->SeekToFirst(); it->Valid() && seen < n; it->Next(), seen++) {
    if (what != Whole::kVals) ctx.w->Bulk(it->sub());
    if (what != Whole::kKeys) ctx.w->Bulk(it->value());
  }
  Status s = it->status();
  if (s.ok() && (seen != n || it->Valid())) {
    s = Status::Corruption("hash count does not match its fields");
  }
  if (!s.ok()) {
    out->resize(mark);
    ReplyStatus(ctx.w, s);
  }
}
void HGetAll(CommandContext& c, Args& a) { HGetWhole(c, a, Whole::kAll); }
void HKeys(CommandContext& c, Args& a) { HGetWhole(c, a, Whole::kKeys); }
void HVals(CommandContext& c, Args& a) { HGetWhole(c, a, Whole::kVals); }

// HRANDFIELD key [count [WITHVALUES]], as Redis's hrandfieldCommand.
void HRandField(CommandContext& ctx, Args& a) {
  constexpr int64_t kLongMax = INT64_MAX;
  int64_t l = 0;
  bool withvalues = false;
  const bool with_count = a.size() >= 3;
  if (with_count) {
    if (!ParseInt64(a[2], &l)) return ctx.w->Error(kErrNotInt);
    if (l < -kLongMax) {
      return ctx.w->Error(
          "ERR value is out of range, value must between "
          "-9223372036854775807 and 9223372036854775807");
    }
    if (a.size() > 4 || (a.size() == 4 && !OptionIs(a[3], "withvalues"))) {
      return ctx.w->Error(kErrSyntax);
    }
    if (a.size() == 4) {
      withvalues = true;
      if (l < -kLongMax / 2 || l > kLongMax / 2) {
        return ctx.w->Error("ERR value is out of range");
      }
    }
  }
  Collection h(ctx.ks(), KeyType::kHash);
  if (!OpenCollRead(ctx, &h, a[1])) return;
  std::vector<Element> fields;
  if (!with_count) {
    if (!h.found()) return ctx.w->Null();
    std::vector<uint64_t> idx{Rng()() % h.count()};
    Status s = ReadAt(&h, idx, &fields);
    if (!s.ok()) return ReplyStatus(ctx.w, s);
    return ctx.w->Bulk(fields[0].sub);
  }
  if (!h.found() || l == 0) return ctx.w->Array(0);
  const uint64_t size = h.count();
  const bool uniq = l > 0;
  const uint64_t count =
      uniq ? static_cast<uint64_t>(l) : static_cast<uint64_t>(-l);
  const bool resp3 = ctx.w->version() > 2;
  auto reply_one = [&](const Element& f) {
    if (withvalues && resp3) ctx.w->Array(2);
    ctx.w->Bulk(f.sub);
    if (withvalues) ctx.w->Bulk(f.value);
  };
  auto header = [&](uint64_t n) {
    ctx.w->Array(withvalues && !resp3 ? n * 2 : n);
  };
  std::vector<uint64_t> idx;
  if (!uniq) {
    // count picks with repetition, in random order; a pick is at least
    // "$0\r\n\r\n", twice with its value.
    return ReplyRepeatPicks(ctx, "HRANDFIELD", &h, count, withvalues ? 12 : 6,
                            header, reply_one);
  }
  // Distinct fields: all of them, or count distinct positions (Floyd's
  // sampling) in random order.
  SamplePositions(size, count, &idx);
  Status s = ReadAt(&h, idx, &fields);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (count < size) std::shuffle(fields.begin(), fields.end(), Rng());
  header(fields.size());
  for (const Element& f : fields) reply_one(f);
}

// HSCAN key cursor [MATCH pattern] [COUNT count]: field/value pairs.
void HScan(CommandContext& ctx, Args& a) {
  ScanCollection(ctx, a, KeyType::kHash, true);
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;

const CommandSpec kCommands[] = {
    {"hset", -4, W | F, HSet, 1, 1, 1, "hash", "Set hash fields"},
    {"hsetnx", 4, W | F, HSetNx, 1, 1, 1, "hash",
     "Set a hash field if it is absent"},
    {"hget", 3, R | F, HGet, 1, 1, 1, "hash", "Get a hash field"},
    {"hmget", -3, R | F, HMGet, 1, 1, 1, "hash", "Get hash fields"},
    {"hmset", -4, W | F, HSet, 1, 1, 1, "hash", "Set hash fields"},
    {"hgetall", 2, R, HGetAll, 1, 1, 1, "hash", "Every field and value"},
    {"hdel", -3, W | F, HDel, 1, 1, 1, "hash", "Delete hash fields"},
    {"hexists", 3, R | F, HExists, 1, 1, 1, "hash", "Whether a field exists"},
    {"hincrby", 4, W | F, HIncrBy, 1, 1, 1, "hash",
     "Increment a field by an integer"},
    {"hincrbyfloat", 4, W | F, HIncrByFloat, 1, 1, 1, "hash",
     "Increment a field by a float"},
    {"hkeys", 2, R, HKeys, 1, 1, 1, "hash", "Every field of a hash"},
    {"hvals", 2, R, HVals, 1, 1, 1, "hash", "Every value of a hash"},
    {"hlen", 2, R | F, HLen, 1, 1, 1, "hash", "Number of fields"},
    {"hstrlen", 3, R | F, HStrLen, 1, 1, 1, "hash", "Length of a value"},
    {"hrandfield", -2, R, HRandField, 1, 1, 1, "hash", "Random fields"},
    {"hscan", -3, R, HScan, 1, 1, 1, "hash", "Iterate over fields"},
};

}  // namespace

std::span<const CommandSpec> HashCommands() { return kCommands; }

}  // namespace shale::server
