#include "server/util/glob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

namespace shale::server {
namespace {

// The reference: Redis's backtracking walk, step by step (recursion at each
// star, a nesting limit of 1000, the NUL terminator read past the end), on
// small inputs only. GlobPattern must agree with it on every input.
class Reference {
 public:
  Reference(std::string_view p, bool nocase) : p_(p), nocase_(nocase) {}

  bool Match(std::string_view s) const { return Walk(0, s, 0, 0); }

 private:
  int P(size_t i) const {
    return i < p_.size() ? static_cast<signed char>(p_[i]) : 0;
  }
  static int Low(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
  bool Same(int a, int b) const { return nocase_ ? Low(a) == Low(b) : a == b; }

  bool Walk(size_t pi, std::string_view str, size_t si, int nesting) const {
    if (nesting > 1000) return false;
    auto plen = [&] {
      return static_cast<long>(p_.size()) - static_cast<long>(pi);
    };
    auto S = [&](size_t i) {
      return static_cast<int>(static_cast<signed char>(str[i]));
    };
    while (plen() > 0 && si < str.size()) {
      int c = P(pi);
      if (c == '*') {
        while (plen() > 0 && P(pi + 1) == '*') pi++;
        if (plen() == 1) return true;
        for (; si < str.size(); si++) {
          if (Walk(pi + 1, str, si, nesting + 1)) return true;
        }
        return false;
      } else if (c == '?') {
        si++;
      } else if (c == '[') {
        pi++;
        bool negate = P(pi) == '^';
        if (negate) pi++;
        bool match = false;
        while (true) {
          if (P(pi) == '\\' && plen() >= 2) {
            pi++;
            if (P(pi) == S(si)) match = true;
          } else if (P(pi) == ']') {
            break;
          } else if (plen() == 0) {
            pi--;
            break;
          } else if (plen() >= 3 && P(pi + 1) == '-') {
            int a = P(pi), b = P(pi + 2), x = S(si);
            if (a > b) std::swap(a, b);
            if (nocase_) {
              a = Low(a);
              b = Low(b);
              x = Low(x);
            }
            pi += 2;
            if (x >= a && x <= b) match = true;
          } else if (Same(P(pi), S(si))) {
            match = true;
          }
          pi++;
        }
        if (negate) match = !match;
        if (!match) return false;
        si++;
      } else {
        if (c == '\\' && plen() >= 2) c = P(++pi);
        if (!Same(c, S(si))) return false;
        si++;
      }
      pi++;
      if (si == str.size()) {
        while (P(pi) == '*') pi++;
        break;
      }
    }
    return plen() == 0 && si == str.size();
  }

  std::string p_;
  bool nocase_;
};

TEST(GlobTest, RedisCases) {
  struct Case {
    const char* p;
    const char* s;
    bool match;
  } cases[] = {
      {"*", "abc", true},
      {"*", "", false},
      {"", "", true},
      {"a*", "a", true},
      {"a*c", "abbbc", true},
      {"a*c", "abbb", false},
      {"h?llo", "hallo", true},
      {"h?llo", "hllo", false},
      {"h[ae]llo", "hello", true},
      {"h[^e]llo", "hello", false},
      {"h[a-b]llo", "hbllo", true},
      {"h[b-a]llo", "hallo", true},  // reversed range
      {"\\*", "*", true},
      {"\\*", "a", false},
      {"a\\", "a\\", true},
      {"[\\", "\\", true},
      {"[", "[", false},
      {"[^", "x", true},
      {"[abc", "b", true},
      {"[a-]x", "]x", false},
      {"[a-]x", "]", true},
      {"*a*a*b", "aaaaaaaaab", true},
      {"*a*a*b", "aaaaaaaaaa", false},
      {"**a**", "xax", true},
      {"[\\]]", "]", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(GlobPattern(c.p).Match(c.s), c.match) << c.p << " vs " << c.s;
    EXPECT_EQ(Reference(c.p, false).Match(c.s), c.match)
        << "reference: " << c.p << " vs " << c.s;
  }
  EXPECT_TRUE(GlobMatch("HELLO*", "hello world", true));
  EXPECT_FALSE(GlobMatch("HELLO*", "hello world", false));
  EXPECT_TRUE(GlobMatch("[A-C]x", "bx", true));
}

TEST(GlobTest, NestingLimit) {
  std::string s(3000, 'a');
  std::string p;
  for (int i = 0; i < 1000; i++) p += "*a";
  EXPECT_TRUE(GlobPattern(p).Match(s));        // 1000 star groups
  EXPECT_TRUE(GlobPattern(p + "*").Match(s));  // the 1001st ends it
  EXPECT_FALSE(GlobPattern(p + "*a").Match(s));
  EXPECT_FALSE(GlobPattern(p + "*a*").Match(s));
}

TEST(GlobTest, AgreesWithReferenceRandomized) {
  uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const char alphabet[] = {'a', 'b', 'A',  '*', '?',    '[',    ']',
                           '^', '-', '\\', 'z', '\xe9', '\x80', '\0'};
  auto pick = [&](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  for (int iter = 0; iter < 200000; iter++) {
    std::string p, s;
    size_t plen = pick(12), slen = pick(10);
    for (size_t i = 0; i < plen; i++) p += alphabet[pick(sizeof(alphabet))];
    for (size_t i = 0; i < slen; i++) s += alphabet[pick(sizeof(alphabet))];
    bool nocase = pick(4) == 0;
    ASSERT_EQ(GlobPattern(p, nocase).Match(s), Reference(p, nocase).Match(s))
        << "pattern '" << p << "' string '" << s << "' nocase " << nocase;
  }
}

// Long middle segments take the multi-word search: check it against the
// reference on strings where the backtracking is still affordable.
TEST(GlobTest, LongSegmentsAgreeWithReference) {
  uint32_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (int iter = 0; iter < 300; iter++) {
    std::string s;
    size_t seg = 60 + rng() % 90;
    size_t n = seg + 1 + rng() % 300;
    for (size_t i = 0; i < n; i++) s += "ab"[rng() % 2];
    std::string p = "*";
    size_t at = rng() % (n - seg);
    for (size_t i = 0; i < seg; i++) {
      p += rng() % 5 == 0 ? std::string("?") : std::string(1, s[at + i]);
    }
    if (rng() % 3 == 0) p[1 + rng() % seg] = 'c';  // usually no match then
    p += "*";
    ASSERT_EQ(GlobPattern(p).Match(s), Reference(p, false).Match(s))
        << "pattern '" << p << "' string '" << s << "'";
  }
}

double MillisToMatch(const std::string& p, const std::string& s, bool* match) {
  auto start = std::chrono::steady_clock::now();
  *match = GlobPattern(p).Match(s);
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

// Issue 25's attack (2-4 s per key in the backtracking matcher) and the
// middle-segment variant that an anchored suffix check would not catch.
TEST(GlobTest, PathologicalPatternsCostMilliseconds) {
  std::string key(64 << 10, 'a');
  std::string classes;
  for (int i = 0; i < 40000; i++) classes += "[a-b]";
  bool match = true;
  double ms = MillisToMatch("*" + classes + "c", key, &match);
  EXPECT_FALSE(match);
  EXPECT_LT(ms, 500) << "anchored suffix";
  std::string mid;
  for (int i = 0; i < 8000; i++) mid += "[a-b]";
  ms = MillisToMatch("*" + mid + "c*", key, &match);
  EXPECT_FALSE(match);
  EXPECT_LT(ms, 500) << "middle segment";
  std::string stars;
  for (int i = 0; i < 900; i++) stars += "*a";
  ms = MillisToMatch(stars + "*b", key, &match);
  EXPECT_FALSE(match);
  EXPECT_LT(ms, 500) << "many stars";
}

}  // namespace
}  // namespace shale::server
