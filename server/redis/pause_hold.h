// PauseHold: the part of a session (RESP, memcached, HTTP) that waits out
// a CLIENT PAUSE (client_pause.h): whether the session holds a request,
// its registration with the server's ClientPause, and the timer that
// checks again at the pause's end. The session keeps the held request
// itself; its resume callback decides whether the pause still holds it
// (then Arm again) or runs it (after Leave).
//
// Thread safety: the connection's thread only. Unpause and the timer post
// the resume callback there.
#ifndef SHALE_SERVER_REDIS_PAUSE_HOLD_H_
#define SHALE_SERVER_REDIS_PAUSE_HOLD_H_

#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/redis/client_pause.h"

namespace shale::server {

class Connection;

class PauseHold {
 public:
  using Resume = std::function<void(std::string* out)>;

  explicit PauseHold(ClientPause* pause) : pause_(pause) {}
  PauseHold(const PauseHold&) = delete;
  PauseHold& operator=(const PauseHold&) = delete;

  // Binds to conn; id names the session in ClientPause's registry. resume
  // runs on conn's thread whenever the pause may have ended.
  void Attach(Connection* conn, uint64_t id, Resume resume);

  bool held() const { return held_; }
  // Holds, or goes on holding, until the end of the pause in force or an
  // Unpause. If the pause ended meanwhile, posts resume at once.
  // REQUIRES: Attach ran.
  void Arm();
  // Stops holding (forgets the registration, cancels the timer); false if
  // nothing was held.
  bool Leave();

 private:
  ClientPause* const pause_;
  Connection* conn_ = nullptr;
  uint64_t id_ = 0;
  Resume resume_;
  bool held_ = false;
  uint64_t gen_ = 0;  // tells a stale timer from the current hold
  std::unique_ptr<boost::asio::steady_timer> timer_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_PAUSE_HOLD_H_
