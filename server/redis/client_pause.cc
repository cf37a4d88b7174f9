#include "server/redis/client_pause.h"

#include <chrono>
#include <utility>
#include <vector>

#include "server/net/connection.h"

namespace shale::server {

int64_t ClientPause::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void ClientPause::Pause(Mode mode, int64_t end_ms) {
  MutexLock l(&mu_);
  if (mode_ == Mode::kOff || end_ms_ <= NowMs()) {
    mode_ = mode;
    end_ms_ = end_ms;
  } else {
    if (mode > mode_) mode_ = mode;
    if (end_ms > end_ms_) end_ms_ = end_ms;
  }
  mode_hint_.store(1, std::memory_order_relaxed);
}

void ClientPause::Unpause() {
  std::map<uint64_t, Held> held;
  {
    MutexLock l(&mu_);
    mode_ = Mode::kOff;
    end_ms_ = 0;
    mode_hint_.store(0, std::memory_order_relaxed);
    held.swap(held_);
  }
  for (auto& [id, h] : held) {
    if (auto c = h.conn.lock()) c->Post(std::move(h.resume));
  }
}

ClientPause::Mode ClientPause::Current(int64_t now_ms, int64_t* end_ms) const {
  MutexLock l(&mu_);
  if (mode_ != Mode::kOff && end_ms_ <= now_ms) {
    // The end passed: held clients resume by their own timers.
    mode_hint_.store(0, std::memory_order_relaxed);
    return Mode::kOff;
  }
  if (end_ms != nullptr) *end_ms = end_ms_;
  return mode_;
}

bool ClientPause::Hold(uint64_t id, std::weak_ptr<Connection> conn,
                       std::function<void(std::string* out)> resume) {
  MutexLock l(&mu_);
  if (mode_ == Mode::kOff) return false;
  held_[id] = Held{std::move(conn), std::move(resume)};
  return true;
}

void ClientPause::Release(uint64_t id) {
  MutexLock l(&mu_);
  held_.erase(id);
}

}  // namespace shale::server
