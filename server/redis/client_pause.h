// ClientPause: the server-wide CLIENT PAUSE state, and the RESP clients
// whose command it holds until the pause ends (docs/impl.md, "Server:
// CLIENT PAUSE").
//
// As Redis 7.0: a pause holds every command (ALL) or only the writes
// (WRITE: kCmdWrite, kCmdMayReplicate, and an EXEC whose queue has one),
// the pausing client's own included; a second CLIENT PAUSE keeps the more
// restrictive mode and the later end; CLIENT UNPAUSE ends it at once.
// A held client checks again when its own timer reaches the end it saw,
// or when Unpause posts it.
//
// Thread safety: every member may be called from any thread.
#ifndef SHALE_SERVER_REDIS_CLIENT_PAUSE_H_
#define SHALE_SERVER_REDIS_CLIENT_PAUSE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "util/mutex.h"

namespace shale::server {

class Connection;

class ClientPause {
 public:
  enum class Mode : int { kOff = 0, kWrite = 1, kAll = 2 };

  // The steady clock in milliseconds, the unit of every end below.
  static int64_t NowMs();

  // CLIENT PAUSE: pauses in mode until end_ms (NowMs() units), keeping the
  // more restrictive mode and the later end of this and a running pause.
  void Pause(Mode mode, int64_t end_ms) EXCLUDES(mu_);
  // CLIENT UNPAUSE: ends the pause and resumes every held client.
  void Unpause() EXCLUDES(mu_);

  // The mode in force at now_ms (kOff once the end passed), with its end.
  Mode Current(int64_t now_ms, int64_t* end_ms = nullptr) const EXCLUDES(mu_);
  // True if no pause was started since the last Unpause or end: a relaxed
  // load for the session's fast paths. A false answer says nothing.
  bool surely_off() const {
    return mode_hint_.load(std::memory_order_relaxed) == 0;
  }

  // Registers a held client: Unpause posts resume to conn (on the
  // client's thread). Replaces an earlier registration of id. False (not
  // registered) if no pause is in force any more: the caller resumes.
  bool Hold(uint64_t id, std::weak_ptr<Connection> conn,
            std::function<void(std::string* out)> resume) EXCLUDES(mu_);
  // Forgets a held client (resumed by its timer, or closing).
  void Release(uint64_t id) EXCLUDES(mu_);

 private:
  struct Held {
    std::weak_ptr<Connection> conn;
    std::function<void(std::string* out)> resume;
  };

  mutable Mutex mu_;
  Mode mode_ GUARDED_BY(mu_) = Mode::kOff;
  int64_t end_ms_ GUARDED_BY(mu_) = 0;
  std::map<uint64_t, Held> held_ GUARDED_BY(mu_);
  // Nonzero while a pause may be in force (set by Pause, cleared by
  // Unpause and by Current once the end passed).
  mutable std::atomic<int> mode_hint_{0};
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_CLIENT_PAUSE_H_
