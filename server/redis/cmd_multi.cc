// Transactions: MULTI EXEC DISCARD WATCH UNWATCH, with Redis 7.0's
// semantics (docs/protocols.md, "Transactions"; the mechanics in
// docs/impl.md, "Server: the Tx, locks, commit path").
//
// Commands sent after MULTI are checked (name, arity, authentication, key
// size) and queued; a refused one dooms the transaction (EXEC answers
// EXECABORT). EXEC takes the stripe locks of every key its commands and the
// watched keys name (every stripe if one of them acts on whole databases or
// switches database, or runs a script), checks WATCH, then runs the commands in
// one Tx: their writes reach the engine as one batch, so no other client's
// command on those keys runs in between and lock-free readers see the
// whole EXEC at once. Runtime errors are answered per command.
#include "server/redis/resp_session.h"

namespace shale::server {

void RespSession::ResetTransaction() {
  in_multi_ = false;
  multi_error_ = false;
  queue_.clear();
  queued_bytes_ = 0;
  server_->watches.UnwatchAll(&watch_);
}

void RespSession::Multi(CommandContext& ctx) {
  if (in_multi_) return ctx.w->Error("ERR MULTI calls can not be nested");
  in_multi_ = true;
  multi_error_ = false;
  ctx.w->Ok();
}

void RespSession::Discard(CommandContext& ctx) {
  if (!in_multi_) return ctx.w->Error("ERR DISCARD without MULTI");
  ResetTransaction();
  ctx.w->Ok();
}

void RespSession::Watch(CommandContext& ctx, const Args& args) {
  if (in_multi_) {
    return ctx.w->Error("ERR WATCH inside MULTI is not allowed");
  }
  for (size_t i = 1; i < args.size(); i++) {
    server_->watches.Watch(&watch_, ctx.tx->db(), args[i]);
  }
  ctx.w->Ok();
}

void RespSession::Unwatch(CommandContext& ctx) {
  server_->watches.UnwatchAll(&watch_);
  ctx.w->Ok();
}

void RespSession::Exec(CommandContext& ctx) {
  if (!in_multi_) return ctx.w->Error("ERR EXEC without MULTI");
  if (multi_error_) {
    ResetTransaction();
    return ctx.w->Error(
        "EXECABORT Transaction discarded because of previous errors.");
  }
  std::vector<Args> queue = std::move(queue_);
  in_multi_ = false;
  queue_.clear();
  queued_bytes_ = 0;
  // The locks of everything the transaction touches, taken at once.
  std::vector<Tx::DbKey> keys;
  bool all = false;
  int db = ctx.tx->db();
  for (const Args& args : queue) {
    const Command* cmd = ResolveCommand(args);
    if (cmd->flags & (kCmdAllKeys | kCmdScript) ||
        std::string_view(cmd->name) == "select") {
      all = true;
      break;
    }
    if (cmd->flags & kCmdWrite) CommandKeys(*cmd, args, db, &keys);
  }
  for (const auto& k : watch_.keys) keys.push_back({k.db, k.key});
  if (all) {
    ctx.tx->LockAll();
  } else if (!keys.empty()) {
    ctx.tx->LockKeys(keys);
  }
  if (server_->watches.Failed(watch_)) {
    server_->watches.UnwatchAll(&watch_);
    return ctx.w->NullArray();
  }
  server_->watches.UnwatchAll(&watch_);
  ctx.w->Array(queue.size());
  in_exec_ = true;  // blocking pops answer as on a timeout
  for (Args& args : queue) {
    const Command* cmd = ResolveCommand(args);
    client_.last_cmd.store(cmd->fullname.c_str(), std::memory_order_relaxed);
    CallCommand(cmd, ctx, args);
  }
  in_exec_ = false;
  // The dispatcher commits the Tx (one batch) and unlocks.
}

namespace {

void MultiCmd(CommandContext& c, Args&) { c.session->Multi(c); }
void ExecCmd(CommandContext& c, Args&) { c.session->Exec(c); }
void DiscardCmd(CommandContext& c, Args&) { c.session->Discard(c); }
void WatchCmd(CommandContext& c, Args& a) { c.session->Watch(c, a); }
void UnwatchCmd(CommandContext& c, Args&) { c.session->Unwatch(c); }

constexpr uint32_t F = kCmdFast, T = kCmdTxControl, L = kCmdLoading;

const CommandSpec kCommands[] = {
    {"multi", 1, F | T | L, MultiCmd, 0, 0, 0, "transactions",
     "Start a transaction"},
    {"exec", 1, T | L | kCmdSkipSlowlog, ExecCmd, 0, 0, 0, "transactions",
     "Run the queued commands"},
    {"discard", 1, F | T | L, DiscardCmd, 0, 0, 0, "transactions",
     "Drop the queued commands"},
    {"watch", -2, F | T | L, WatchCmd, 1, -1, 1, "transactions",
     "Fail EXEC if these keys change"},
    {"unwatch", 1, F | L, UnwatchCmd, 0, 0, 0, "transactions",
     "Forget the watched keys"},
};

}  // namespace

std::span<const CommandSpec> MultiCommands() { return kCommands; }

}  // namespace shale::server
