#include "server/http/http_session.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>

#include "server/http/http_api.h"
#include "server/http/http_framing.h"

namespace shale::server {
namespace http = boost::beast::http;

struct HttpSession::Parser {
  std::optional<http::request_parser<http::string_body>> p;
};

HttpSession::HttpSession(ServerState* server, const ConnectionInfo& info)
    : server_(server),
      parser_(std::make_unique<Parser>()),
      id_(info.id),
      pause_(&server->pause) {
  ResetParser();
}

HttpSession::~HttpSession() { OnClose(); }

void HttpSession::Answer(const HttpRequest& req, bool close, std::string* out) {
  server_->http_requests++;
  HttpResponse resp = HandleHttp(server_, req);
  if (resp.status >= 400) server_->http_errors++;
  SerializeResponse(resp, req.method == "HEAD", close, out);
  if (close) closing_ = true;
}

void HttpSession::ResetParser() {
  parser_->p.emplace();
  parser_->p->header_limit(
      static_cast<std::uint32_t>(server_->config.http_max_header_bytes));
  parser_->p->body_limit(server_->config.http_max_body_bytes);
  parser_->p->eager(true);
  continue_sent_ = false;
  framing_checked_ = false;
}

size_t HttpSession::OnData(std::string_view in, std::string* out,
                           size_t output_limit) {
  size_t total = 0;
  const size_t max_target = server_->config.http_max_uri_bytes;
  auto reject = [&](const FramingError& f) {
    server_->http_errors++;
    SerializeResponse(HttpResponse::Error(f.status, f.code, f.message), false,
                      true, out);
    closing_ = true;
  };
  while (!closing_ && !pause_.held() && out->size() < output_limit &&
         total < in.size()) {
    auto& p = *parser_->p;
    // Beast keeps a request line it has not finished in the input: a too
    // long target is 414 before the header limit's 431.
    if (p.get().target().empty()) {
      FramingError f = CheckRequestLine(in.substr(total), max_target);
      if (!f.ok()) {
        reject(f);
        break;
      }
    }
    boost::beast::error_code ec;
    size_t used =
        p.put(boost::asio::buffer(in.data() + total, in.size() - total), ec);
    total += used;
    // Framing faults close the connection before the request runs and
    // before the bytes after it are read as another request.
    if (p.is_header_done() && !framing_checked_) {
      framing_checked_ = true;
      FramingError f = CheckFraming(p.get().base(), max_target);
      if (!f.ok()) {
        reject(f);
        break;
      }
    }
    if (ec == http::error::need_more) {
      // An "Expect: 100-continue" client waits for this before the body.
      if (p.is_header_done() && !continue_sent_ &&
          p.get()[http::field::expect] == "100-continue") {
        out->append("HTTP/1.1 100 Continue\r\n\r\n");
        continue_sent_ = true;
      }
      break;
    }
    if (ec) {
      int status = 400;
      std::string code = "bad_request";
      if (ec == http::error::body_limit) {
        status = 413;
        code = "body_too_large";
      } else if (ec == http::error::header_limit) {
        status = 431;
        code = "header_too_large";
      }
      server_->http_errors++;
      SerializeResponse(HttpResponse::Error(status, code, ec.message()), false,
                        true, out);
      closing_ = true;
      break;
    }
    if (!p.is_done()) {
      if (used == 0) break;
      continue;
    }
    http::request<http::string_body> msg = p.release();
    HttpRequest req;
    req.method = std::string(msg.method_string());
    std::string_view target = msg.target();
    size_t qm = target.find('?');
    req.path = std::string(target.substr(0, qm));
    if (qm != std::string_view::npos)
      req.query = std::string(target.substr(qm + 1));
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (char& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(f.value());
    }
    req.body = std::move(msg.body());
    bool close = !msg.keep_alive();
    if (HoldForPause(&req, close)) {
      ResetParser();
      break;
    }
    Answer(req, close, out);
    if (close) break;
    ResetParser();
  }
  return total;
}

}  // namespace shale::server
