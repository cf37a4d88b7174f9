// McSession under CLIENT PAUSE (redis/client_pause.h): memcached requests
// are held as RESP commands are (docs/protocols.md, "CLIENT PAUSE"): all
// of them under ALL, the writes under WRITE. Everything here runs on the
// connection's thread.
#include <chrono>
#include <string>

#include "server/memcache/mc_session.h"
#include "server/net/connection.h"

namespace shale::server {

bool McSession::PauseHolds(const McRequest& req) const {
  if (server_->pause.surely_off() || req.tokens.empty()) return false;
  ClientPause::Mode mode = server_->pause.Current(ClientPause::NowMs());
  if (mode == ClientPause::Mode::kOff) return false;
  if (mode == ClientPause::Mode::kAll) return true;
  const std::string& c = req.tokens[0];
  if (c == "get" || c == "gets" || c == "mn" || c == "me" || c == "stats" ||
      c == "version" || c == "verbosity" || c == "quit") {
    return false;
  }
  if (c == "mg") {
    // Only its touch (T) and autovivify (N) flags write.
    for (size_t i = 2; i < req.tokens.size(); i++) {
      const std::string& f = req.tokens[i];
      if (!f.empty() && (f[0] == 'T' || f[0] == 'N')) return true;
    }
    return false;
  }
  // Storage, delete, incr/decr, touch, gat/gats, flush_all, ms, md, ma,
  // and anything unknown (answered once the pause ends).
  return true;
}

bool McSession::HoldForPause(const McRequest& req) {
  if (conn_ == nullptr || !PauseHolds(req)) return false;
  paused_ = true;
  held_ = req;
  int64_t end = 0;
  server_->pause.Current(ClientPause::NowMs(), &end);
  ArmPause(end);
  return true;
}

void McSession::ArmPause(int64_t end_ms) {
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

bool McSession::LeavePaused() {
  if (!paused_) return false;
  paused_ = false;
  ++pause_gen_;
  server_->pause.Release(id_);
  if (pause_timer_ != nullptr) pause_timer_->cancel();
  return true;
}

void McSession::ResumeFromPause(std::string* out) {
  if (!paused_) return;
  if (PauseHolds(held_)) {
    int64_t end = 0;
    server_->pause.Current(ClientPause::NowMs(), &end);
    return ArmPause(end);
  }
  McRequest req = std::move(held_);
  held_ = McRequest();
  LeavePaused();
  out_ = out;
  Execute(req);
}

void McSession::Attach(Connection* conn) {
  conn_ = conn;
  pause_timer_ = std::make_unique<boost::asio::steady_timer>(conn->executor());
}

void McSession::OnClose() { LeavePaused(); }

}  // namespace shale::server
