#include "server/http/http_response.h"

#include <nlohmann/json.hpp>

namespace shale::server {

HttpResponse HttpResponse::Error(int status, std::string_view code,
                                 std::string_view message) {
  nlohmann::json j;
  j["error"]["code"] = code;
  j["error"]["message"] = message;
  HttpResponse r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.body += "\n";
  return r;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.body += "\n";
  return r;
}

const char* StatusText(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
  }
  return "Unknown";
}

void SerializeResponse(const HttpResponse& r, bool head, bool close,
                       std::string* out) {
  out->append("HTTP/1.1 " + std::to_string(r.status) + " " +
              StatusText(r.status) + "\r\n");
  out->append("Server: shale\r\n");
  if (!r.content_type.empty()) {
    out->append("Content-Type: " + r.content_type + "\r\n");
  }
  out->append("Content-Length: " + std::to_string(r.body.size()) + "\r\n");
  for (auto& [k, v] : r.headers) out->append(k + ": " + v + "\r\n");
  if (close) out->append("Connection: close\r\n");
  out->append("\r\n");
  if (!head) out->append(r.body);
}

}  // namespace shale::server
