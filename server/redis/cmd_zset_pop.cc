// Sorted-set pops, random picks and scans: ZPOPMIN ZPOPMAX ZMPOP
// ZRANDMEMBER ZSCAN (the blocking pops are a later step).
//
// Pops take members from an end of the score index (keyspace/zset.h):
// O(count). ZRANDMEMBER picks positions in member order and walks the
// member entries up to the last pick, as SRANDMEMBER does: O(n) time,
// memory O(picks) (docs/protocols.md); a negative count's reply is bounded
// by proto-max-bulk-len, as HRANDFIELD's. ZSCAN pages through the members
// in member order with a cursor naming the next one (collection_cmd.h).
#include <algorithm>
#include <climits>
#include <vector>

#include "server/redis/zset_cmd.h"

namespace shale::server {
namespace {

enum Where { kMin, kMax };

// Redis 7.0's genericZpopCommand over keys (the first that exists):
// emit_key: ZMPOP's [key, [[member, score] ...]] reply (nested always);
// otherwise ZPOPMIN/ZPOPMAX's flat array (RESP3 with a count: pairs).
// count < 0: no count given (one member).
// flat_key: BZPOPMIN/BZPOPMAX's [key, member, score] (one member).
void Pop(CommandContext& ctx, std::span<const std::string> keys, Where where,
         bool emit_key, int64_t count, bool flat_key = false) {
  Collection c(ctx.ks(), KeyType::kZSet);
  bool any = false;
  for (const std::string& key : keys) {
    if (!OpenZ(ctx, &c, key)) return;
    if (c.found()) {
      any = true;
      break;
    }
  }
  if (!any) return emit_key ? ctx.w->NullArray() : ctx.w->Array(0);
  if (count == 0) return ctx.w->Array(0);
  const bool nested = emit_key || (ctx.w->version() >= 3 && count > 0);
  if (count < 0) count = 1;
  const uint64_t n =
      std::min<uint64_t>(static_cast<uint64_t>(count), c.count());
  ZSet z(&c);
  std::vector<Scored> got;
  Status st = RankRange(&z, 0, n - 1, where == kMax, &got);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  for (const Scored& s : got) z.Remove(s.member, s.score);
  st = z.Tighten();
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  if (!FinishColl(ctx, &c, kNotifyZset,
                  where == kMin ? "zpopmin" : "zpopmax")) {
    return;
  }
  if (flat_key) {
    ctx.w->Array(3);
    ctx.w->Bulk(c.key());
    ctx.w->Bulk(got[0].member);
    return ReplyScore(ctx.w, got[0].score);
  }
  if (emit_key) {
    ctx.w->Array(2);
    ctx.w->Bulk(c.key());
    ctx.w->Array(got.size());
  } else {
    ctx.w->Array(nested ? got.size() : got.size() * 2);
  }
  for (const Scored& s : got) {
    if (nested) ctx.w->Array(2);
    ctx.w->Bulk(s.member);
    ReplyScore(ctx.w, s.score);
  }
}

// ZPOPMIN / ZPOPMAX key [count].
void ZPopMinMax(CommandContext& ctx, Args& a, Where where) {
  if (a.size() > 3) return ctx.w->Error(kErrSyntax);
  int64_t count = -1;
  if (a.size() == 3) {
    // getPositiveLongFromObjectOrReply: one message for both failures.
    if (!ParseInt64(a[2], &count) || count < 0) {
      return ctx.w->Error("ERR value is out of range, must be positive");
    }
  }
  Pop(ctx, std::span<const std::string>(&a[1], 1), where, false, count);
}
void ZPopMin(CommandContext& c, Args& a) { ZPopMinMax(c, a, kMin); }
void ZPopMax(CommandContext& c, Args& a) { ZPopMinMax(c, a, kMax); }

}  // namespace

bool ParseZMPop(CommandContext& ctx, const Args& a, size_t first,
                ZMPopArgs* m) {
  int64_t numkeys;
  if (!ParseInt64(a[first], &numkeys) || numkeys < 1) {
    ctx.w->Error("ERR numkeys should be greater than 0");
    return false;
  }
  if (numkeys >= static_cast<int64_t>(a.size() - first) - 1) {
    ctx.w->Error(kErrSyntax);
    return false;
  }
  const size_t where_at = first + 1 + static_cast<size_t>(numkeys);
  if (OptionIs(a[where_at], "min")) {
    m->max = false;
  } else if (OptionIs(a[where_at], "max")) {
    m->max = true;
  } else {
    ctx.w->Error(kErrSyntax);
    return false;
  }
  int64_t count = -1;
  for (size_t j = where_at + 1; j < a.size(); j++) {
    if (count == -1 && OptionIs(a[j], "count") && j + 1 < a.size()) {
      j++;
      if (!ParseInt64(a[j], &count) || count < 1) {
        ctx.w->Error("ERR count should be greater than 0");
        return false;
      }
    } else {
      ctx.w->Error(kErrSyntax);
      return false;
    }
  }
  m->count = count == -1 ? 1 : count;
  m->keys =
      std::span<const std::string>(&a[first + 1], static_cast<size_t>(numkeys));
  return true;
}

void ZPopKeys(CommandContext& ctx, std::span<const std::string> keys, bool max,
              ZPopForm form, int64_t count) {
  Pop(ctx, keys, max ? kMax : kMin, form == ZPopForm::kNestedKey, count,
      form == ZPopForm::kFlatKey);
}

namespace {

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], with Redis 7.0's
// checks in its order.
void ZMPop(CommandContext& ctx, Args& a) {
  ZMPopArgs m;
  if (!ParseZMPop(ctx, a, 1, &m)) return;
  Pop(ctx, m.keys, m.max ? kMax : kMin, true, m.count);
}

// One random member with its score, or the picks of ReadAt.
void ReplyPicked(CommandContext& ctx, const Element& e, bool withscores) {
  double score = 0;
  if (withscores) {
    DecodeScoreValue(e.value, &score);
    if (ctx.w->version() >= 3) ctx.w->Array(2);
  }
  ctx.w->Bulk(e.sub);
  if (withscores) ReplyScore(ctx.w, score);
}

// ZRANDMEMBER key count [WITHSCORES], as Redis 7.0's
// zrandmemberWithCountCommand: a positive count answers distinct members
// (the whole set if count >= ZCARD) in random order (Redis 7.0.15's
// order is random there too), a negative one -count members with
// repetition.
void ZRandMemberCount(CommandContext& ctx, Args& a) {
  int64_t l;
  if (!ParseInt64(a[2], &l)) return ctx.w->Error(kErrNotInt);
  if (l == INT64_MIN) {
    return ctx.w->Error(
        "ERR value is out of range, value must between "
        "-9223372036854775807 and 9223372036854775807");
  }
  bool withscores = false;
  if (a.size() > 4 || (a.size() == 4 && !OptionIs(a[3], "withscores"))) {
    return ctx.w->Error(kErrSyntax);
  }
  if (a.size() == 4) {
    withscores = true;
    if (l < -(INT64_MAX / 2) || l > INT64_MAX / 2) {
      return ctx.w->Error("ERR value is out of range");
    }
  }
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZRead(ctx, &c, a[1])) return;
  if (!c.found() || l == 0) return ctx.w->Array(0);
  const bool flat = withscores && ctx.w->version() < 3;
  if (l < 0 || l == 1) {
    // With repetition; a pick is at least "$0\r\n\r\n" (and a score).
    return ReplyRepeatPicks(
        ctx, "ZRANDMEMBER", &c, static_cast<uint64_t>(l < 0 ? -l : l),
        withscores ? 13 : 6,
        [&](uint64_t n) { ctx.w->Array(flat ? n * 2 : n); },
        [&](const Element& e) { ReplyPicked(ctx, e, withscores); });
  }
  const uint64_t size = c.count();
  const uint64_t count = std::min(static_cast<uint64_t>(l), size);
  std::vector<uint64_t> idx;
  SamplePositions(size, count, &idx);
  std::vector<Element> got;
  Status st = ReadAt(&c, idx, &got);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  std::shuffle(got.begin(), got.end(), Rng());
  ctx.w->Array(flat ? got.size() * 2 : got.size());
  for (const Element& e : got) ReplyPicked(ctx, e, withscores);
}

// ZRANDMEMBER key [count [WITHSCORES]].
void ZRandMember(CommandContext& ctx, Args& a) {
  if (a.size() >= 3) return ZRandMemberCount(ctx, a);
  Collection c(ctx.ks(), KeyType::kZSet);
  if (!OpenZRead(ctx, &c, a[1])) return;
  if (!c.found()) return ctx.w->Null();
  std::vector<uint64_t> idx{Rng()() % c.count()};
  std::vector<Element> got;
  Status st = ReadAt(&c, idx, &got);
  if (!st.ok()) return ReplyStatus(ctx.w, st);
  ctx.w->Bulk(got[0].sub);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]: members and scores.
void ZScan(CommandContext& ctx, Args& a) {
  ScanCollection(
      ctx, a, KeyType::kZSet, true,
      [](std::string_view v) {
        double s = 0;
        DecodeScoreValue(v, &s);
        return ScoreText(s);
      },
      [](Collection* c, std::vector<Element>* out) {
        // A listpack comes whole in score order.
        ZSet z(c);
        auto it = z.NewScoreIterator();
        for (z.SeekFirst(it.get()); it->Valid(); it->Next()) {
          double s;
          std::string_view m;
          if (!ParseScoreSub(it->sub(), &s, &m)) {
            return Status::Corruption("sorted-set score entry too short");
          }
          out->push_back({std::string(m), ScoreText(s)});
        }
        return it->status();
      });
}

constexpr uint32_t W = kCmdWrite, R = kCmdReadOnly, F = kCmdFast;

const CommandSpec kCommands[] = {
    {"zpopmin", -2, W | F, ZPopMin, 1, 1, 1, "sorted_set",
     "Remove and return the members with the lowest scores"},
    {"zpopmax", -2, W | F, ZPopMax, 1, 1, 1, "sorted_set",
     "Remove and return the members with the highest scores"},
    {"zmpop", -4, W, ZMPop, 0, 0, 0, "sorted_set",
     "Pop members from the first non-empty sorted set"},
    {"zrandmember", -2, R, ZRandMember, 1, 1, 1, "sorted_set",
     "Random members"},
    {"zscan", -3, R, ZScan, 1, 1, 1, "sorted_set",
     "Iterate over members and scores"},
};

}  // namespace

std::span<const CommandSpec> ZSetPopCommands() { return kCommands; }

}  // namespace shale::server
