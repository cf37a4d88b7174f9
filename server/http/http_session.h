// HttpSession: one HTTP/1.1 client of the REST/JSON API.
//
// Requests are parsed by Boost.Beast's request_parser used as a pure state
// machine over the connection's buffer (header and body limits enforced by
// it); responses are written as plain HTTP/1.1 text. Keep-alive and
// pipelining work like the other front ends: the Connection hands over bytes,
// the session answers every complete request in order.
//
// Routes (docs/protocols.md, "HTTP"):
//   GET|HEAD|PUT|DELETE /v1/kv/{key}   one key (ETag / If-Match for CAS)
//   GET  /v1/kv?start=&end=&prefix=&limit=&encoding=   JSON scan
//   POST /v1/batch                      atomic JSON batch
//   POST /v1/admin/compact | /v1/admin/flush
//   GET  /v1/stats  /metrics  /healthz
#ifndef SHALE_SERVER_HTTP_HTTP_SESSION_H_
#define SHALE_SERVER_HTTP_HTTP_SESSION_H_

#include <memory>
#include <string>

#include "server/net/session.h"
#include "server/server_state.h"

namespace shale::server {

class HttpSession : public Session {
 public:
  HttpSession(ServerState* server, const ConnectionInfo& info);
  ~HttpSession() override;

  size_t OnData(std::string_view in, std::string* out,
                size_t output_limit) override;
  bool closing() const override { return closing_; }

 private:
  struct Parser;
  void ResetParser();

  ServerState* const server_;
  std::unique_ptr<Parser> parser_;
  bool continue_sent_ = false;
  bool framing_checked_ = false;  // CheckFraming ran on this request
  bool closing_ = false;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_HTTP_HTTP_SESSION_H_
