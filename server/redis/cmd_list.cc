// List commands at the ends and by position: LPUSH RPUSH LPUSHX RPUSHX LPOP
// RPOP LLEN LINDEX LSET LRANGE LMOVE RPOPLPUSH LMPOP (the edits in the
// middle and LPOS are in cmd_list_edit.cc).
//
// A list is a collection (keyspace/list.h): one metadata entry with its
// head index and count, one engine entry per element at its index
// (docs/format/server_keys.md §4.4). Pushes, pops, LINDEX and LSET are
// point reads and writes at any position; LRANGE is one iterator from its
// first element, reading only what it returns.
#include <algorithm>
#include <string>
#include <vector>

#include "server/redis/list_cmd.h"

namespace shale::server {

bool ParseWhere(std::string_view arg, bool* left) {
  if (OptionIs(arg, "left")) {
    *left = true;
  } else if (OptionIs(arg, "right")) {
    *left = false;
  } else {
    return false;
  }
  return true;
}

bool ParseMPop(CommandContext& ctx, const Args& a, size_t first, MPopArgs* m) {
  int64_t numkeys;
  if (!ParseInt64(a[first], &numkeys) || numkeys < 1) {
    ctx.w->Error("ERR numkeys should be greater than 0");
    return false;
  }
  const size_t where = first + 1 + static_cast<size_t>(numkeys);
  if (numkeys > static_cast<int64_t>(a.size()) || where >= a.size() ||
      !ParseWhere(a[where], &m->left)) {
    ctx.w->Error(kErrSyntax);
    return false;
  }
  m->keys.assign(a.begin() + static_cast<std::ptrdiff_t>(first) + 1,
                 a.begin() + static_cast<std::ptrdiff_t>(where));
  bool counted = false;
  for (size_t i = where + 1; i < a.size(); i++) {
    if (OptionIs(a[i], "count") && i + 1 < a.size() && !counted) {
      if (!ParseInt64(a[i + 1], &m->count) || m->count < 1) {
        ctx.w->Error("ERR count should be greater than 0");
        return false;
      }
      counted = true;
      i++;
    } else {
      ctx.w->Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

namespace {

// Redis's list indexes: negative ones count from the end.
int64_t Normalize(int64_t i, uint64_t n) {
  return i < 0 ? i + static_cast<int64_t>(n) : i;
}

// LPUSH/RPUSH key element [element ...]; LPUSHX/RPUSHX push only onto an
// existing list. Replies the new length.
void Push(CommandContext& ctx, Args& a, bool left, bool only_existing) {
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenColl(ctx, &c, a[1])) return;
  if (only_existing && !c.found()) return ctx.w->Int(0);
  List l(&c);
  for (size_t i = 2; i < a.size(); i++) PushEnd(&l, left, a[i]);
  if (!FinishColl(ctx, &c, kNotifyList, left ? "lpush" : "rpush")) return;
  ctx.w->Int(static_cast<int64_t>(l.size()));
}

void LPush(CommandContext& ctx, Args& a) { Push(ctx, a, true, false); }
void RPush(CommandContext& ctx, Args& a) { Push(ctx, a, false, false); }
void LPushX(CommandContext& ctx, Args& a) { Push(ctx, a, true, true); }
void RPushX(CommandContext& ctx, Args& a) { Push(ctx, a, false, true); }

// Pops up to count elements of the found list c from one end into *out
// and finishes the write with the pop event (and "del" if the list went);
// false with the error written.
bool PopN(CommandContext& ctx, Collection* c, bool left, uint64_t count,
          std::vector<std::string>* out) {
  List l(c);
  out->resize(std::min<uint64_t>(count, l.size()));
  for (std::string& v : *out) {
    Status s = PopEnd(&l, left, &v);
    if (!s.ok()) {
      ReplyStatus(ctx.w, s);
      return false;
    }
  }
  return FinishColl(ctx, c, kNotifyList, left ? "lpop" : "rpop");
}

void ReplyArrayOf(RespWriter* w, const std::vector<std::string>& v) {
  w->Array(v.size());
  for (const std::string& e : v) w->Bulk(e);
}

// LPOP/RPOP key [count].
void Pop(CommandContext& ctx, Args& a, bool left) {
  if (a.size() > 3) return ReplyArity(ctx.w, a[0]);
  const bool counted = a.size() == 3;
  int64_t count = 1;
  if (counted && (!ParseInt64(a[2], &count) || count < 0)) {
    return ctx.w->Error("ERR value is out of range, must be positive");
  }
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenColl(ctx, &c, a[1])) return;
  if (!c.found()) return counted ? ctx.w->NullArray() : ctx.w->Null();
  if (count == 0) return ctx.w->Array(0);
  std::vector<std::string> popped;
  if (!PopN(ctx, &c, left, static_cast<uint64_t>(count), &popped)) return;
  if (counted) return ReplyArrayOf(ctx.w, popped);
  ctx.w->Bulk(popped[0]);
}

void LPop(CommandContext& ctx, Args& a) { Pop(ctx, a, true); }
void RPop(CommandContext& ctx, Args& a) { Pop(ctx, a, false); }

void LLen(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenCollRead(ctx, &c, a[1])) return;
  ctx.w->Int(static_cast<int64_t>(c.found() ? c.count() : 0));
}

// LINDEX and LSET look the key up before they read the index, as Redis.
void LIndex(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenCollRead(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Null();
  int64_t i;
  if (!ParseInt64(a[2], &i)) return ctx.w->Error(kErrNotInt);
  List l(&c);
  i = Normalize(i, l.size());
  if (i < 0 || static_cast<uint64_t>(i) >= l.size()) return ctx.w->Null();
  std::string v;
  Status s = l.Get(static_cast<uint64_t>(i), &v);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  ctx.w->Bulk(v);
}

void LSet(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenColl(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Error("ERR no such key");
  int64_t i;
  if (!ParseInt64(a[2], &i)) return ctx.w->Error(kErrNotInt);
  List l(&c);
  i = Normalize(i, l.size());
  if (i < 0 || static_cast<uint64_t>(i) >= l.size()) {
    return ctx.w->Error("ERR index out of range");
  }
  l.Set(static_cast<uint64_t>(i), a[3]);
  if (!FinishColl(ctx, &c, kNotifyList, "lset")) return;
  ctx.w->Ok();
}

void LRange(CommandContext& ctx, Args& a) {
  int64_t start, stop;
  if (!ParseInt64(a[2], &start) || !ParseInt64(a[3], &stop)) {
    return ctx.w->Error(kErrNotInt);
  }
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenCollRead(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Array(0);
  List l(&c);
  const int64_t n = static_cast<int64_t>(l.size());
  start = std::max<int64_t>(Normalize(start, l.size()), 0);
  stop = Normalize(stop, l.size());
  if (start > stop || start >= n) return ctx.w->Array(0);
  stop = std::min(stop, n - 1);
  const uint64_t count = static_cast<uint64_t>(stop - start + 1);
  std::string* out = ctx.w->out();
  const size_t mark = out->size();
  ctx.w->Array(count);
  auto it = l.IterateFrom(static_cast<uint64_t>(start));
  uint64_t seen = 0;
  for (; it->Valid() && seen < count; it->Next(), seen++) {
    ctx.w->Bulk(it->value());
  }
  Status s = it->status();
  if (s.ok() && seen != count) {
    s = Status::Corruption("list shorter than its count");
  }
  if (!s.ok()) {
    out->resize(mark);
    ReplyStatus(ctx.w, s);
  }
}

// Pops from src's end `from` and pushes onto dst's end `to`: LMOVE and
// RPOPLPUSH. Replies the element, or nil if src is absent. A src equal to
// dst rotates one list.
void Move(CommandContext& ctx, std::string_view src_key,
          std::string_view dst_key, bool from_left, bool to_left) {
  Collection src(ctx.ks(), KeyType::kList);
  if (!OpenColl(ctx, &src, src_key)) return;
  if (!src.found()) return ctx.w->Null();
  const bool same = src_key == dst_key;
  Collection dst_coll(ctx.ks(), KeyType::kList);
  if (!same && !OpenColl(ctx, &dst_coll, dst_key)) return;
  Collection* dst = same ? &src : &dst_coll;
  List from(&src), to(dst);
  std::string v;
  Status s = PopEnd(&from, from_left, &v);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  PushEnd(&to, to_left, v);
  // Redis announces the push onto dst first, then the pop from src.
  if (!same) {
    s = dst->Finish();
    if (!s.ok()) return ReplyStatus(ctx.w, s);
  }
  ctx.ks()->Notify(kNotifyList, to_left ? "lpush" : "rpush", dst_key);
  if (!FinishColl(ctx, &src, kNotifyList, from_left ? "lpop" : "rpop")) {
    return;
  }
  ctx.w->Bulk(v);
}

void LMove(CommandContext& ctx, Args& a) {
  bool from_left, to_left;
  if (!ParseWhere(a[3], &from_left) || !ParseWhere(a[4], &to_left)) {
    return ctx.w->Error(kErrSyntax);
  }
  Move(ctx, a[1], a[2], from_left, to_left);
}

void RPopLPush(CommandContext& ctx, Args& a) {
  Move(ctx, a[1], a[2], false, true);
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: pops from the first
// non-empty list; replies [key, [elements]] or a nil array.
void LMPop(CommandContext& ctx, Args& a) {
  MPopArgs m;
  if (!ParseMPop(ctx, a, 1, &m)) return;
  for (std::string_view key : m.keys) {
    Collection c(ctx.ks(), KeyType::kList);
    if (!OpenColl(ctx, &c, key)) return;
    if (!c.found()) continue;
    std::vector<std::string> popped;
    if (!PopN(ctx, &c, m.left, static_cast<uint64_t>(m.count), &popped)) {
      return;
    }
    ctx.w->Array(2);
    ctx.w->Bulk(key);
    return ReplyArrayOf(ctx.w, popped);
  }
  ctx.w->NullArray();
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;

const CommandSpec kCommands[] = {
    {"lpush", -3, W | F, LPush, 1, 1, 1, "list", "Prepend elements to a list"},
    {"rpush", -3, W | F, RPush, 1, 1, 1, "list", "Append elements to a list"},
    {"lpushx", -3, W | F, LPushX, 1, 1, 1, "list",
     "Prepend elements to an existing list"},
    {"rpushx", -3, W | F, RPushX, 1, 1, 1, "list",
     "Append elements to an existing list"},
    {"lpop", -2, W | F, LPop, 1, 1, 1, "list", "Remove the first elements"},
    {"rpop", -2, W | F, RPop, 1, 1, 1, "list", "Remove the last elements"},
    {"llen", 2, R | F, LLen, 1, 1, 1, "list", "Length of a list"},
    {"lindex", 3, R, LIndex, 1, 1, 1, "list", "An element by its index"},
    {"lset", 4, W, LSet, 1, 1, 1, "list", "Set an element by its index"},
    {"lrange", 4, R, LRange, 1, 1, 1, "list", "A range of elements"},
    {"lmove", 5, W, LMove, 1, 2, 1, "list",
     "Pop from one list and push onto another"},
    {"rpoplpush", 3, W, RPopLPush, 1, 2, 1, "list",
     "Pop the last element and push it onto another list"},
    {"lmpop", -4, W, LMPop, 0, 0, 0, "list",
     "Pop elements from the first non-empty list"},
};

}  // namespace

bool ListPopN(CommandContext& ctx, Collection* c, bool left, uint64_t count,
              std::vector<std::string>* out) {
  return PopN(ctx, c, left, count, out);
}

void ListMove(CommandContext& ctx, std::string_view src, std::string_view dst,
              bool from_left, bool to_left) {
  Move(ctx, src, dst, from_left, to_left);
}

std::span<const CommandSpec> ListCommands() { return kCommands; }

}  // namespace shale::server
