// Little-endian reads of the RDB compact encodings (listpack, ziplist,
// intset, zipmap, payload footer). REQUIRES: n readable bytes at p.
#ifndef SHALE_SERVER_RDB_LE_BYTES_H_
#define SHALE_SERVER_RDB_LE_BYTES_H_

#include <cstdint>

namespace shale::server::rdb {

inline uint64_t LoadLE(const char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) {
    v = (v << 8) | static_cast<unsigned char>(p[i]);
  }
  return v;
}

// The n-byte two's complement integer at p, sign-extended.
inline int64_t LoadSignedLE(const char* p, int n) {
  const uint64_t v = LoadLE(p, n);
  if (n == 8) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (8 * n - 1);
  return static_cast<int64_t>((v ^ sign) - sign);
}

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_LE_BYTES_H_
