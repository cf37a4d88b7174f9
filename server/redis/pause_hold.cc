#include "server/redis/pause_hold.h"

#include <chrono>

#include "server/net/connection.h"

namespace shale::server {

void PauseHold::Attach(Connection* conn, uint64_t id, Resume resume) {
  conn_ = conn;
  id_ = id;
  resume_ = std::move(resume);
  timer_ = std::make_unique<boost::asio::steady_timer>(conn->executor());
}

void PauseHold::Arm() {
  held_ = true;
  int64_t end_ms = 0;
  pause_->Current(ClientPause::NowMs(), &end_ms);
  if (!pause_->Hold(id_, conn_->weak_from_this(), resume_)) {
    conn_->Post(resume_);  // unpaused meanwhile
    return;
  }
  const uint64_t gen = ++gen_;
  int64_t wait = end_ms - ClientPause::NowMs();
  timer_->expires_after(std::chrono::milliseconds(wait > 0 ? wait : 0));
  timer_->async_wait([this, gen, conn = conn_->shared_from_this()](
                         const boost::system::error_code& ec) {
    if (ec || !held_ || gen != gen_) return;
    conn->Post(resume_);
  });
}

bool PauseHold::Leave() {
  if (!held_) return false;
  held_ = false;
  ++gen_;
  pause_->Release(id_);
  if (timer_ != nullptr) timer_->cancel();
  return true;
}

}  // namespace shale::server
