// What the sorted-set commands (cmd_zset*.cc) share: Redis 7.0's score
// parsing and formatting, score and lex ranges, walks of the score index
// (keyspace/zset.h) by rank, score and member, the replies of members with
// scores, and OBJECT ENCODING's listpack/skiplist rule.
//
// Walks never load the set: they step the score index from the nearer end
// and hand each member in range to the caller.
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_REDIS_ZSET_CMD_H_
#define SHALE_SERVER_REDIS_ZSET_CMD_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/keyspace/zset.h"
#include "server/redis/collection_cmd.h"

namespace shale::server {

// --- scores ------------------------------------------------------------------

// Redis's getDoubleFromObject: strtod of the whole argument ("inf",
// "-inf", "+inf", hex ...), no leading blank, no NaN, no overflow and no
// underflow to zero.
bool ParseScore(std::string_view s, double* d);
// Redis 7.0's addReplyDouble: %.17g ("inf", "-inf"), a RESP3 double or a
// RESP2 bulk string.
void ReplyScore(RespWriter* w, double d);
// The score as ZSCAN writes it (%.17g).
std::string ScoreText(double d);

// A member with its score.
struct Scored {
  std::string member;
  double score;
};
// Replies members (with their scores if with_scores: RESP2 a flat array,
// RESP3 an array of [member, score] pairs), as ZRANGE does.
void ReplyScored(RespWriter* w, const std::vector<Scored>& items,
                 bool with_scores);

// --- ranges ------------------------------------------------------------------

// ZRANGEBYSCORE's min max: "(" for exclusive, strtod of the rest (as C
// strings: "" is 0). False: "ERR min or max is not a float".
struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
  bool Empty() const { return min > max || (min == max && (minex || maxex)); }
  bool GteMin(double v) const { return minex ? v > min : v >= min; }
  bool LteMax(double v) const { return maxex ? v < max : v <= max; }
};
bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* r);
inline constexpr const char* kErrScoreRange = "ERR min or max is not a float";

// ZRANGEBYLEX's min max: "-", "+", "(member" or "[member". False: "ERR min
// or max not valid string range item".
struct LexBound {
  enum Kind { kMinusInf, kValue, kPlusInf } kind = kValue;
  std::string value;
  bool ex = false;
};
struct LexRange {
  LexBound min, max;
  bool Empty() const;
  bool GteMin(std::string_view m) const;
  bool LteMax(std::string_view m) const;
};
bool ParseLexRange(std::string_view min, std::string_view max, LexRange* r);
inline constexpr const char* kErrLexRange =
    "ERR min or max not valid string range item";

// Called with each member in range; false stops the walk.
using ScoredSink = std::function<bool(std::string_view member, double score)>;

// Members with ranks [start, end] (0-based, REQUIRES: start <= end <
// count), from the lowest score (the highest if reverse), into *out in
// that order. Walks from the nearer end of the index (a step back counted
// as 7 forward, what the engine costs): O(min(start, 7 (count - end)))
// steps.
Status RankRange(ZSet* z, uint64_t start, uint64_t end, bool reverse,
                 std::vector<Scored>* out);
// Members with scores in r, ascending (descending if reverse), skipping
// offset of them (offset < 0: all), up to limit (< 0: no limit).
Status ScoreWalk(ZSet* z, const ScoreRange& r, bool reverse, int64_t offset,
                 int64_t limit, const ScoredSink& sink);
// Members in lex range r, as Redis 7.0 walks a listpack: in score order,
// from the first member >= min (the last <= max if reverse) while in range.
// For a set whose scores are all equal (the use it is meant for) this
// seeks straight to min in the index.
Status LexWalk(ZSet* z, const LexRange& r, bool reverse, int64_t offset,
               int64_t limit, const ScoredSink& sink);
// The member's rank from the lowest score; NotFound if absent. Walks the
// index from both ends at once (7 steps forward for each step back, what
// they cost): O(min(rank, n - rank)).
Status MemberRank(ZSet* z, std::string_view member, uint64_t* rank);

// --- opening and encoding ------------------------------------------------

// Opens key as a sorted set for a write (OpenColl) / a read (OpenCollRead).
inline bool OpenZ(CommandContext& ctx, Collection* c, std::string_view key) {
  return OpenColl(ctx, c, key);
}
inline bool OpenZRead(CommandContext& ctx, Collection* c,
                      std::string_view key) {
  return OpenCollRead(ctx, c, key);
}

// After member was added (not updated): more members than
// zset-max-listpack-entries, or a member longer than
// zset-max-listpack-value bytes, leaves listpack for skiplist, as Redis
// 7.0's zsetAdd converts.
void NoteZSetAdd(CommandContext& ctx, Collection* z, std::string_view member);
// A *STORE destination of count members, the longest max_len bytes: what
// Redis's zsetConvertToListpackIfNeeded decides.
void NoteZSetStore(CommandContext& ctx, Collection* z, size_t max_len);

// A *STORE command's destination (ZRANGESTORE ZUNIONSTORE ZINTERSTORE
// ZDIFFSTORE): a new incarnation of key as a sorted set, replacing whatever
// it held (Redis's setKey), written member by member as the result is
// computed; an empty result deletes the key (dbDelete).
class ZStore {
 public:
  ZStore(CommandContext& ctx, std::string_view key)
      : ctx_(ctx), key_(key), c_(ctx.ks(), KeyType::kZSet), z_(&c_) {}
  // Opens the key; false with the reply written on an engine error.
  bool Begin();
  // Adds a member new to the result.
  void Add(std::string_view member, double score);
  // Writes the metadata (encoding by Redis's rule), records event (or
  // "del" if an existing key was emptied) and replies the count.
  void Finish(const char* event);

 private:
  CommandContext& ctx_;
  const std::string key_;
  Collection c_;
  ZSet z_;
  uint64_t n_ = 0;
  size_t max_len_ = 0;
};

// ZMPOP's arguments from `first` (numkeys) on, as Redis 7.0 checks them
// (ZMPOP and BZMPOP): the keys (views of a), MIN/MAX, the count (1 if
// absent). False with the error written.
struct ZMPopArgs {
  std::span<const std::string> keys;
  bool max = false;
  int64_t count = 1;
};
bool ParseZMPop(CommandContext& ctx, const Args& a, size_t first, ZMPopArgs* m);

// The pops' reply forms: ZPOPMIN's flat array, ZMPOP's [key, [[m, s] ...]],
// BZPOPMIN's [key, member, score].
enum class ZPopForm { kPlain, kNestedKey, kFlatKey };
// Pops count members (count < 0: one, ZPOPMIN without a count) of the
// first existing sorted set of keys, with the pop's events; replies in
// form (nil array / empty array if none exists). cmd_zset_pop.cc.
void ZPopKeys(CommandContext& ctx, std::span<const std::string> keys, bool max,
              ZPopForm form, int64_t count);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_ZSET_CMD_H_
