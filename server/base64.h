// Standard base64 (RFC 4648, with padding), for binary keys in memcached
// meta commands (flag b) and binary keys/values in the HTTP API's JSON.
#ifndef SHALE_SERVER_BASE64_H_
#define SHALE_SERVER_BASE64_H_

#include <string>
#include <string_view>

namespace shale::server {

std::string Base64Encode(std::string_view in);
// False on a character outside the alphabet or a bad length/padding.
bool Base64Decode(std::string_view in, std::string* out);

}  // namespace shale::server

#endif  // SHALE_SERVER_BASE64_H_
