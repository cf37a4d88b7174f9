// Glob patterns as Redis matches them: KEYS, SCAN MATCH, PSUBSCRIBE,
// CONFIG GET, CLIENT KILL ... every caller in the server uses this one.
//
// Semantics: exactly Redis 7.0's stringmatchlen (util.c), including its
// quirks, which clients can observe:
//   * `*` any run of bytes, `?` one byte, `[abc]` `[a-z]` `[^...]` a set of
//     bytes, `\x` the byte x (also inside brackets). Ranges may be reversed
//     (`[z-a]`) and compare bytes as signed chars (so `[a-\xff]` is the
//     range -1..'a'); an unterminated `[abc` is a set to the end of the
//     pattern; `[a-]` is the range from 'a' to ']' and the class goes on.
//   * With nocase, literal bytes and ranges compare lowercased (ASCII only);
//     an escaped byte inside brackets compares exactly.
//   * The empty string matches only the empty pattern (`*` does not match
//     ""): Redis never enters its loop for an empty string. KEYS and SCAN
//     special-case the pattern "*" before matching; callers that want to
//     behave as Redis must do the same.
//   * Redis gives up past 1000 nested stars: a pattern with more than 1000
//     groups of stars never matches, unless its 1001st group ends it.
//
// Cost: Redis backtracks, so a pattern of m bytes costs up to m * n per
// string of n bytes (seconds for `*[a-b][a-b]...c` against a 64 KiB key).
// Here a pattern compiles once into single-byte sets separated by stars;
// a match checks the first and last segment in place and finds each middle
// segment at its leftmost position (enough for globs: a later position
// never helps) with a bit-parallel search, so a match costs
// O(n * ceil(L / 64)) for the longest middle segment L, and a pattern
// needing more bytes than the string has fails at once. Memory: the
// compiled pattern is 4 bytes per pattern byte plus 32 bytes per distinct
// byte set; a search of a middle segment longer than 64 sets allocates
// 8 * ceil(L / 64) bytes per distinct string byte, for that call.
//
// Thread safety: a GlobPattern is immutable after construction; Match may
// be called from any number of threads at once.
#ifndef SHALE_SERVER_UTIL_GLOB_H_
#define SHALE_SERVER_UTIL_GLOB_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shale::server {

class GlobPattern {
 public:
  explicit GlobPattern(std::string_view pattern, bool nocase = false);

  bool Match(std::string_view s) const;

  // The pattern as given.
  const std::string& pattern() const { return pattern_; }

 private:
  using ByteSet = std::array<uint64_t, 4>;

  // A run of single-byte sets between two stars (or an end).
  struct Segment {
    uint32_t begin;  // into sets_of_
    uint32_t len;
  };

  bool Accepts(uint32_t token, unsigned char c) const {
    const ByteSet& s = sets_[sets_of_[token]];
    return (s[c >> 6] >> (c & 63)) & 1;
  }
  // True if segment g matches s at offset pos (pos + len <= s.size()).
  bool MatchAt(const Segment& g, std::string_view s, size_t pos) const;
  // The leftmost offset >= from at which g matches within s[0, limit), or
  // npos.
  size_t Find(const Segment& g, std::string_view s, size_t from,
              size_t limit) const;
  size_t FindLong(const Segment& g, std::string_view s, size_t from,
                  size_t limit) const;

  std::string pattern_;
  std::vector<ByteSet> sets_;      // distinct byte sets
  std::vector<uint32_t> sets_of_;  // each token's set, in pattern order
  // Tokens split at the stars: segments_[0] before the first star, the last
  // one after the last star (either may be empty); one segment: no star.
  std::vector<Segment> segments_;
  size_t min_len_ = 0;  // bytes a matching string needs (tokens)
  bool never_ = false;  // the nesting limit makes every match fail
};

// One-shot form, for a pattern used once.
bool GlobMatch(std::string_view pattern, std::string_view s,
               bool nocase = false);

}  // namespace shale::server

#endif  // SHALE_SERVER_UTIL_GLOB_H_
