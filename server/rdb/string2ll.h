// Redis's string2ll, which the RDB readers and writers share (the rdb
// module stands alone: no server headers): the canonical decimal text of
// an int64. An optional '-', no '+', no blanks, no leading zeros (but "0"
// itself), at most 20 characters, no overflow. A listpack holds such text
// as an integer (lpAppend); a stream node's counts may be such text.
#ifndef SHALE_SERVER_RDB_STRING2LL_H_
#define SHALE_SERVER_RDB_STRING2LL_H_

#include <cstdint>
#include <string_view>

namespace shale::server::rdb {

inline bool String2ll(std::string_view s, int64_t* v) {
  if (s.empty() || s.size() > 20) return false;
  if (s == "0") {
    *v = 0;
    return true;
  }
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size() || s[i] < '1' || s[i] > '9') return false;
  uint64_t u = 0;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    const uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (u > (UINT64_MAX - d) / 10) return false;
    u = u * 10 + d;
  }
  if (s[0] == '-') {
    if (u > uint64_t{1} << 63) return false;
    *v = static_cast<int64_t>(0 - u);
  } else {
    if (u > static_cast<uint64_t>(INT64_MAX)) return false;
    *v = static_cast<int64_t>(u);
  }
  return true;
}

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_STRING2LL_H_
