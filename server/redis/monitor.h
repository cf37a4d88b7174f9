// MONITOR: the clients that receive every command run, one line each, as
// Redis 7.0's replicationFeedMonitors writes it:
//   +<unix seconds>.<micros> [<db> <ip:port>] "cmd" "arg" ...\r\n
// with sdscatrepr's quoting (docs/protocols.md, "MONITOR").
//
// The registry belongs to a ServerState but lives here, found by the
// state's address (Monitors), so that adding it touched no header every
// command includes. A process-wide count lets CallCommand skip all of it
// while no client monitors (one relaxed load per command).
//
// Thread safety: every member may be called from any thread.
#ifndef SHALE_SERVER_REDIS_MONITOR_H_
#define SHALE_SERVER_REDIS_MONITOR_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "server/redis/command.h"
#include "util/mutex.h"

namespace shale::server {

class Connection;

class MonitorRegistry {
 public:
  // Adds a monitoring client; false if it already monitors.
  bool Add(uint64_t id, std::weak_ptr<Connection> conn) EXCLUDES(mu_);
  void Remove(uint64_t id) EXCLUDES(mu_);
  // Whether client id monitors (CLIENT LIST flag O).
  bool Contains(uint64_t id) EXCLUDES(mu_);
  // Pushes line to every monitor (a monitor's own commands included, as
  // Redis). Each push counts against the monitor's
  // client-output-buffer-limit class (normal, as Redis).
  void Push(const std::string& line) EXCLUDES(mu_);

  // Monitors in the whole process (for the fast path).
  static bool AnyInProcess() {
    return process_count_.load(std::memory_order_relaxed) != 0;
  }

 private:
  Mutex mu_;
  std::map<uint64_t, std::weak_ptr<Connection>> conns_ GUARDED_BY(mu_);
  static std::atomic<int64_t> process_count_;
};

// The registry of server s (created on first use, kept for the process),
// found by its client table, so that ClientTable finds it too.
MonitorRegistry& Monitors(const ServerState* s);
MonitorRegistry& MonitorsOf(const ClientTable* clients);

// Redis's sdscatrepr: s quoted, with \\ \" \n \r \t \a \b escaped and
// other unprintable bytes as \xhh; appended to out.
void AppendRepr(std::string* out, std::string_view s);

// While one exists on a thread, the commands it runs come from a script:
// the monitors show them as `[<db> lua]` (cmd_script.cc).
class ScriptCallScope {
 public:
  ScriptCallScope();
  ~ScriptCallScope();
  ScriptCallScope(const ScriptCallScope&) = delete;
  ScriptCallScope& operator=(const ScriptCallScope&) = delete;

 private:
  bool was_;
};

// Called by CallCommand after a command ran: feeds the monitors of its
// server, unless none exists, the command is one Redis does not show
// (admin commands, EVAL and the like) or it serves a blocked client.
void FeedMonitors(const Command* cmd, CommandContext& ctx, const Args& args);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_MONITOR_H_
