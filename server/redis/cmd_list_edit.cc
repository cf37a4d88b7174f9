// List commands that search or edit the middle: LINSERT LREM LTRIM LPOS.
//
// These cost more than Redis's where the list must move entries to close
// or open a gap (keyspace/list.h): LINSERT moves the shorter side after
// finding the pivot, LREM rewrites everything after its first removal,
// LTRIM deletes only what it trims. LPOS from the front reads with one
// iterator; from the back (a negative RANK) point by point.
// docs/protocols.md gives the costs.
#include <string>
#include <vector>

#include "server/redis/list_cmd.h"

namespace shale::server {
namespace {

// LINSERT key BEFORE|AFTER pivot element: the new length, -1 if the pivot
// is not in the list, 0 if the key is absent.
void LInsert(CommandContext& ctx, Args& a) {
  bool after;
  if (OptionIs(a[2], "after")) {
    after = true;
  } else if (OptionIs(a[2], "before")) {
    after = false;
  } else {
    return ctx.w->Error(kErrSyntax);
  }
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenColl(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Int(0);
  List l(&c);
  const uint64_t n = l.size();
  uint64_t pos = 0;
  bool found = false;
  {
    auto it = l.IterateFrom(0);
    for (; it->Valid() && pos < n; it->Next(), pos++) {
      if (it->value() == a[3]) {
        found = true;
        break;
      }
    }
    if (!it->status().ok()) return ReplyStatus(ctx.w, it->status());
  }
  if (!found) return ctx.w->Int(-1);
  Status s = l.Insert(after ? pos + 1 : pos, a[4]);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (!FinishColl(ctx, &c, kNotifyList, "linsert")) return;
  ctx.w->Int(static_cast<int64_t>(l.size()));
}

// LREM key count element: removes the first count matches (from the back
// if count < 0, all if 0); replies how many went.
void LRem(CommandContext& ctx, Args& a) {
  int64_t count;
  if (!ParseInt64(a[2], &count)) return ctx.w->Error(kErrNotInt);
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenColl(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Int(0);
  List l(&c);
  // |INT64_MIN| is 2^63: as a limit, as good as "all" for any real list.
  const uint64_t limit = count < 0 ? 0 - static_cast<uint64_t>(count)
                                   : static_cast<uint64_t>(count);
  uint64_t removed;
  Status s = l.RemoveMatching(a[3], limit, count >= 0, &removed);
  if (!s.ok()) return ReplyStatus(ctx.w, s);
  if (removed > 0 && !FinishColl(ctx, &c, kNotifyList, "lrem")) return;
  ctx.w->Int(static_cast<int64_t>(removed));
}

// LTRIM key start stop: keeps [start, stop]; an empty range deletes the
// key (O(1): its elements become garbage).
void LTrim(CommandContext& ctx, Args& a) {
  int64_t start, stop;
  if (!ParseInt64(a[2], &start) || !ParseInt64(a[3], &stop)) {
    return ctx.w->Error(kErrNotInt);
  }
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenColl(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Ok();
  List l(&c);
  const int64_t n = static_cast<int64_t>(l.size());
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) {
    c.Replace();
  } else {
    if (stop >= n) stop = n - 1;
    l.Trim(static_cast<uint64_t>(start), static_cast<uint64_t>(stop));
  }
  if (!FinishColl(ctx, &c, kNotifyList, "ltrim")) return;
  ctx.w->Ok();
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len].
void LPos(CommandContext& ctx, Args& a) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t i = 3; i < a.size(); i += 2) {
    if (i + 1 >= a.size()) return ctx.w->Error(kErrSyntax);
    int64_t v;
    const bool is_int = ParseInt64(a[i + 1], &v);
    if (OptionIs(a[i], "rank")) {
      if (!is_int) return ctx.w->Error(kErrNotInt);
      if (v == 0) {
        return ctx.w->Error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 "
            "from the second ... or use negative to start from the end of "
            "the list");
      }
      rank = v;
    } else if (OptionIs(a[i], "count")) {
      // Redis reads COUNT and MAXLEN as non-negative numbers: anything
      // else, a non-number included, gets the same error.
      if (!is_int || v < 0) return ctx.w->Error("ERR COUNT can't be negative");
      count = v;
    } else if (OptionIs(a[i], "maxlen")) {
      if (!is_int || v < 0) return ctx.w->Error("ERR MAXLEN can't be negative");
      maxlen = v;
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  Collection c(ctx.ks(), KeyType::kList);
  if (!OpenCollRead(ctx, &c, a[1])) return;
  if (!c.found()) return count >= 0 ? ctx.w->Array(0) : ctx.w->Null();
  List l(&c);
  const uint64_t n = l.size();
  const bool from_front = rank > 0;
  // Redis negates a negative rank; -2^63 stays negative there, so every
  // match counts (the first one from the back answers), and its COUNT
  // check (matches - rank + 1 >= count) overflows and never stops the
  // walk: with a COUNT it answers every match, as here.
  const bool min_rank = rank == INT64_MIN;
  const uint64_t skip = min_rank     ? 0
                        : from_front ? static_cast<uint64_t>(rank) - 1
                                     : static_cast<uint64_t>(-rank) - 1;
  const uint64_t scan = maxlen == 0 ? n : std::min<uint64_t>(n, maxlen);
  const uint64_t want = count < 0  ? 1
                        : min_rank ? 0
                                   : static_cast<uint64_t>(count);
  std::vector<uint64_t> found;
  uint64_t matches = 0;
  // Visits the element at position pos; false once enough were found.
  auto visit = [&](uint64_t pos, std::string_view v) {
    if (v != a[2]) return true;
    if (matches++ < skip) return true;
    found.push_back(pos);
    return want == 0 || found.size() < want;
  };
  if (from_front) {
    auto it = l.IterateFrom(0);
    for (uint64_t k = 0; k < scan && it->Valid(); k++, it->Next()) {
      if (!visit(k, it->value())) break;
    }
    if (!it->status().ok()) return ReplyStatus(ctx.w, it->status());
  } else {
    std::string v;
    for (uint64_t k = 0; k < scan; k++) {
      Status s = l.Get(n - 1 - k, &v);
      if (!s.ok()) return ReplyStatus(ctx.w, s);
      if (!visit(n - 1 - k, v)) break;
    }
  }
  if (count < 0) {
    if (found.empty()) return ctx.w->Null();
    return ctx.w->Int(static_cast<int64_t>(found[0]));
  }
  ctx.w->Array(found.size());
  for (uint64_t p : found) ctx.w->Int(static_cast<int64_t>(p));
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly;

const CommandSpec kCommands[] = {
    {"linsert", 5, W, LInsert, 1, 1, 1, "list",
     "Insert an element before or after another"},
    {"lrem", 4, W, LRem, 1, 1, 1, "list", "Remove elements equal to a value"},
    {"ltrim", 4, W, LTrim, 1, 1, 1, "list", "Keep a range of elements"},
    {"lpos", -3, R, LPos, 1, 1, 1, "list",
     "Positions of elements equal to a value"},
};

}  // namespace

std::span<const CommandSpec> ListEditCommands() { return kCommands; }

}  // namespace shale::server
