#include "server/util/glob.h"

#include <map>

namespace shale::server {
namespace {

// Redis compares pattern and string bytes as (signed) chars and lowercases
// with the C locale's tolower, which only maps 'A'..'Z'.
int Signed(unsigned char c) { return static_cast<signed char>(c); }
int Lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

using ByteSet = std::array<uint64_t, 4>;

void Add(ByteSet* s, unsigned char c) {
  (*s)[c >> 6] |= uint64_t{1} << (c & 63);
}

// A literal byte (alone or in brackets), as stringmatchlen compares it with
// the string's byte.
void AddLiteral(ByteSet* s, unsigned char p, bool nocase) {
  Add(s, p);
  if (nocase && Lower(p) != p) Add(s, static_cast<unsigned char>(Lower(p)));
  if (nocase && p >= 'a' && p <= 'z')
    Add(s, static_cast<unsigned char>(p - 'a' + 'A'));
}

void AddRange(ByteSet* s, unsigned char from, unsigned char to, bool nocase) {
  int start = Signed(from), end = Signed(to);
  if (start > end) std::swap(start, end);
  if (nocase) {
    start = Lower(start);
    end = Lower(end);
  }
  for (int b = 0; b < 256; b++) {
    int c = Signed(static_cast<unsigned char>(b));
    if (nocase) c = Lower(c);
    if (c >= start && c <= end) Add(s, static_cast<unsigned char>(b));
  }
}

constexpr int kMaxNesting = 1000;  // stringmatchlen's limit

}  // namespace

GlobPattern::GlobPattern(std::string_view p, bool nocase) : pattern_(p) {
  const size_t m = p.size();
  // Past the end Redis reads the pattern's NUL terminator.
  auto at = [&](size_t i) -> unsigned char { return i < m ? p[i] : 0; };
  std::map<ByteSet, uint32_t> ids;
  auto emit = [&](const ByteSet& s) {
    auto [it, fresh] = ids.try_emplace(s, static_cast<uint32_t>(sets_.size()));
    if (fresh) sets_.push_back(s);
    sets_of_.push_back(it->second);
  };
  int star_groups = 0;
  bool ends_with_star = false;
  segments_.push_back({0, 0});
  // Follows stringmatchlen's walk over the pattern, which never depends on
  // the string: only the byte comparisons do.
  size_t i = 0;
  while (i < m) {
    unsigned char c = at(i);
    ends_with_star = false;
    if (c == '*') {
      while (i + 1 < m && p[i + 1] == '*') i++;
      i++;
      star_groups++;
      ends_with_star = true;
      segments_.push_back({static_cast<uint32_t>(sets_of_.size()), 0});
      continue;
    }
    ByteSet set{};
    if (c == '?') {
      set.fill(~uint64_t{0});
    } else if (c == '[') {
      i++;
      bool negate = at(i) == '^';
      if (negate) i++;
      while (true) {
        if (at(i) == '\\' && m - i >= 2) {
          i++;
          AddLiteral(&set, at(i), false);
        } else if (at(i) == ']') {
          break;
        } else if (i >= m) {
          i--;  // an unterminated class ends the pattern
          break;
        } else if (m - i >= 3 && at(i + 1) == '-') {
          AddRange(&set, at(i), at(i + 2), nocase);
          i += 2;
        } else {
          AddLiteral(&set, at(i), nocase);
        }
        i++;
      }
      if (negate) {
        for (auto& w : set) w = ~w;
      }
    } else {
      if (c == '\\' && m - i >= 2) c = at(++i);
      AddLiteral(&set, c, nocase);
    }
    i++;
    emit(set);
    segments_.back().len++;
  }
  min_len_ = sets_of_.size();
  // Redis processes the k-th group of stars at nesting depth k - 1 and gives
  // up on entering depth 1001: only a final star group gets past it.
  never_ = star_groups > kMaxNesting + 1 ||
           (star_groups == kMaxNesting + 1 && !ends_with_star);
}

bool GlobPattern::MatchAt(const Segment& g, std::string_view s,
                          size_t pos) const {
  for (uint32_t t = 0; t < g.len; t++) {
    if (!Accepts(g.begin + t, static_cast<unsigned char>(s[pos + t]))) {
      return false;
    }
  }
  return true;
}

size_t GlobPattern::Find(const Segment& g, std::string_view s, size_t from,
                         size_t limit) const {
  if (limit < from || limit - from < g.len) return std::string_view::npos;
  if (g.len > 64) return FindLong(g, s, from, limit);
  // Shift-and: bit j of d says the segment's first j + 1 sets match the
  // bytes ending at i. Masks are built for the bytes the string has.
  uint64_t mask[256];
  uint64_t built[4] = {0, 0, 0, 0};
  const uint64_t done = uint64_t{1} << (g.len - 1);
  uint64_t d = 0;
  for (size_t i = from; i < limit; i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!((built[c >> 6] >> (c & 63)) & 1)) {
      uint64_t m = 0;
      for (uint32_t t = 0; t < g.len; t++) {
        if (Accepts(g.begin + t, c)) m |= uint64_t{1} << t;
      }
      mask[c] = m;
      built[c >> 6] |= uint64_t{1} << (c & 63);
    }
    d = ((d << 1) | 1) & mask[c];
    if (d & done) return i + 1 - g.len;
  }
  return std::string_view::npos;
}

size_t GlobPattern::FindLong(const Segment& g, std::string_view s, size_t from,
                             size_t limit) const {
  const size_t words = (g.len + 63) / 64;
  std::array<int, 256> slot;
  slot.fill(-1);
  std::vector<uint64_t> masks;  // words per byte value seen
  std::vector<uint64_t> d(words, 0);
  const size_t last_word = (g.len - 1) / 64;
  const uint64_t done = uint64_t{1} << ((g.len - 1) % 64);
  for (size_t i = from; i < limit; i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (slot[c] < 0) {
      slot[c] = static_cast<int>(masks.size() / words);
      masks.resize(masks.size() + words, 0);
      uint64_t* m = &masks[masks.size() - words];
      for (uint32_t t = 0; t < g.len; t++) {
        if (Accepts(g.begin + t, c)) m[t / 64] |= uint64_t{1} << (t % 64);
      }
    }
    const uint64_t* m = &masks[static_cast<size_t>(slot[c]) * words];
    for (size_t w = words; w-- > 0;) {
      uint64_t carry = w > 0 ? d[w - 1] >> 63 : 1;
      d[w] = ((d[w] << 1) | carry) & m[w];
    }
    if (d[last_word] & done) return i + 1 - g.len;
  }
  return std::string_view::npos;
}

bool GlobPattern::Match(std::string_view s) const {
  if (s.empty()) return pattern_.empty();
  if (never_ || s.size() < min_len_) return false;
  const size_t n = s.size();
  const Segment& first = segments_.front();
  if (segments_.size() == 1) return n == first.len && MatchAt(first, s, 0);
  const Segment& last = segments_.back();
  if (!MatchAt(first, s, 0) || !MatchAt(last, s, n - last.len)) return false;
  // Each middle segment at its leftmost place after the previous one: any
  // match could move its segments there.
  size_t pos = first.len, limit = n - last.len;
  for (size_t k = 1; k + 1 < segments_.size(); k++) {
    size_t at = Find(segments_[k], s, pos, limit);
    if (at == std::string_view::npos) return false;
    pos = at + segments_[k].len;
  }
  return true;
}

bool GlobMatch(std::string_view pattern, std::string_view s, bool nocase) {
  return GlobPattern(pattern, nocase).Match(s);
}

}  // namespace shale::server
