// HttpResponse: what a route handler produces; Serialize writes it as
// HTTP/1.1 text.
#ifndef SHALE_SERVER_HTTP_HTTP_RESPONSE_H_
#define SHALE_SERVER_HTTP_HTTP_RESPONSE_H_

#include <string>
#include <utility>
#include <vector>

namespace shale::server {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // A JSON error body: {"error":{"code":code,"message":message}}.
  static HttpResponse Error(int status, std::string_view code,
                            std::string_view message);
  static HttpResponse Json(int status, std::string body);
};

// Appends the response to *out. head: omit the body (HEAD requests);
// close: add "Connection: close".
void SerializeResponse(const HttpResponse& r, bool head, bool close,
                       std::string* out);

const char* StatusText(int status);

}  // namespace shale::server

#endif  // SHALE_SERVER_HTTP_HTTP_RESPONSE_H_
