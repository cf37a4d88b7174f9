#include "server/redis/resp_session.h"

#include <spdlog/spdlog.h>

#include <string>

#include "server/redis/monitor.h"

namespace shale::server {
namespace {

RespLimits LimitsOf(const Config& c) {
  RespLimits l;
  l.max_bulk = c.max_value_bytes;
  l.max_multibulk = c.max_multibulk;
  l.max_inline = c.max_line_bytes;
  return l;
}

}  // namespace

RespSession::RespSession(ServerState* server, const ConnectionInfo& info)
    : server_(server),
      parser_(LimitsOf(server->config)),
      writer_(nullptr),
      tx_(server->ks),
      subs_(&server->pubsub),
      pause_(&server->pause) {
  client_.id = info.id;
  client_.peer = info.peer;
  client_.local = info.local;
  client_.created_ms = Keyspace::NowMs();
  client_.last_ms = client_.created_ms;
  writer_.set_error_sink(&server_->errors);
  // As Redis: a client that connects while no password is set is
  // authenticated (as the default user), and stays so if one is set later.
  authenticated_ = !server_->auth_required.load();
  server_->clients.Add(&client_);
}

RespSession::~RespSession() { OnClose(); }

void RespSession::Attach(Connection* conn) {
  conn_ = conn;
  subs_.set_connection(conn);
  block_timer_ = std::make_unique<boost::asio::steady_timer>(conn->executor());
  pause_.Attach(conn, client_.id,
                [this](std::string* out) { ResumeFromPause(out); });
}

void RespSession::OnClose() {
  // Nothing on another thread may reach this client from here on.
  if (blocked_) {
    server_->blocking.Remove(&block_);
    LeaveBlocked();
  }
  LeavePaused();
  if (MonitorRegistry::AnyInProcess()) server_->monitors.Remove(&client_);
  ResetTransaction();
  subs_.Clear();
  server_->clients.Remove(client_.id);
}

void RespSession::set_resp(int version) {
  writer_.set_version(version);
  client_.resp = version;
  subs_.subscriber()->resp.store(version, std::memory_order_relaxed);
}

std::string RespSession::CheckSubscribedMode(const Command& cmd) {
  // RESP2 clients with a subscription may only (un)subscribe, ping, quit
  // and reset: their connection carries messages.
  if (!subs_.any() || writer_.version() != 2) return "";
  static constexpr std::string_view kAllowed[] = {
      "ping",       "subscribe",    "ssubscribe", "unsubscribe", "sunsubscribe",
      "psubscribe", "punsubscribe", "quit",       "reset"};
  if (cmd.parent == nullptr) {
    for (auto a : kAllowed) {
      if (cmd.name == a) return "";
    }
  }
  return "ERR Can't execute '" + cmd.fullname +
         "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
         "are allowed in this context";
}

size_t RespSession::OnData(std::string_view in, std::string* out,
                           size_t output_limit) {
  writer_.set_out(out);
  out_ = out;
  parser_.set_max_bulk(server_->max_value_bytes());
  // Once per batch of input: the commands of one read run within
  // microseconds of each other.
  client_.last_ms.store(Keyspace::NowMs(), std::memory_order_relaxed);
  size_t total = 0;
  while (!closing_ && !blocked_ && !pause_.held() &&
         out->size() < output_limit) {
    size_t used = 0;
    RespParser::Result r = parser_.Parse(in.substr(total), &used);
    total += used;
    if (r == RespParser::Result::kNeedMore) break;
    if (r == RespParser::Result::kError) {
      CommitRun();
      FlushBatches();
      spdlog::debug("resp {}: {}", client_.peer, parser_.error());
      writer_.Error("ERR " + parser_.error());
      closing_ = true;
      break;
    }
    Args& args = parser_.args();
    // A SET over a stream an XREADGROUP waits on answers the waiter
    // (ServeBlocked): while clients are blocked, SETs take the dispatcher.
    if (Batchable(args, "set", 3) && server_->blocking.size() == 0) {
      CommitRun();
      FlushGets();
      server_->total_commands.fetch_add(1, std::memory_order_relaxed);
      client_.last_cmd.store("set", std::memory_order_relaxed);
      KeyspaceDb db(server_->ks, client_.db.load(std::memory_order_relaxed));
      if (set_batch_.Add(&db, args[1], args[2])) {
        set_batch_.Flush(server_->ks, &writer_);
      }
      continue;
    }
    if (Batchable(args, "get", 2)) {
      CommitRun();
      set_batch_.Flush(server_->ks, &writer_);
      server_->total_commands.fetch_add(1, std::memory_order_relaxed);
      client_.last_cmd.store("get", std::memory_order_relaxed);
      if (get_batch_.Add(args[1])) FlushGets();
      continue;
    }
    FlushBatches();
    const size_t mark = out->size();
    grouping_ = true;
    Execute(args);
    grouping_ = false;
    AfterCommand(mark);
  }
  // Nothing is left pending: every SET read so far is written, every GET
  // answered and the run committed before the connection writes or waits
  // for more input.
  CommitRun();
  FlushBatches();
  // A client on its way out (QUIT, protocol error) gets no more messages,
  // and others see it gone at once, as in Redis.
  if (closing_) subs_.Clear();
  return total;
}

void RespSession::FlushBatches() {
  set_batch_.Flush(server_->ks, &writer_);
  FlushGets();
}

void RespSession::FlushGets() {
  KeyspaceDb db(server_->ks, client_.db.load(std::memory_order_relaxed));
  get_batch_.Flush(&db, &writer_);
}

bool RespSession::Batchable(const Args& args, std::string_view name,
                            size_t argc) const {
  // With keyspace notifications on, every command goes through its
  // handler, which records the events (the batches record none).
  // With slowlog-log-slower-than 0 every command is logged, one by one.
  static const LiveConfig::Ref kSlower =
      LiveConfig::Resolve("slowlog-log-slower-than");
  return !in_multi_ && server_->ks->notify_classes() == 0 &&
         server_->live.Int(kSlower) != 0 && args.size() == argc &&
         args[0].size() == name.size() && EqualsIgnoreCase(args[0], name) &&
         args[1].size() <= server_->config.max_key_bytes &&
         (authenticated_ || !server_->auth_required.load()) && !subs_.any() &&
         server_->pause.surely_off() && !Muting() &&
         !MonitorRegistry::AnyInProcess();
}

void RespSession::AfterCommand(size_t mark) {
  if (blocked_ || pause_.held()) return;
  // As Redis's resetClient after every command (run, queued or refused).
  if ((reply_off_ || reply_skip_) && out_->size() > mark) out_->resize(mark);
  reply_skip_ = reply_skip_next_;
  reply_skip_next_ = false;
}

void RespSession::Reject(std::string_view error, const Command* cmd) {
  CommitRun();  // its reply must not be replaced by a failed run's
  server_->rejected_calls.fetch_add(1, std::memory_order_relaxed);
  if (cmd != nullptr) cmd->stats.Reject();
  if (cmd != nullptr && std::string_view(cmd->name) == "exec") {
    // As Redis's execCommandAbort: a refused EXEC discards the transaction.
    ResetTransaction();
    if (error.starts_with("ERR ")) error.remove_prefix(4);
    return writer_.Error("EXECABORT Transaction discarded because of: " +
                         std::string(error));
  }
  if (in_multi_) multi_error_ = true;
  writer_.Error(error);
}

void RespSession::Execute(Args& args) {
  server_->total_commands.fetch_add(1, std::memory_order_relaxed);
  const Command* cmd = LookupCommand(args[0]);
  if (cmd != nullptr && cmd->container() && args.size() >= 2) {
    const Command* sub = cmd->FindSubcommand(args[1]);
    if (sub == nullptr) {
      return Reject(UnknownSubcommandError(args[0], args[1]));
    }
    cmd = sub;
  }
  if (cmd == nullptr) {
    // Redis formats the arguments with %.*s: each is cut at a NUL.
    std::string rest;
    for (size_t i = 1; i < args.size() && rest.size() < 128; i++) {
      rest += "'";
      rest += CString(args[i]).substr(0, 128 - rest.size() + 1);
      rest += "' ";
    }
    return Reject("ERR unknown command '" +
                  std::string(CString(args[0]).substr(0, 128)) +
                  "', with args beginning with: " + rest);
  }
  int n = static_cast<int>(args.size());
  if ((cmd->arity > 0 && n != cmd->arity) || n < -cmd->arity) {
    return Reject(
        "ERR wrong number of arguments for '" + cmd->fullname + "' command",
        cmd);
  }
  if (!authenticated_ && server_->auth_required.load() &&
      !(cmd->flags & kCmdNoAuth)) {
    return Reject("NOAUTH Authentication required.", cmd);
  }
  if (std::string e = CheckSubscribedMode(*cmd); !e.empty()) {
    return Reject(e, cmd);
  }
  if (cmd->first_key > 0 && !(cmd->flags & kCmdNotKey)) {
    // Keys are bounded (max_key_bytes); values only by max_value_bytes.
    int last = cmd->last_key < 0 ? n + cmd->last_key : cmd->last_key;
    for (int i = cmd->first_key; i <= last && i < n; i += cmd->step) {
      if (args[i].size() > server_->config.max_key_bytes) {
        return Reject("ERR key is too large (max_key_bytes is " +
                          std::to_string(server_->config.max_key_bytes) + ")",
                      cmd);
      }
    }
  }
  if (HoldForPause(cmd, args)) return;
  Proceed(cmd, args);
}

void RespSession::Proceed(const Command* cmd, Args& args) {
  if (in_multi_ && !(cmd->flags & kCmdTxControl)) {
    size_t bytes = 64;
    for (const auto& a : args) bytes += a.size() + 32;
    if (queued_bytes_ + bytes > kMaxQueuedBytes) {
      return Reject("ERR MULTI queue exceeds " +
                    std::to_string(kMaxQueuedBytes >> 20) +
                    " MiB; the transaction is discarded at EXEC");
    }
    queued_bytes_ += bytes;
    queue_.push_back(args);
    return writer_.Simple("QUEUED");
  }
  Run(cmd, args);
}

void RespSession::Run(const Command* cmd, Args& args) {
  client_.last_cmd.store(cmd->fullname.c_str(), std::memory_order_relaxed);
  const Keyspace::FrozenClock clock;
  const int db = client_.db.load(std::memory_order_relaxed);
  const bool group = grouping_ && Groupable(*cmd);
  if (run_open_ && !(group && JoinRun(*cmd, args, db))) CommitRun();
  if (!run_open_) {
    tx_.Begin(db);
    if (cmd->flags & kCmdAllKeys) {
      tx_.LockAll();
    } else if (cmd->flags & kCmdWrite) {
      lock_keys_.clear();
      CommandKeys(*cmd, args, db, &lock_keys_);
      if (!lock_keys_.empty()) tx_.LockKeys(lock_keys_);
    }
    run_open_ = true;
    run_mark_ = out_->size();
    run_count_ = run_bytes_ = 0;
    run_compound_ = false;
  }
  CommandContext ctx{server_, &client_, this, &writer_, &tx_};
  CallCommand(cmd, ctx, args);
  // Clients blocked on the keys written are served in this Tx, still
  // holding the locks: their pops commit with the write that woke them.
  ServeBlocked(server_, &tx_, &wakeups_);
  run_count_++;
  if (cmd->flags & (kCmdTxControl | kCmdScript)) run_compound_ = true;
  for (const auto& a : args) run_bytes_ += a.size();
  if (!group || blocked_ || closing_ || !wakeups_.empty() ||
      run_count_ >= kMaxRunCommands || run_bytes_ >= kMaxRunBytes) {
    CommitRun();
  }
}

bool RespSession::Groupable(const Command& cmd) const {
  constexpr uint32_t kAlone = kCmdAllKeys | kCmdTxControl | kCmdPubSub |
                              kCmdScript | kCmdAdmin | kCmdNotKey;
  return (cmd.flags & (kCmdWrite | kCmdReadOnly)) != 0 &&
         (cmd.flags & kAlone) == 0 && CommandKeysKnown(cmd) && !in_multi_ &&
         !Muting() && !subs_.any();
}

bool RespSession::JoinRun(const Command& cmd, const Args& args, int db) {
  if (db != tx_.db()) return false;
  if (!(cmd.flags & kCmdWrite)) return true;  // reads take no locks
  lock_keys_.clear();
  CommandKeys(cmd, args, db, &lock_keys_);
  if (lock_keys_.empty()) return true;
  // A run of reads holds no lock yet: it may wait for them.
  if (!tx_.locked()) {
    tx_.LockKeys(lock_keys_);
    return true;
  }
  for (const Tx::DbKey& k : lock_keys_) {
    if (!tx_.TryLockMore(k.db, k.key)) return false;
  }
  return true;
}

void RespSession::CommitRun() {
  if (!run_open_) return;
  run_open_ = false;
  // One plain command seldom writes a key twice: its batch is not searched
  // for repeats.
  Status s = tx_.Commit(run_count_ > 1 || run_compound_);
  if (!s.ok()) {
    // Nothing was written: no reply of the run may claim otherwise.
    out_->resize(run_mark_);
    for (size_t i = 0; i < run_count_; i++) ReplyStatus(&writer_, s);
  }
  tx_.Release();
  if (!wakeups_.empty()) PostWakeups(&wakeups_, s.ok());
}

}  // namespace shale::server
