#include "server/http/http_framing.h"

namespace shale::server {
namespace http = boost::beast::http;
namespace {

FramingError Bad(int status, std::string code, std::string message) {
  return FramingError{status, std::move(code), std::move(message)};
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The characters of uri-host [":" port] (RFC 3986 3.2.2: unreserved,
// pct-encoded, sub-delims, and the brackets of an IP literal). Empty is
// allowed (RFC 9112 3.2).
bool ValidHost(std::string_view h) {
  for (char c : h) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9');
    if (!ok) {
      switch (c) {
        case '-':
        case '.':
        case '_':
        case '~':
        case '%':
        case '!':
        case '$':
        case '&':
        case '\'':
        case '(':
        case ')':
        case '*':
        case '+':
        case ',':
        case ';':
        case '=':
        case ':':
        case '[':
        case ']':
          ok = true;
          break;
        default:
          break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

FramingError TargetTooLong(size_t max_target) {
  return Bad(414, "uri_too_long",
             "the request target is longer than " + std::to_string(max_target) +
                 " bytes (http_max_uri_bytes)");
}

}  // namespace

FramingError CheckFraming(const http::request_header<>& header,
                          size_t max_target) {
  if (header.target().size() > max_target) return TargetTooLong(max_target);
  int te = 0, cl = 0, host = 0;
  std::string_view te_value, host_value;
  for (const auto& f : header) {
    switch (f.name()) {
      case http::field::transfer_encoding:
        te++;
        te_value = f.value();
        break;
      case http::field::content_length:
        cl++;
        break;
      case http::field::host:
        host++;
        host_value = f.value();
        break;
      default:
        break;
    }
  }
  const bool http11 = header.version() == 11;
  if (te > 0) {
    if (!http11) {
      return Bad(400, "bad_framing",
                 "Transfer-Encoding in an HTTP/1.0 request");
    }
    if (te > 1 || !EqualsNoCase(TrimOws(te_value), "chunked")) {
      return Bad(400, "bad_framing",
                 "unsupported Transfer-Encoding: only a single \"chunked\" is "
                 "accepted");
    }
    if (cl > 0) {
      return Bad(400, "bad_framing",
                 "both Content-Length and Transfer-Encoding");
    }
  }
  if (host > 1) return Bad(400, "bad_host", "more than one Host field");
  if (host == 0 && http11) {
    return Bad(400, "bad_host", "HTTP/1.1 request without Host");
  }
  if (host == 1 && !ValidHost(host_value)) {
    return Bad(400, "bad_host", "invalid Host value");
  }
  return FramingError{};
}

FramingError CheckRequestLine(std::string_view bytes, size_t max_target) {
  // request-line = method SP request-target SP HTTP-version CRLF; the
  // method is short, so look for its SP only near the front.
  size_t sp = bytes.substr(0, 64).find(' ');
  if (sp == std::string_view::npos) return FramingError{};
  // Only max_target + 1 bytes are looked at: an unfinished target is too
  // long as soon as that many have no end.
  std::string_view rest = bytes.substr(sp + 1, max_target + 1);
  size_t end = rest.find_first_of(" \r\n");
  size_t target = end == std::string_view::npos ? rest.size() : end;
  if (target > max_target) return TargetTooLong(max_target);
  return FramingError{};
}

}  // namespace shale::server
