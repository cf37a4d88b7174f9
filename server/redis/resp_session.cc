#include "server/redis/resp_session.h"

#include <spdlog/spdlog.h>

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
    : server_(server), parser_(LimitsOf(server->config)), writer_(nullptr) {
  client_.id = info.id;
  client_.peer = info.peer;
  client_.local = info.local;
  client_.created_ms = Keyspace::NowMs();
  client_.last_ms = client_.created_ms;
  server_->clients.Add(&client_);
}

RespSession::~RespSession() { server_->clients.Remove(client_.id); }

void RespSession::set_resp(int version) {
  writer_.set_version(version);
  client_.resp = version;
}

size_t RespSession::OnData(std::string_view in, std::string* out,
                           size_t output_limit) {
  writer_.set_out(out);
  // Once per batch of input: the commands of one read run within
  // microseconds of each other.
  client_.last_ms.store(Keyspace::NowMs(), std::memory_order_relaxed);
  size_t total = 0;
  while (!closing_ && out->size() < output_limit) {
    size_t used = 0;
    RespParser::Result r = parser_.Parse(in.substr(total), &used);
    total += used;
    if (r == RespParser::Result::kNeedMore) break;
    if (r == RespParser::Result::kError) {
      FlushBatches();
      spdlog::debug("resp {}: {}", client_.peer, parser_.error());
      writer_.Error("ERR " + parser_.error());
      closing_ = true;
      break;
    }
    Args& args = parser_.args();
    if (Batchable(args, "set", 3)) {
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
      set_batch_.Flush(server_->ks, &writer_);
      server_->total_commands.fetch_add(1, std::memory_order_relaxed);
      client_.last_cmd.store("get", std::memory_order_relaxed);
      if (get_batch_.Add(args[1])) FlushGets();
      continue;
    }
    FlushBatches();
    Execute(args);
  }
  // Nothing is left pending: every SET read so far is written and every
  // GET answered before the connection writes or waits for more input.
  FlushBatches();
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
  return args.size() == argc && args[0].size() == name.size() &&
         EqualsIgnoreCase(args[0], name) &&
         args[1].size() <= server_->config.max_key_bytes &&
         (authenticated_ || !server_->auth_required.load());
}

void RespSession::Execute(Args& args) {
  server_->total_commands.fetch_add(1, std::memory_order_relaxed);
  const CommandSpec* cmd = LookupCommand(args[0]);
  if (cmd == nullptr) {
    server_->rejected_calls.fetch_add(1, std::memory_order_relaxed);
    std::string rest;
    for (size_t i = 1; i < args.size() && rest.size() < 128; i++) {
      rest += "'" + args[i].substr(0, 128 - rest.size()) + "' ";
    }
    writer_.Error("ERR unknown command '" + args[0].substr(0, 128) +
                  "', with args beginning with: " + rest);
    return;
  }
  int n = static_cast<int>(args.size());
  if ((cmd->arity > 0 && n != cmd->arity) || n < -cmd->arity) {
    server_->rejected_calls.fetch_add(1, std::memory_order_relaxed);
    return ReplyArity(&writer_, cmd->name);
  }
  if (!authenticated_ && server_->auth_required.load() &&
      !(cmd->flags & kCmdNoAuth)) {
    server_->rejected_calls.fetch_add(1, std::memory_order_relaxed);
    return writer_.Error("NOAUTH Authentication required.");
  }
  if (cmd->first_key > 0) {
    // Keys are bounded (max_key_bytes); values only by max_value_bytes.
    int last = cmd->last_key < 0 ? n + cmd->last_key : cmd->last_key;
    for (int i = cmd->first_key; i <= last && i < n; i += cmd->step) {
      if (args[i].size() > server_->config.max_key_bytes) {
        server_->rejected_calls.fetch_add(1, std::memory_order_relaxed);
        return writer_.Error("ERR key is too large (max_key_bytes is " +
                             std::to_string(server_->config.max_key_bytes) +
                             ")");
      }
    }
  }
  client_.last_cmd.store(cmd->name, std::memory_order_relaxed);
  CommandContext ctx{server_, &client_, this, &writer_,
                     KeyspaceDb(server_->ks, client_.db.load())};
  cmd->handler(ctx, args);
}

}  // namespace shale::server
