// Request framing checks of RFC 9112 that Boost.Beast's parser leaves to
// its user.
//
// Beast frames a message by its Content-Length or a final "chunked"
// transfer coding, and takes any other Transfer-Encoding as "no body": the
// bytes of the body would then be read as the next request (request
// smuggling). RFC 9112 section 6 says such framing is faulty and the
// connection must be closed, so every request header passes CheckFraming
// before its request runs, and the start of every request passes
// CheckRequestLine while its header is still arriving (for 414 before
// the header limit's 431).
//
// The checks:
//   - Transfer-Encoding: one field line whose value is exactly "chunked"
//     (case-insensitive, optional whitespace); never in HTTP/1.0; never
//     with Content-Length. Anything else is 400 (6.1, 6.3).
//   - Host: exactly one in HTTP/1.1, at most one in HTTP/1.0, made of the
//     characters of a URI authority (3.2). Else 400.
//   - A request target longer than the limit is 414.
// Beast itself answers the rest with an error (400): versions other than
// 1.0 and 1.1, Content-Length values that differ or are not decimal, a
// second "chunked", bad chunk sizes, bare LF line ends, bad field names.
// It replaces an obs-fold (a field line continued after CRLF + space) by
// a space, which RFC 9112 5.2 allows.
// Every failure closes the connection after the error response.
#ifndef SHALE_SERVER_HTTP_HTTP_FRAMING_H_
#define SHALE_SERVER_HTTP_HTTP_FRAMING_H_

#include <boost/beast/http/message.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace shale::server {

struct FramingError {
  int status = 0;    // 0: the framing is fine
  std::string code;  // the JSON error code
  std::string message;

  bool ok() const { return status == 0; }
};

// Checks a parsed request header (the message Beast built so far).
// A target longer than max_target bytes is 414.
FramingError CheckFraming(const boost::beast::http::request_header<>& header,
                          size_t max_target);

// Checks the request line at the front of bytes, which may be incomplete
// (Beast consumes nothing of a header until all of it has arrived): 414
// once the target is known to exceed max_target bytes, else fine.
FramingError CheckRequestLine(std::string_view bytes, size_t max_target);

}  // namespace shale::server

#endif  // SHALE_SERVER_HTTP_HTTP_FRAMING_H_
