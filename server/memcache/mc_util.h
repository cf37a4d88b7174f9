// Helpers shared by the memcached session's classic and meta commands.
#ifndef SHALE_SERVER_MEMCACHE_MC_UTIL_H_
#define SHALE_SERVER_MEMCACHE_MC_UTIL_H_

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/keyspace/keyspace.h"
#include "server/protocol/memcache/mc_numbers.h"

namespace shale::server::mc {

inline constexpr size_t kMaxKey = 250;  // memcached's KEY_MAX_LENGTH
inline constexpr int64_t kRelativeLimit = 60 * 60 * 24 * 30;  // 30 days, s
inline constexpr const char* kBadFormat =
    "CLIENT_ERROR bad command line format";
inline constexpr const char* kNonNumeric =
    "CLIENT_ERROR cannot increment or decrement non-numeric value";

// A key that holds a Redis collection (hash, set ...) is no memcached
// item: every command on it is refused with this error and leaves it
// untouched (docs/protocols.md, "memcached").
inline bool IsCollection(const Status& s, const Entry& e) {
  return s.ok() && e.meta().type != KeyType::kString;
}
inline std::string CollectionError(const Entry& e) {
  return std::string("CLIENT_ERROR key holds a Redis ") +
         TypeName(e.meta().type) + ", not a memcached item";
}

template <typename T>
inline bool ParseNum(std::string_view s, T* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

// memcached exptime -> absolute Unix ms; 0: never. The number is read as
// memcached 1.6 reads it (McParseI32: 64-bit, then its low 32 bits as a
// signed number), then: 0 never, negative already expired, up to 30 days
// relative seconds, beyond that a Unix time. An expired time gives 1 (a
// moment in the past), so that Keyspace::Put deletes instead of storing.
inline bool ParseExptime(std::string_view s, uint64_t* at) {
  int32_t t;
  if (!McParseI32(s, &t)) return false;
  if (t == 0) {
    *at = 0;
  } else if (t < 0) {
    *at = 1;
  } else if (t <= kRelativeLimit) {
    *at = Keyspace::NowMs() + static_cast<uint64_t>(t) * 1000;
  } else {
    *at = static_cast<uint64_t>(t) * 1000;
    if (*at <= Keyspace::NowMs()) *at = 1;
  }
  return true;
}

// Client flags as memcached 1.6 reads them (McParseU32).
inline bool ParseFlags(std::string_view s, uint32_t* flags) {
  return McParseU32(s, flags);
}

// A value as memcached's incr sees it: decimal digits, maybe followed by
// spaces (memcached pads in place).
inline bool ParseCounter(std::string_view v, uint64_t* n) {
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty() || v.size() > 20) return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  return ParseNum(v, n);
}

inline int64_t TtlSeconds(const ValueMeta& m) {
  if (m.expire_at_ms == 0) return -1;
  uint64_t now = Keyspace::NowMs();
  return m.expire_at_ms > now
             ? static_cast<int64_t>((m.expire_at_ms - now + 999) / 1000)
             : 0;
}

}  // namespace shale::server::mc

#endif  // SHALE_SERVER_MEMCACHE_MC_UTIL_H_
