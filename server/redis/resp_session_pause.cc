// RespSession's held state under CLIENT PAUSE (redis/client_pause.h):
// which commands a pause holds, holding one, and resuming it. Everything
// here runs on the connection's thread.
#include <chrono>
#include <string>

#include "server/net/connection.h"
#include "server/redis/resp_session.h"

namespace shale::server {

namespace {

// EVAL and EVALSHA are "may_replicate" in Redis 7.0, except a script whose
// shebang declares no-writes (evalGetCommandFlags); EVAL_RO and
// EVALSHA_RO are not. EVALSHA's script is not looked up: it always counts
// as a write (docs/protocols.md).
bool ScriptMayWrite(const Command& cmd, const Args& args) {
  std::string_view name = cmd.name;
  if (name == "evalsha") return true;
  if (name != "eval" || args.size() < 2) return false;
  std::string_view body = args[1];
  if (!body.starts_with("#!")) return true;
  std::string_view line = body.substr(0, body.find('\n'));
  size_t at = line.find(" flags=");
  if (at == std::string_view::npos) return true;
  std::string_view flags = line.substr(at + 7);
  flags = flags.substr(0, flags.find(' '));
  while (!flags.empty()) {
    size_t comma = flags.find(',');
    if (flags.substr(0, comma) == "no-writes") return false;
    if (comma == std::string_view::npos) break;
    flags.remove_prefix(comma + 1);
  }
  return true;
}

// Whether CLIENT PAUSE WRITE holds cmd (Redis's CMD_WRITE or
// CMD_MAY_REPLICATE).
bool MayWrite(const Command& cmd, const Args& args) {
  if (cmd.flags & kCmdScript) return ScriptMayWrite(cmd, args);
  return (cmd.flags & (kCmdWrite | kCmdMayReplicate)) != 0;
}

}  // namespace

bool RespSession::PauseHolds(const Command& cmd, const Args& args) const {
  if (server_->pause.surely_off()) return false;
  ClientPause::Mode mode = server_->pause.Current(ClientPause::NowMs());
  if (mode == ClientPause::Mode::kOff) return false;
  if (mode == ClientPause::Mode::kAll) return true;
  if (MayWrite(cmd, args)) return true;
  // As Redis 7.0's processCommand: an EXEC is a write if a command it
  // queued is one (queued commands were held, if at all, when queued).
  if (std::string_view(cmd.name) == "exec" && in_multi_) {
    for (const Args& q : queue_) {
      const Command* c = ResolveCommand(q);
      if (c != nullptr && MayWrite(*c, q)) return true;
    }
  }
  return false;
}

bool RespSession::HoldForPause(const Command* cmd, Args& args) {
  if (conn_ == nullptr || !PauseHolds(*cmd, args)) return false;
  paused_ = true;
  held_cmd_ = cmd;
  held_args_ = args;
  // As Redis: CLIENT LIST shows the held client blocked (flags=b) with
  // the held command as its last.
  client_.blocked.store(true, std::memory_order_relaxed);
  client_.last_cmd.store(cmd->fullname.c_str(), std::memory_order_relaxed);
  server_->paused_clients.fetch_add(1, std::memory_order_relaxed);
  int64_t end = 0;
  server_->pause.Current(ClientPause::NowMs(), &end);
  ArmPause(end);
  return true;
}

void RespSession::ArmPause(int64_t end_ms) {
  if (!server_->pause.Hold(
          client_.id, conn_->weak_from_this(),
          [this](std::string* out) { ResumeFromPause(out); })) {
    // Unpaused meanwhile.
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

bool RespSession::LeavePaused() {
  if (!paused_) return false;
  paused_ = false;
  ++pause_gen_;
  held_cmd_ = nullptr;
  client_.blocked.store(false, std::memory_order_relaxed);
  server_->paused_clients.fetch_sub(1, std::memory_order_relaxed);
  server_->pause.Release(client_.id);
  if (pause_timer_ != nullptr) pause_timer_->cancel();
  return true;
}

void RespSession::ResumeFromPause(std::string* out) {
  if (!paused_) return;
  if (PauseHolds(*held_cmd_, held_args_)) {
    // Extended or paused again meanwhile: wait for the new end.
    int64_t end = 0;
    server_->pause.Current(ClientPause::NowMs(), &end);
    return ArmPause(end);
  }
  const Command* cmd = held_cmd_;
  Args args = std::move(held_args_);
  held_args_.clear();
  LeavePaused();
  writer_.set_out(out);
  out_ = out;
  const size_t mark = out->size();
  Proceed(cmd, args);
  AfterCommand(mark);
}

}  // namespace shale::server
