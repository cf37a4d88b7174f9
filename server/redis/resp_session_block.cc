// RespSession's blocked state (BLPOP ... BZMPOP, XREAD BLOCK): entering it, and
// leaving it when served, timed out, CLIENT UNBLOCKed or closed
// (redis/blocking.h). Everything here runs on the connection's thread.
#include <chrono>
#include <string>

#include "server/net/connection.h"
#include "server/redis/resp_session.h"

namespace shale::server {

void RespSession::Block(const Args& args,
                        const std::vector<std::string_view>& keys, bool zset,
                        int64_t ms, bool stream) {
  block_.id = client_.id;
  block_.db = tx_.db();
  block_.resp = writer_.version();
  block_.zset = zset;
  block_.stream = stream;
  block_.args = args;
  block_.keys.assign(keys.begin(), keys.end());
  block_.conn = conn_->weak_from_this();
  if (!block_.wake) {
    block_.wake = [this](const std::string& reply, bool rerun,
                         std::string* out) { Wake(reply, rerun, out); };
    block_.unblock = [this](bool error, std::string* out) {
      Unblocked(error, out);
    };
  }
  blocked_ = true;
  client_.blocked.store(true, std::memory_order_relaxed);
  const uint64_t gen = ++block_gen_;
  server_->blocking.Block(&block_);
  // Past 10^15 ms (31,000 years) a timer could overflow: forever.
  if (ms > 0 && ms < 1000000000000000) {
    block_timer_->expires_after(std::chrono::milliseconds(ms));
    block_timer_->async_wait([this, gen, conn = conn_->shared_from_this()](
                                 const boost::system::error_code& ec) {
      if (!ec) OnBlockTimeout(gen);
    });
  }
}

bool RespSession::LeaveBlocked() {
  if (!blocked_) return false;
  blocked_ = false;
  ++block_gen_;
  client_.blocked.store(false, std::memory_order_relaxed);
  if (block_timer_ != nullptr) block_timer_->cancel();
  return true;
}

void RespSession::OnBlockTimeout(uint64_t gen) {
  if (!blocked_ || gen != block_gen_ || conn_ == nullptr) return;
  // Served (or unblocked) meanwhile: that answer is on its way.
  if (!server_->blocking.Remove(&block_)) return;
  conn_->Post([this](std::string* out) { Unblocked(false, out); });
}

void RespSession::Unblocked(bool error, std::string* out) {
  if (!LeaveBlocked()) return;
  writer_.set_out(out);
  out_ = out;
  const size_t mark = out->size();
  // Redis 7.0 answers a timed-out list or sorted-set wait with a nil
  // array, BLMOVE's too (replyToBlockedClientTimedOut).
  if (error) {
    writer_.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  } else {
    writer_.NullArray();
  }
  AfterCommand(mark);
}

void RespSession::Wake(const std::string& reply, bool rerun, std::string* out) {
  if (!LeaveBlocked()) return;
  writer_.set_out(out);
  out_ = out;
  const size_t mark = out->size();
  if (!rerun) {
    out->append(reply);
  } else {
    Args args = block_.args;
    const Command* cmd = LookupCommand(args[0]);
    Run(cmd, args);
  }
  AfterCommand(mark);
}

}  // namespace shale::server
