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

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "server/http/http_api.h"
#include "server/net/session.h"
#include "server/redis/pause_hold.h"
#include "server/server_state.h"

namespace shale::server {

class HttpSession : public Session {
 public:
  HttpSession(ServerState* server, const ConnectionInfo& info);
  ~HttpSession() override;

  void Attach(Connection* conn) override;
  size_t OnData(std::string_view in, std::string* out,
                size_t output_limit) override;
  bool closing() const override { return closing_; }
  // False while CLIENT PAUSE holds a request (http_pause.cc).
  bool ready() const override { return !pause_.held(); }
  bool idle_exempt() const override { return pause_.held(); }
  void OnClose() override;

 private:
  struct Parser;
  void ResetParser();
  // Runs a parsed request and writes its response.
  void Answer(const HttpRequest& req, bool close, std::string* out);

  // --- CLIENT PAUSE (http_pause.cc): as RespSession's, for HTTP ----------
  // Everything under ALL; under WRITE the methods that write (PUT,
  // DELETE, POST).
  bool PauseHolds(const HttpRequest& req) const;
  // Keeps *req (moved) until the pause ends; true if held.
  bool HoldForPause(HttpRequest* req, bool close);
  // On the connection's thread: answers the held request if the pause no
  // longer holds it, else waits again.
  void ResumeFromPause(std::string* out);

  ServerState* const server_;
  std::unique_ptr<Parser> parser_;
  bool continue_sent_ = false;
  bool framing_checked_ = false;  // CheckFraming ran on this request
  bool closing_ = false;
  uint64_t id_ = 0;  // the connection's id (ClientPause registrations)
  Connection* conn_ = nullptr;
  PauseHold pause_;
  HttpRequest held_;
  bool held_close_ = false;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_HTTP_HTTP_SESSION_H_
