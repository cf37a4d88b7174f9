// Sorted-set commands on single members and counts: ZADD ZINCRBY ZREM
// ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT (ranges are in
// cmd_zset_range.cc, the algebra in cmd_zset_ops.cc, pops, random picks
// and ZSCAN in cmd_zset_pop.cc).
//
// A sorted set is a collection with two entries per member
// (keyspace/zset.h): ZADD, ZINCRBY, ZREM, ZSCORE and ZMSCORE are point
// reads and writes; ZCARD reads the metadata; ZRANK walks the score index
// from both ends to the member, and ZCOUNT/ZLEXCOUNT walk the range they
// count: O(min(rank, n - rank)) and O(count), not Redis's O(log n)
// (docs/protocols.md).
#include <cmath>
#include <vector>

#include "server/redis/zset_cmd.h"

namespace shale::server {
namespace {

constexpr const char* kErrNaN = "ERR resulting score is not a number (NaN)";

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
// (incr: ZINCRBY key increment member), as Redis 7.0's
// zaddGenericCommand: options, then every score parsed before any write.
void ZAddGeneric(CommandContext& ctx, Args& a, bool zincrby) {
  bool nx = false, xx = false, gt = false, lt = false, ch = false;
  bool incr = zincrby;
  size_t i = 2;
  for (; !zincrby && i < a.size(); i++) {
    if (OptionIs(a[i], "nx")) {
      nx = true;
    } else if (OptionIs(a[i], "xx")) {
      xx = true;
    } else if (OptionIs(a[i], "ch")) {
      ch = true;
    } else if (OptionIs(a[i], "incr")) {
      incr = true;
    } else if (OptionIs(a[i], "gt")) {
      gt = true;
    } else if (OptionIs(a[i], "lt")) {
      lt = true;
    } else {
      break;
    }
  }
  const size_t rest = a.size() - i;
  if (rest % 2 != 0 || rest == 0) return ctx.w->Error(kErrSyntax);
  const size_t n = rest / 2;
  if (nx && xx) {
    return ctx.w->Error(
        "ERR XX and NX options at the same time are not compatible");
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return ctx.w->Error(
        "ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && n > 1) {
    return ctx.w->Error(
        "ERR INCR option supports a single increment-element pair");
  }
  std::vector<double> scores(n);
  for (size_t j = 0; j < n; j++) {
    if (!ParseScore(a[i + 2 * j], &scores[j])) {
      return ctx.w->Error(kErrNotFloat);
    }
  }
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZ(ctx, &c, a[1])) return;
  ZSet z(&c);
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  const char* event = incr ? "zincr" : "zadd";
  auto finish = [&]() -> bool {
    if (added + updated == 0) return true;
    Status st = z.Tighten();
    if (!st.ok()) {
      ReplyStatus(ctx.w, st);
      return false;
    }
    return FinishColl(ctx, &c, kNotifyZset, event);
  };
  if (c.found() || !xx) {
    for (size_t j = 0; j < n; j++) {
      const std::string& member = a[i + 2 * j + 1];
      score = scores[j];
      double cur;
      Status st = z.Score(member, &cur);
      if (!st.ok() && !st.IsNotFound()) return ReplyStatus(ctx.w, st);
      if (st.ok()) {
        if (nx) continue;
        if (incr) {
          score += cur;
          if (std::isnan(score)) {
            if (!finish()) return;
            return ctx.w->Error(kErrNaN);
          }
        }
        if ((lt && score >= cur) || (gt && score <= cur)) continue;
        processed++;
        if (score != cur) {
          z.Put(member, score, true, cur);
          updated++;
        }
      } else if (!xx) {
        z.Put(member, score, false, 0);
        NoteZSetAdd(ctx, &c, member);
        added++;
        processed++;
      }
    }
  }
  if (!finish()) return;
  if (incr) {
    if (processed > 0) return ReplyScore(ctx.w, score);
    return ctx.w->Null();
  }
  ctx.w->Int(ch ? added + updated : added);
}

void ZAdd(CommandContext& ctx, Args& a) { ZAddGeneric(ctx, a, false); }
void ZIncrBy(CommandContext& ctx, Args& a) { ZAddGeneric(ctx, a, true); }

void ZRem(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZ(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Int(0);
  ZSet z(&c);
  int64_t n = 0;
  for (size_t i = 2; i < a.size(); i++) {
    double cur;
    Status st = z.Score(a[i], &cur);
    if (st.IsNotFound()) continue;
    if (!st.ok()) return ReplyStatus(ctx.w, st);
    z.Remove(a[i], cur);
    n++;
  }
  Status st = z.Tighten();
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (n > 0 && !FinishColl(ctx, &c, kNotifyZset, "zrem")) return;
  ctx.w->Int(n);
}

void ZCard(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZRead(ctx, &c, a[1])) return;
  ctx.w->Int(c.found() ? static_cast<int64_t>(c.count()) : 0);
}

void ZScore(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZRead(ctx, &c, a[1])) return;
  ZSet z(&c);
  double s;
  Status st = z.Score(a[2], &s);
  if (st.IsNotFound()) return ctx.w->Null();
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  ReplyScore(ctx.w, s);
}

void ZMScore(CommandContext& ctx, Args& a) {
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZRead(ctx, &c, a[1])) return;
  ZSet z(&c);
  // Every read before the reply, so an engine error replaces all of it.
  std::vector<double> got(a.size() - 2);
  std::vector<bool> found(a.size() - 2);
  for (size_t i = 2; i < a.size(); i++) {
    Status st = z.Score(a[i], &got[i - 2]);
    if (!st.ok() && !st.IsNotFound()) return ReplyStatus(ctx.w, st);
    found[i - 2] = st.ok();
  }
  ctx.w->Array(got.size());
  for (size_t i = 0; i < got.size(); i++) {
    if (found[i]) {
      ReplyScore(ctx.w, got[i]);
    } else {
      ctx.w->Null();
    }
  }
}

// ZRANK / ZREVRANK key member: a walk of the score index from both ends.
void ZRankGeneric(CommandContext& ctx, Args& a, bool reverse) {
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZRead(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Null();
  ZSet z(&c);
  uint64_t rank;
  Status st = MemberRank(&z, a[2], &rank);
  if (st.IsNotFound()) return ctx.w->Null();
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (reverse) rank = c.count() - 1 - rank;
  ctx.w->Int(static_cast<int64_t>(rank));
}
void ZRank(CommandContext& ctx, Args& a) { ZRankGeneric(ctx, a, false); }
void ZRevRank(CommandContext& ctx, Args& a) { ZRankGeneric(ctx, a, true); }

// ZCOUNT key min max: the range is parsed before the key is looked up.
void ZCount(CommandContext& ctx, Args& a) {
  ScoreRange r;
  if (!ParseScoreRange(a[2], a[3], &r)) return ctx.w->Error(kErrScoreRange);
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZRead(ctx, &c, a[1])) return;
  ZSet z(&c);
  int64_t n = 0;
  Status st = ScoreWalk(&z, r, false, 0, -1, [&](std::string_view, double) {
    n++;
    return true;
  });
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  ctx.w->Int(n);
}

void ZLexCount(CommandContext& ctx, Args& a) {
  LexRange r;
  if (!ParseLexRange(a[2], a[3], &r)) return ctx.w->Error(kErrLexRange);
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZRead(ctx, &c, a[1])) return;
  ZSet z(&c);
  int64_t n = 0;
  Status st = LexWalk(&z, r, false, 0, -1, [&](std::string_view, double) {
    n++;
    return true;
  });
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  ctx.w->Int(n);
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;

const CommandSpec kCommands[] = {
    {"zadd", -4, W | F, ZAdd, 1, 1, 1, "sorted_set",
     "Add members to a sorted set, or update their scores"},
    {"zincrby", 4, W | F, ZIncrBy, 1, 1, 1, "sorted_set",
     "Increment a member's score"},
    {"zrem", -3, W | F, ZRem, 1, 1, 1, "sorted_set", "Remove members"},
    {"zcard", 2, R | F, ZCard, 1, 1, 1, "sorted_set", "Number of members"},
    {"zscore", 3, R | F, ZScore, 1, 1, 1, "sorted_set", "A member's score"},
    {"zmscore", -3, R | F, ZMScore, 1, 1, 1, "sorted_set",
     "Scores of several members"},
    {"zrank", 3, R | F, ZRank, 1, 1, 1, "sorted_set",
     "A member's rank, lowest score first"},
    {"zrevrank", 3, R | F, ZRevRank, 1, 1, 1, "sorted_set",
     "A member's rank, highest score first"},
    {"zcount", 4, R | F, ZCount, 1, 1, 1, "sorted_set",
     "Members with scores in a range"},
    {"zlexcount", 4, R | F, ZLexCount, 1, 1, 1, "sorted_set",
     "Members in a lexicographical range"},
};

}  // namespace

std::span<const CommandSpec> ZSetCommands() { return kCommands; }

}  // namespace shale::server
