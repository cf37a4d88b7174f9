// memcached's number parsing, byte for byte (its util.c safe_strtoul and
// safe_strtol, as in Debian's memcached 1.6.18), for the fields whose
// odd inputs clients do send: exptime, flags and the length of the
// authentication `set`.
//
// Both read like C's strtoul/strtol in base 10 (leading white space, an
// optional sign, at least one digit), fail on overflow of 64 bits or on a
// byte after the digits that is not white space, and then keep the low 32
// bits: an exptime of 4294967301 is 5 (five seconds from now), 2147483648
// is -2147483648 (already expired). memcached itself behaves so; tests
// compare against it (tests/server/test_memcache_expiry.py).
#ifndef SHALE_SERVER_PROTOCOL_MEMCACHE_MC_NUMBERS_H_
#define SHALE_SERVER_PROTOCOL_MEMCACHE_MC_NUMBERS_H_

#include <cstdint>
#include <string_view>

namespace shale::server {

namespace mc_detail {

inline bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
         c == '\r';
}

// strtoul/strtol's scan: *magnitude gets the digits' value; false if there
// is no digit, the value exceeds limit, or a non-space byte follows.
inline bool Scan(std::string_view s, uint64_t limit_pos, uint64_t limit_neg,
                 bool* negative, uint64_t* magnitude) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) i++;
  *negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    *negative = s[i] == '-';
    i++;
  }
  const uint64_t limit = *negative ? limit_neg : limit_pos;
  size_t digits = 0;
  uint64_t v = 0;
  bool overflow = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (limit - d) / 10) overflow = true;
    if (!overflow) v = v * 10 + d;
  }
  if (digits == 0 || overflow) return false;
  if (i < s.size() && !IsSpace(s[i])) return false;
  *magnitude = v;
  return true;
}

}  // namespace mc_detail

// safe_strtoul: unsigned, a negative input accepted only when its 64-bit
// two's complement is positive as a signed number ("-0", or absurdly long
// negatives), then truncated to 32 bits.
inline bool McParseU32(std::string_view s, uint32_t* out) {
  bool neg;
  uint64_t m;
  if (!mc_detail::Scan(s, UINT64_MAX, UINT64_MAX, &neg, &m)) return false;
  uint64_t l = neg ? 0 - m : m;
  if (static_cast<int64_t>(l) < 0 && neg) return false;
  *out = static_cast<uint32_t>(l);
  return true;
}

// safe_strtol: signed 64-bit, then truncated to 32 bits.
inline bool McParseI32(std::string_view s, int32_t* out) {
  bool neg;
  uint64_t m;
  const uint64_t max = static_cast<uint64_t>(INT64_MAX);
  if (!mc_detail::Scan(s, max, max + 1, &neg, &m)) return false;
  uint64_t l = neg ? 0 - m : m;
  *out = static_cast<int32_t>(static_cast<uint32_t>(l));
  return true;
}

}  // namespace shale::server

#endif  // SHALE_SERVER_PROTOCOL_MEMCACHE_MC_NUMBERS_H_
