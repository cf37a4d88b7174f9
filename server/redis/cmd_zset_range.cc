// Sorted-set ranges: ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES),
// ZRANGESTORE, ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX,
// ZREVRANGEBYLEX, ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX.
//
// Every range walks the score index (keyspace/zset.h) through zset_cmd.h:
// by rank from the nearer end, by score from a seek to the bound, by lex
// from a seek when the set has one score. A walk reads what it returns
// (or removes) and the members it skips (LIMIT's offset, ranks before the
// start): O(skipped + returned), where Redis's skiplist pays O(log n) to
// reach the start (docs/protocols.md).
#include <vector>

#include "server/redis/zset_cmd.h"

namespace shale::server {
namespace {

enum class Type { kAuto, kRank, kScore, kLex };
enum class Dir { kAuto, kForward, kReverse };

// Redis 7.0's zrangeGenericCommand: the key at a[first], min and max
// after it, then the options the command allows; store: ZRANGESTORE (a[1]
// the destination).
void ZRangeGeneric(CommandContext& ctx, Args& a, size_t first, bool store,
                   Type type, Dir dir) {
  size_t minidx = first + 1, maxidx = first + 2;
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  bool has_limit = false;
  for (size_t j = first + 3; j < a.size(); j++) {
    const size_t left = a.size() - j - 1;
    if (!store && OptionIs(a[j], "withscores")) {
      withscores = true;
    } else if (OptionIs(a[j], "limit") && left >= 2) {
      if (!ParseInt64(a[j + 1], &offset) || !ParseInt64(a[j + 2], &limit)) {
        return ctx.w->Error(kErrNotInt);
      }
      has_limit = true;
      j += 2;
    } else if (dir == Dir::kAuto && OptionIs(a[j], "rev")) {
      dir = Dir::kReverse;
    } else if (type == Type::kAuto && OptionIs(a[j], "bylex")) {
      type = Type::kLex;
    } else if (type == Type::kAuto && OptionIs(a[j], "byscore")) {
      type = Type::kScore;
    } else {
      return ctx.w->Error(kErrSyntax);
    }
  }
  if (dir == Dir::kAuto) dir = Dir::kForward;
  if (type == Type::kAuto) type = Type::kRank;
  // Redis tests the limit's value, not its presence: LIMIT 0 -1 passes.
  (void)has_limit;
  if (limit != -1 && type == Type::kRank) {
    return ctx.w->Error(
        "ERR syntax error, LIMIT is only supported in combination with "
        "either BYSCORE or BYLEX");
  }
  if (withscores && type == Type::kLex) {
    return ctx.w->Error(
        "ERR syntax error, WITHSCORES not supported in combination with "
        "BYLEX");
  }
  const bool reverse = dir == Dir::kReverse;
  if (reverse && type != Type::kRank) std::swap(minidx, maxidx);
  int64_t start = 0, end = 0;
  ScoreRange sr;
  LexRange lr;
  switch (type) {
    case Type::kAuto:
    case Type::kRank:
      if (!ParseInt64(a[minidx], &start) || !ParseInt64(a[maxidx], &end)) {
        return ctx.w->Error(kErrNotInt);
      }
      break;
    case Type::kScore:
      if (!ParseScoreRange(a[minidx], a[maxidx], &sr)) {
        return ctx.w->Error(kErrScoreRange);
      }
      break;
    case Type::kLex:
      if (!ParseLexRange(a[minidx], a[maxidx], &lr)) {
        return ctx.w->Error(kErrLexRange);
      }
      break;
  }
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZRead(ctx, &c, a[first])) return;
  std::vector<Scored> items;
  if (c.found()) {
    ZSet z(&c);
    Status st;
    auto sink = [&](std::string_view m, double s) {
      items.push_back({std::string(m), s});
      return true;
    };
    if (type == Type::kRank) {
      const int64_t n = static_cast<int64_t>(c.count());
      if (start < 0) start += n;
      if (end < 0) end += n;
      if (start < 0) start = 0;
      if (!(start > end || start >= n)) {
        if (end >= n) end = n - 1;
        st = RankRange(&z, static_cast<uint64_t>(start),
                       static_cast<uint64_t>(end), reverse, &items);
      }
    } else if (type == Type::kScore) {
      st = ScoreWalk(&z, sr, reverse, offset, limit, sink);
    } else {
      st = LexWalk(&z, lr, reverse, offset, limit, sink);
    }
    if (!st.ok()) return ReplyStatus(ctx.w, st);
  }
  if (store) {
    ZStore dst(ctx, a[1]);
    if (!dst.Begin()) return;
    for (const Scored& s : items) dst.Add(s.member, s.score);
    return dst.Finish("zrangestore");
  }
  ReplyScored(ctx.w, items, withscores);
}

void ZRange(CommandContext& c, Args& a) {
  ZRangeGeneric(c, a, 1, false, Type::kAuto, Dir::kAuto);
}
void ZRangeStore(CommandContext& c, Args& a) {
  ZRangeGeneric(c, a, 2, true, Type::kAuto, Dir::kAuto);
}
void ZRevRange(CommandContext& c, Args& a) {
  ZRangeGeneric(c, a, 1, false, Type::kRank, Dir::kReverse);
}
void ZRangeByScore(CommandContext& c, Args& a) {
  ZRangeGeneric(c, a, 1, false, Type::kScore, Dir::kForward);
}
void ZRevRangeByScore(CommandContext& c, Args& a) {
  ZRangeGeneric(c, a, 1, false, Type::kScore, Dir::kReverse);
}
void ZRangeByLex(CommandContext& c, Args& a) {
  ZRangeGeneric(c, a, 1, false, Type::kLex, Dir::kForward);
}
void ZRevRangeByLex(CommandContext& c, Args& a) {
  ZRangeGeneric(c, a, 1, false, Type::kLex, Dir::kReverse);
}

// ZREMRANGEBYRANK / BYSCORE / BYLEX key min max, as Redis 7.0's
// zremrangeGenericCommand: the range parsed before the key is looked up.
void ZRemRange(CommandContext& ctx, Args& a, Type type, const char* event) {
  int64_t start = 0, end = 0;
  ScoreRange sr;
  LexRange lr;
  if (type == Type::kRank) {
    if (!ParseInt64(a[2], &start) || !ParseInt64(a[3], &end)) {
      return ctx.w->Error(kErrNotInt);
    }
  } else if (type == Type::kScore) {
    if (!ParseScoreRange(a[2], a[3], &sr)) {
      return ctx.w->Error(kErrScoreRange);
    }
  } else if (!ParseLexRange(a[2], a[3], &lr)) {
    return ctx.w->Error(kErrLexRange);
  }
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZ(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Int(0);
  ZSet z(&c);
  std::vector<Scored> gone;
  auto sink = [&](std::string_view m, double s) {
    gone.push_back({std::string(m), s});
    return true;
  };
  Status st;
  if (type == Type::kRank) {
    const int64_t n = static_cast<int64_t>(c.count());
    if (start < 0) start += n;
    if (end < 0) end += n;
    if (start < 0) start = 0;
    if (start > end || start >= n) return ctx.w->Int(0);
    if (end >= n) end = n - 1;
    st = RankRange(&z, static_cast<uint64_t>(start), static_cast<uint64_t>(end),
                   false, &gone);
  } else if (type == Type::kScore) {
    st = ScoreWalk(&z, sr, false, 0, -1, sink);
  } else {
    st = LexWalk(&z, lr, false, 0, -1, sink);
  }
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  for (const Scored& s : gone) z.Remove(s.member, s.score);
  st = z.Tighten();
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (!gone.empty() && !FinishColl(ctx, &c, kNotifyZset, event)) return;
  ctx.w->Int(static_cast<int64_t>(gone.size()));
}
void ZRemRangeByRank(CommandContext& c, Args& a) {
  ZRemRange(c, a, Type::kRank, "zremrangebyrank");
}
void ZRemRangeByScore(CommandContext& c, Args& a) {
  ZRemRange(c, a, Type::kScore, "zremrangebyscore");
}
void ZRemRangeByLex(CommandContext& c, Args& a) {
  ZRemRange(c, a, Type::kLex, "zremrangebylex");
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly;

const CommandSpec kCommands[] = {
    {"zrange", -4, R, ZRange, 1, 1, 1, "sorted_set",
     "Members in a range of ranks, scores or members"},
    {"zrangestore", -5, W, ZRangeStore, 1, 2, 1, "sorted_set",
     "Store a range of a sorted set"},
    {"zrevrange", -4, R, ZRevRange, 1, 1, 1, "sorted_set",
     "Members in a range of ranks, highest score first"},
    {"zrangebyscore", -4, R, ZRangeByScore, 1, 1, 1, "sorted_set",
     "Members in a range of scores"},
    {"zrevrangebyscore", -4, R, ZRevRangeByScore, 1, 1, 1, "sorted_set",
     "Members in a range of scores, highest first"},
    {"zrangebylex", -4, R, ZRangeByLex, 1, 1, 1, "sorted_set",
     "Members in a lexicographical range"},
    {"zrevrangebylex", -4, R, ZRevRangeByLex, 1, 1, 1, "sorted_set",
     "Members in a lexicographical range, in reverse"},
    {"zremrangebyrank", 4, W, ZRemRangeByRank, 1, 1, 1, "sorted_set",
     "Remove members in a range of ranks"},
    {"zremrangebyscore", 4, W, ZRemRangeByScore, 1, 1, 1, "sorted_set",
     "Remove members in a range of scores"},
    {"zremrangebylex", 4, W, ZRemRangeByLex, 1, 1, 1, "sorted_set",
     "Remove members in a lexicographical range"},
};

}  // namespace

std::span<const CommandSpec> ZSetRangeCommands() { return kCommands; }

}  // namespace shale::server
