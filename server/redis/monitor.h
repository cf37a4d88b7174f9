// MONITOR: the clients that receive every command run, one line each, as
// Redis 7.0's replicationFeedMonitors writes it:
//   +<unix seconds>.<micros> [<db> <ip:port>] "cmd" "arg" ...\r\n
// with sdscatrepr's quoting (docs/protocols.md, "MONITOR").
//
// The registry of a server's monitors is ServerState::monitors
// (monitor_registry.h).
//
// Thread safety: every member may be called from any thread.
#ifndef SHALE_SERVER_REDIS_MONITOR_H_
#define SHALE_SERVER_REDIS_MONITOR_H_

#include <string>
#include <string_view>

#include "server/redis/command.h"

namespace shale::server {

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
