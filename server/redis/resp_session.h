// RespSession: one Redis-protocol client. Parses requests (RespParser),
// checks them against the command table (arity, authentication) and runs
// them, writing replies with a RespWriter in the client's RESP version.
#ifndef SHALE_SERVER_REDIS_RESP_SESSION_H_
#define SHALE_SERVER_REDIS_RESP_SESSION_H_

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/net/session.h"
#include "server/protocol/resp/resp_parser.h"
#include "server/protocol/resp/resp_writer.h"
#include "server/pubsub/subscriptions.h"
#include "server/redis/blocking_cmd.h"
#include "server/redis/command.h"
#include "server/redis/get_batch.h"
#include "server/redis/pause_hold.h"
#include "server/redis/set_batch.h"
#include "server/redis/watch.h"
#include "server/server_state.h"

namespace shale::server {

class RespSession : public Session {
 public:
  RespSession(ServerState* server, const ConnectionInfo& info);
  ~RespSession() override;

  void Attach(Connection* conn) override;
  size_t OnData(std::string_view in, std::string* out,
                size_t output_limit) override;
  bool closing() const override { return closing_; }
  bool ready() const override { return !blocked_ && !pause_.held(); }
  bool idle_exempt() const override {
    return subs_.any() || blocked_ || pause_.held();
  }
  void OnClose() override;

  // For connection commands (HELLO, AUTH, QUIT, RESET).
  void set_authenticated(bool a) { authenticated_ = a; }
  bool authenticated() const { return authenticated_; }
  void set_resp(int version);
  void CloseAfterReply() { closing_ = true; }
  ClientState* client() { return &client_; }
  Subscriptions* subscriptions() { return &subs_; }
  // The connection (nullptr in tests over a bare session).
  Connection* connection() { return conn_; }

  // --- blocking pops (resp_session_block.cc) ------------------------------
  // False inside EXEC and scripts (a blocking command then answers as on a
  // timeout).
  bool CanBlock() const { return !in_exec_ && !in_script_ && conn_ != nullptr; }
  // Set while the client's script runs (cmd_script.cc).
  void set_in_script(bool v) { in_script_ = v; }
  bool in_script() const { return in_script_; }
  // Blocks the client on keys (registry: server_->blocking) for ms
  // milliseconds (0: forever) with the command args: no further input runs
  // until it is served, times out (a nil array, as Redis 7.0), is
  // CLIENT UNBLOCKed or disconnects. REQUIRES: CanBlock(), inside the
  // command's Tx (its keys locked).
  // stream: XREAD waits for stream keys (else zset: BZ*, or lists).
  void Block(const Args& args, const std::vector<std::string_view>& keys,
             bool zset, int64_t ms, bool stream = false);
  // CLIENT UNBLOCK of this client (removed from the registry by the
  // caller): answers as a timeout, or with the UNBLOCKED error. On the
  // connection's thread (posted).
  void Unblocked(bool error, std::string* out);

  // --- CLIENT REPLY -------------------------------------------------------
  // ON answers +OK and ends OFF/SKIP; OFF mutes every reply from the next
  // command on; SKIP mutes the next command's (Redis 7.0's flags).
  void ReplyOn() { reply_off_ = reply_skip_ = reply_skip_next_ = false; }
  void ReplyOff() { reply_off_ = true; }
  void ReplySkip() {
    if (!reply_off_) reply_skip_next_ = true;
  }

  // --- CLIENT PAUSE (resp_session_pause.cc) --------------------------------
  // True if the pause in force holds cmd (args as sent): every command
  // under ALL; under WRITE a write, a may-replicate command (PUBLISH ...)
  // or an EXEC whose queue has one.
  bool PauseHolds(const Command& cmd, const Args& args) const;

  // --- transactions (cmd_multi.cc) ----------------------------------------
  // MULTI, EXEC, DISCARD, WATCH, UNWATCH; each writes one reply.
  void Multi(CommandContext& ctx);
  void Exec(CommandContext& ctx);
  void Discard(CommandContext& ctx);
  void Watch(CommandContext& ctx, const Args& args);
  void Unwatch(CommandContext& ctx);
  // RESET and disconnect: leaves MULTI and forgets watched keys.
  void ResetTransaction();

  // Queued commands may hold at most this many bytes (arguments plus a
  // fixed cost per argument and command); past it the transaction is
  // flagged and EXEC answers EXECABORT (docs/protocols.md).
  static constexpr size_t kMaxQueuedBytes = 64u << 20;

 private:
  void Execute(Args& args);
  // Execute's last step, past every check: queues cmd inside MULTI, else
  // runs it.
  void Proceed(const Command* cmd, Args& args);
  // If a CLIENT PAUSE holds cmd: keeps it (and no further input runs) until
  // the pause ends, then runs it (Proceed); true if held.
  bool HoldForPause(const Command* cmd, Args& args);
  // On the connection's thread (posted by Unpause or the timer): runs the
  // held command if the pause no longer holds it, else waits again.
  void ResumeFromPause(std::string* out);
  // Leaves the held state; true if the client was held.
  bool LeavePaused();
  // After a command's reply was written to out_ from mark on (at once, or
  // when a blocked or held command finished): drops it if CLIENT REPLY
  // mutes it, and moves SKIP on to the next command. Does nothing while
  // the command still waits (blocked or held).
  void AfterCommand(size_t mark);
  bool Muting() const { return reply_off_ || reply_skip_ || reply_skip_next_; }
  // Runs cmd: locks its keys, runs the handler, serves the clients blocked
  // on what it wrote, commits (an engine error replaces the handler's
  // reply), unlocks. Inside OnData's loop a keyed command joins the open
  // run instead, if it can take its keys' locks without waiting, and the
  // run commits later (CommitRun).
  void Run(const Command* cmd, Args& args);
  // A run: the consecutive keyed commands of one read of input, run in one
  // Tx and committed as one engine write, as SetBatch does for plain SETs
  // (docs/impl.md, "Pipelined runs"). The run ends (commits) before any
  // command that cannot join it, before a batched SET or GET, when a
  // command blocks or wakes a blocked client, at kMaxRunCommands or
  // kMaxRunBytes, and when OnData runs out of input: no reply leaves
  // before its write is committed.
  static constexpr size_t kMaxRunCommands = 64;
  static constexpr size_t kMaxRunBytes = 1 << 20;
  // Whether cmd may be in a run: reads or writes named keys, and neither
  // it nor the session's state needs a Tx of its own.
  bool Groupable(const Command& cmd) const;
  // Adds cmd's key locks to the open run without waiting; false if one is
  // taken (the run must commit first).
  bool JoinRun(const Command& cmd, const Args& args, int db);
  // Commits the open run, if any: one engine write, then the replies of a
  // failed commit replaced by its error, the locks released, and the
  // clients it served woken.
  void CommitRun();
  // A command refused before it ran (unknown, arity, auth ...): inside
  // MULTI it also dooms the transaction, as Redis's flagTransaction.
  // A refused EXEC discards the transaction and answers EXECABORT.
  // Counted in cmd's rejected_calls.
  void Reject(std::string_view error, const Command* cmd = nullptr);
  // Redis's check before a handler runs: a RESP2 client with subscriptions
  // runs only (P|S)(UN)SUBSCRIBE, PING, QUIT and RESET. Returns the error
  // (empty: none).
  std::string CheckSubscribedMode(const Command& cmd);
  // True if args is the command name with argc - 1 arguments and may join a
  // batch: a plain `SET key value` (set_batch_) or `GET key` (get_batch_).
  bool Batchable(const Args& args, std::string_view name, size_t argc) const;
  // Runs and answers whatever a batch holds (at most one batch is non-empty).
  void FlushBatches();
  void FlushGets();

  // The registry's wake callback (on this connection's thread): leaves the
  // blocked state and writes reply, or runs the command again.
  void Wake(const std::string& reply, bool rerun, std::string* out);
  // Leaves the blocked state (timer cancelled); true if it was blocked.
  bool LeaveBlocked();
  void OnBlockTimeout(uint64_t gen);

  ServerState* const server_;
  Connection* conn_ = nullptr;
  RespParser parser_;
  RespWriter writer_;
  SetBatch set_batch_;
  GetBatch get_batch_;
  ClientState client_;
  Tx tx_;
  std::vector<Tx::DbKey> lock_keys_;  // reused by Run
  // The open run (Run, CommitRun): tx_ is begun and not committed.
  bool grouping_ = false;  // inside OnData's loop: runs may form
  bool run_open_ = false;
  size_t run_mark_ = 0;         // where its first reply starts in out_
  size_t run_count_ = 0;        // its commands
  bool run_compound_ = false;   // one of them was EXEC, a script or a function
  size_t run_bytes_ = 0;        // their arguments' bytes
  std::string* out_ = nullptr;  // OnData's output
  WatchState watch_;
  bool in_multi_ = false;
  bool multi_error_ = false;  // a queue-time error: EXEC answers EXECABORT
  std::vector<Args> queue_;
  size_t queued_bytes_ = 0;
  Subscriptions subs_;
  bool authenticated_ = false;
  bool closing_ = false;
  // Blocking pops: the registration and its timer (created in Attach).
  BlockedClient block_;
  bool blocked_ = false;
  bool in_exec_ = false;
  bool in_script_ = false;
  uint64_t block_gen_ = 0;  // tells a stale timer from the current block
  std::unique_ptr<boost::asio::steady_timer> block_timer_;
  // CLIENT REPLY's state.
  bool reply_off_ = false;
  bool reply_skip_ = false;       // this command's reply is dropped
  bool reply_skip_next_ = false;  // set by SKIP: the next one's is
  // CLIENT PAUSE: the held command and its hold.
  PauseHold pause_;
  const Command* held_cmd_ = nullptr;
  Args held_args_;
  // Served clients of the current command, answered after its commit.
  std::vector<Wakeup> wakeups_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_RESP_SESSION_H_
