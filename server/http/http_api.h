// The HTTP/JSON API's routes, over a parsed request. Independent of the
// parser and the socket: a request in, a response out.
//
// Binary safety: keys in paths and query strings are percent-decoded bytes.
// In JSON, a key or value that is valid UTF-8 is a string under "key" /
// "value"; any other is base64 under "key_b64" / "value_b64" (always base64
// with ?encoding=base64). Batch requests accept either form.
#ifndef SHALE_SERVER_HTTP_HTTP_API_H_
#define SHALE_SERVER_HTTP_HTTP_API_H_

#include <map>
#include <string>

#include "server/http/http_response.h"
#include "server/server_state.h"

namespace shale::server {

struct HttpRequest {
  std::string method;                          // "GET", "PUT", ...
  std::string path;                            // still percent-encoded
  std::string query;                           // after '?', encoded
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

HttpResponse HandleHttp(ServerState* server, const HttpRequest& req);

// Percent-decoding; plus_is_space for query strings. False on a bad escape.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);
bool IsValidUtf8(std::string_view s);

}  // namespace shale::server

#endif  // SHALE_SERVER_HTTP_HTTP_API_H_
