#include "server/redis/monitor.h"

#include <chrono>
#include <cstdio>

namespace shale::server {

namespace {

thread_local bool in_script_call = false;

// Redis 7.0's commands flagged admin (never shown), among those shale has.
// shale's kCmdAdmin also marks FLUSHALL, FLUSHDB and SWAPDB, which Redis
// shows.
bool HiddenFromMonitors(const Command* cmd, const Args& args) {
  const Command* top = cmd->parent != nullptr ? cmd->parent : cmd;
  std::string_view name = top->name;
  if (name == "flushall" || name == "flushdb" || name == "swapdb") {
    return false;
  }
  if (cmd->flags & kCmdAdmin) return true;
  static constexpr std::string_view kAdmin[] = {
      "config",       "slowlog",  "debug",    "shutdown",  "save",    "bgsave",
      "bgrewriteaof", "monitor",  "latency",  "replicaof", "slaveof", "sync",
      "psync",        "replconf", "failover", "module",    "acl"};
  for (auto n : kAdmin) {
    if (name == n) return true;
  }
  if (name == "client" && args.size() >= 2) {
    static constexpr std::string_view kClientAdmin[] = {
        "kill", "list", "no-evict", "pause", "unpause", "unblock"};
    for (auto n : kClientAdmin) {
      if (EqualsIgnoreCase(args[1], n)) return true;
    }
  }
  return false;
}

// The arguments as Redis shows them: AUTH's and HELLO AUTH's secrets
// replaced by "(redacted)" (redactClientCommandArgument).
bool Redacted(const Command* cmd, const Args& args, size_t i) {
  std::string_view name = cmd->name;
  if (name == "auth") return i >= 1;
  if (name != "hello") return false;
  for (size_t j = 2; j < args.size(); j++) {
    if (EqualsIgnoreCase(args[j], "auth")) {
      if (i == j + 1 || i == j + 2) return true;
      j += 2;
    } else if (EqualsIgnoreCase(args[j], "setname")) {
      j++;
    }
  }
  return false;
}

}  // namespace

void AppendRepr(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
      case '"':
        out->push_back('\\');
        out->push_back(static_cast<char>(c));
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\a':
        out->append("\\a");
        break;
      case '\b':
        out->append("\\b");
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out->push_back(static_cast<char>(c));
        } else {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "\\x%02x", c);
          out->append(hex);
        }
    }
  }
  out->push_back('"');
}

ScriptCallScope::ScriptCallScope() : was_(in_script_call) {
  in_script_call = true;
}

ScriptCallScope::~ScriptCallScope() { in_script_call = was_; }

void FeedMonitors(const Command* cmd, CommandContext& ctx, const Args& args) {
  if (!MonitorRegistry::AnyInProcess() || ctx.client == nullptr ||
      ctx.serving_key != nullptr || HiddenFromMonitors(cmd, args)) {
    return;
  }
  auto now = std::chrono::system_clock::now().time_since_epoch();
  const int64_t us =
      std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  char head[64];
  std::snprintf(head, sizeof(head), "+%lld.%06lld [%d ",
                static_cast<long long>(us / 1000000),
                static_cast<long long>(us % 1000000),
                ctx.client->db.load(std::memory_order_relaxed));
  std::string line = head;
  line += in_script_call ? std::string("lua") : ctx.client->peer;
  line += "] ";
  for (size_t i = 0; i < args.size(); i++) {
    if (i != 0) line.push_back(' ');
    AppendRepr(&line, Redacted(cmd, args, i) ? "(redacted)" : args[i]);
  }
  line += "\r\n";
  ctx.server->monitors.Push(line);
}

}  // namespace shale::server
