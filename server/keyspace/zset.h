// ZSet: a sorted set's two entries per member (docs/format/server_keys.md
// §4.3) over a Collection of KeyType::kZSet, written and deleted together:
//   by member  kind 0x03 member       -> score (IEEE bits, big-endian)
//   by score   kind 0x04 score member -> empty (order-preserving score)
// ZSCORE and updates read the first; ranges by score, rank and (for equal
// scores) member walk the second, either way (ElementIterator).
//
// The metadata keeps bounds of the live members' ordered scores
// (ValueMeta::zset_low/high, format doc §3): Put widens them, and Tighten
// (after removals) moves them to the first and last live entries, so that
// SeekFirst/SeekLast start past the deleted entries pops leave at either
// end (an LSM keeps them until compaction: without the bounds, each
// ZPOPMIN would step over every member popped before it).
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_KEYSPACE_ZSET_H_
#define SHALE_SERVER_KEYSPACE_ZSET_H_

#include <memory>
#include <string>
#include <string_view>

#include "server/keyspace/collection.h"

namespace shale::server {

class ZSet {
 public:
  // z: opened with KeyType::kZSet. Not owned.
  explicit ZSet(Collection* z) : z_(z) {}

  Collection* coll() const { return z_; }

  // member's score; NotFound if it is not a member (or the set is absent).
  Status Score(std::string_view member, double* score);
  // Adds member with score (REQUIRES: not NaN), or moves it from old_score
  // (REQUIRES: its current score, had_old: it is a member): both entries,
  // and the count for a new member. -0 is stored as +0 (what Redis 7.0's
  // listpack keeps: docs/protocols.md).
  void Put(std::string_view member, double score, bool had_old,
           double old_score);
  // Removes member, whose score is score (REQUIRES: a member).
  void Remove(std::string_view member, double score);
  // After removals (Remove, or Put moving a member): moves a bound that a
  // removed entry sat on to the first (last) live entry. Skipping it
  // leaves the bounds valid, only looser.
  Status Tighten();

  // Positions a score iterator at the first (last) member, starting at the
  // bound when it is known.
  void SeekFirst(ElementIterator* it);
  void SeekLast(ElementIterator* it);
  // The score-index sub-key of the lower bound, and the first one past the
  // upper bound ("" when unknown). The bounds name members too (format doc
  // §3), so the walks start at the first (last) live entry even when every
  // member has one score, past the entries that pops deleted.
  std::string LowSub() const;
  std::string HighSubAfter() const;

  // The members in score order (then member bytes): the entries of kind
  // 0x04, whose sub-keys ParseScoreSub reads.
  std::unique_ptr<ElementIterator> NewScoreIterator() {
    return z_->NewIterator(KeyKind::kZSetScore);
  }

 private:
  // A new score-index entry (b: its ordered score): widens the bounds to
  // take it in (first: the set's only member, the bounds are its own).
  void WidenBounds(uint64_t b, std::string_view member, bool first);
  // A removed entry sat on a bound's score.
  void NoteRemoved(double score);

  Collection* const z_;
  std::string buf_;
  bool low_stale_ = false, high_stale_ = false;
};

// The score index's sub-key: ordered score, then member.
void AppendScoreSub(std::string* out, double score, std::string_view member);
// False if sub is shorter than a score.
bool ParseScoreSub(std::string_view sub, double* score,
                   std::string_view* member);
// The first score-index sub-key after every entry of score (for exclusive
// lower bounds, and inclusive upper ones walking back).
std::string ScoreSubAfter(double score);
// A member entry's value: the score's IEEE bits, big-endian.
void EncodeScoreValue(std::string* out, double score);
bool DecodeScoreValue(std::string_view v, double* score);

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_ZSET_H_
