// McSession under CLIENT PAUSE (redis/client_pause.h): memcached requests
// are held as RESP commands are (docs/protocols.md, "CLIENT PAUSE"): all
// of them under ALL, the writes under WRITE. Everything here runs on the
// connection's thread.
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
  held_ = req;
  pause_.Arm();
  return true;
}

void McSession::ResumeFromPause(std::string* out) {
  if (!pause_.held()) return;
  if (PauseHolds(held_)) return pause_.Arm();  // extended meanwhile
  McRequest req = std::move(held_);
  held_ = McRequest();
  pause_.Leave();
  out_ = out;
  Execute(req);
}

void McSession::Attach(Connection* conn) {
  conn_ = conn;
  pause_.Attach(conn, id_, [this](std::string* out) { ResumeFromPause(out); });
}

void McSession::OnClose() { pause_.Leave(); }

}  // namespace shale::server
