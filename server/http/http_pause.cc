// HttpSession under CLIENT PAUSE (redis/client_pause.h): HTTP requests are
// held as RESP commands are (docs/protocols.md, "CLIENT PAUSE"): all of
// them under ALL, the writing methods under WRITE. Everything here runs on
// the connection's thread.
#include <chrono>
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
  paused_ = true;
  held_ = std::move(*req);
  held_close_ = close;
  int64_t end = 0;
  server_->pause.Current(ClientPause::NowMs(), &end);
  ArmPause(end);
  return true;
}

void HttpSession::ArmPause(int64_t end_ms) {
  if (!server_->pause.Hold(
          id_, conn_->weak_from_this(),
          [this](std::string* out) { ResumeFromPause(out); })) {
    conn_->Post([this](std::string* out) { ResumeFromPause(out); });
    return;
  }
  const uint64_t gen = ++pause_gen_;
  int64_t wait = end_ms - ClientPause::NowMs();
  pause_timer_->expires_after(std::chrono::milliseconds(wait > 0 ? wait : 0));
  pause_timer_->async_wait([this, gen, conn = conn_->shared_from_this()](
                               const boost::system::error_code& ec) {
    if (ec || !paused_ || gen != pause_gen_) return;
    conn->Post([this](std::string* out) { ResumeFromPause(out); });
  });
}

bool HttpSession::LeavePaused() {
  if (!paused_) return false;
  paused_ = false;
  ++pause_gen_;
  server_->pause.Release(id_);
  if (pause_timer_ != nullptr) pause_timer_->cancel();
  return true;
}

void HttpSession::ResumeFromPause(std::string* out) {
  if (!paused_) return;
  if (PauseHolds(held_)) {
    int64_t end = 0;
    server_->pause.Current(ClientPause::NowMs(), &end);
    return ArmPause(end);
  }
  HttpRequest req = std::move(held_);
  held_ = HttpRequest();
  LeavePaused();
  Answer(req, held_close_, out);
}

void HttpSession::Attach(Connection* conn) {
  conn_ = conn;
  pause_timer_ = std::make_unique<boost::asio::steady_timer>(conn->executor());
}

void HttpSession::OnClose() { LeavePaused(); }

}  // namespace shale::server
