// HttpSession under CLIENT PAUSE (redis/client_pause.h): HTTP requests are
// held as RESP commands are (docs/protocols.md, "CLIENT PAUSE"): all of
// them under ALL, the writing methods under WRITE. Everything here runs on
// the connection's thread.
#include <string>

#include "server/http/http_session.h"
#include "server/net/connection.h"

namespace shale::server {

bool HttpSession::PauseHolds(const HttpRequest& req) const {
  if (server_->pause.surely_off()) return false;
  ClientPause::Mode mode = server_->pause.Current(ClientPause::NowMs());
  if (mode == ClientPause::Mode::kOff) return false;
  if (mode == ClientPause::Mode::kAll) return true;
  return req.method != "GET" && req.method != "HEAD";
}

bool HttpSession::HoldForPause(HttpRequest* req, bool close) {
  if (conn_ == nullptr || !PauseHolds(*req)) return false;
  held_ = std::move(*req);
  held_close_ = close;
  pause_.Arm();
  return true;
}

void HttpSession::ResumeFromPause(std::string* out) {
  if (!pause_.held()) return;
  if (PauseHolds(held_)) return pause_.Arm();  // extended meanwhile
  HttpRequest req = std::move(held_);
  held_ = HttpRequest();
  pause_.Leave();
  Answer(req, held_close_, out);
}

void HttpSession::Attach(Connection* conn) {
  conn_ = conn;
  pause_.Attach(conn, id_, [this](std::string* out) { ResumeFromPause(out); });
}

void HttpSession::OnClose() { pause_.Leave(); }

}  // namespace shale::server
