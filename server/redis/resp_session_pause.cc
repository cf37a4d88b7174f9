// RespSession's held state under CLIENT PAUSE (redis/client_pause.h):
// which commands a pause holds, holding one, and resuming it. Everything
// here runs on the connection's thread.
#include <string>

#include "server/net/connection.h"
#include "server/redis/resp_session.h"

namespace shale::server {

namespace {

// EVAL and EVALSHA are "may_replicate" in Redis 7.0, except a script whose
// shebang declares no-writes (evalGetCommandFlags); EVAL_RO and
// EVALSHA_RO are not. EVALSHA's script is not looked up: it always counts
// as a write (docs/protocols.md). FCALL is, unless its function has the
// no-writes flag (fcallGetCommandFlags); FCALL_RO is not.
bool ScriptMayWrite(ServerState* server, const Command& cmd, const Args& args) {
  std::string_view name = cmd.name;
  if (name == "evalsha") return true;
  if (name == "fcall") {
    if (args.size() < 2) return true;
    std::shared_ptr<const FunctionSet> set = server->functions.Current();
    const FunctionSet::Entry* f = set->Find(args[1]);
    return f == nullptr || (f->def->flags & kFnNoWrites) == 0;
  }
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
bool MayWrite(ServerState* server, const Command& cmd, const Args& args) {
  if (cmd.flags & kCmdScript) return ScriptMayWrite(server, cmd, args);
  return (cmd.flags & (kCmdWrite | kCmdMayReplicate)) != 0;
}

}  // namespace

bool RespSession::PauseHolds(const Command& cmd, const Args& args) const {
  if (server_->pause.surely_off()) return false;
  ClientPause::Mode mode = server_->pause.Current(ClientPause::NowMs());
  if (mode == ClientPause::Mode::kOff) return false;
  if (mode == ClientPause::Mode::kAll) return true;
  if (MayWrite(server_, cmd, args)) return true;
  // As Redis 7.0's processCommand: an EXEC is a write if a command it
  // queued is one (queued commands were held, if at all, when queued).
  if (std::string_view(cmd.name) == "exec" && in_multi_) {
    for (const Args& q : queue_) {
      const Command* c = ResolveCommand(q);
      if (c != nullptr && MayWrite(server_, *c, q)) return true;
    }
  }
  return false;
}

bool RespSession::HoldForPause(const Command* cmd, Args& args) {
  if (conn_ == nullptr || !PauseHolds(*cmd, args)) return false;
  held_cmd_ = cmd;
  held_args_ = args;
  // As Redis: CLIENT LIST shows the held client blocked (flags=b) with
  // the held command as its last.
  client_.blocked.store(true, std::memory_order_relaxed);
  client_.last_cmd.store(cmd->fullname.c_str(), std::memory_order_relaxed);
  server_->paused_clients.fetch_add(1, std::memory_order_relaxed);
  pause_.Arm();
  return true;
}

bool RespSession::LeavePaused() {
  if (!pause_.Leave()) return false;
  held_cmd_ = nullptr;
  client_.blocked.store(false, std::memory_order_relaxed);
  server_->paused_clients.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void RespSession::ResumeFromPause(std::string* out) {
  if (!pause_.held()) return;
  // Extended or paused again meanwhile: wait for the new end.
  if (PauseHolds(*held_cmd_, held_args_)) return pause_.Arm();
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
