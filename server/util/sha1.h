// SHA-1 (FIPS 180-4), for the script cache: EVALSHA names a script by the
// lowercase hex SHA-1 of its body, as Redis does, and redis.sha1hex gives
// the same digest to scripts. Not used for anything that needs security.
#ifndef SHALE_SERVER_UTIL_SHA1_H_
#define SHALE_SERVER_UTIL_SHA1_H_

#include <string>
#include <string_view>

namespace shale::server {

// The 40 lowercase hex digits of data's SHA-1.
std::string Sha1Hex(std::string_view data);

}  // namespace shale::server

#endif  // SHALE_SERVER_UTIL_SHA1_H_
