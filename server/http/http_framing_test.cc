#include "server/http/http_framing.h"

#include <gtest/gtest.h>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace shale::server {
namespace {

namespace http = boost::beast::http;

// Parses a request header with Beast, then checks its framing; -1 if
// Beast itself rejects the bytes.
int Status(std::string_view text, size_t max_target = 64) {
  http::request_parser<http::string_body> p;
  p.eager(false);
  boost::beast::error_code ec;
  p.put(boost::asio::buffer(text.data(), text.size()), ec);
  if (ec && ec != http::error::need_more) return -1;
  if (!p.is_header_done()) return -2;
  return CheckFraming(p.get().base(), max_target).status;
}

TEST(HttpFraming, TransferEncoding) {
  EXPECT_EQ(0, Status("PUT / HTTP/1.1\r\nHost: a\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n"));
  EXPECT_EQ(0, Status("PUT / HTTP/1.1\r\nHost: a\r\n"
                      "Transfer-Encoding: ChUnKeD \r\n\r\n"));
  for (const char* te : {"gzip", "identity", "xchunked", "chunked, identity",
                         "gzip, chunked", "chunked, chunked", ""}) {
    EXPECT_EQ(400, Status(std::string("PUT / HTTP/1.1\r\nHost: a\r\n"
                                      "Transfer-Encoding: ") +
                          te + "\r\n\r\n"))
        << te;
  }
  EXPECT_EQ(400, Status("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                        "gzip\r\nTransfer-Encoding: chunked\r\n\r\n"));
  EXPECT_EQ(400, Status("PUT / HTTP/1.0\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"));
}

TEST(HttpFraming, ContentLengthWithTransferEncoding) {
  // Beast refuses Content-Length next to "chunked" itself, in either order
  // (the session answers its errors with 400); any other coding is ours.
  EXPECT_EQ(-1, Status("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n"));
  EXPECT_EQ(-1, Status("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                       "chunked\r\nContent-Length: 5\r\n\r\n"));
  EXPECT_EQ(400, Status("PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                        "gzip\r\nContent-Length: 5\r\n\r\n"));
}

TEST(HttpFraming, Host) {
  EXPECT_EQ(400, Status("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(400, Status("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(400, Status("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"));
  EXPECT_EQ(400, Status("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"));
  EXPECT_EQ(0, Status("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(0, Status("GET / HTTP/1.1\r\nHost:\r\n\r\n"));
  EXPECT_EQ(0, Status("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"));
}

TEST(HttpFraming, TargetLength) {
  std::string at_limit = "/" + std::string(63, 'a');
  EXPECT_EQ(0, Status("GET " + at_limit + " HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(414, Status("GET " + at_limit + "b HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_TRUE(CheckRequestLine("GET " + at_limit, 64).ok());
  EXPECT_TRUE(CheckRequestLine("GET " + at_limit + " HT", 64).ok());
  EXPECT_EQ(414, CheckRequestLine("GET " + at_limit + "b", 64).status);
  EXPECT_EQ(414, CheckRequestLine("GET /" + std::string(1000, 'x'), 64).status);
  EXPECT_TRUE(CheckRequestLine("", 64).ok());
  EXPECT_TRUE(CheckRequestLine("GET", 64).ok());
  // No SP near the front: not a request line this check can judge.
  EXPECT_TRUE(CheckRequestLine(std::string(1000, 'G'), 64).ok());
}

}  // namespace
}  // namespace shale::server
