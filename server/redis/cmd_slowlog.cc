// SLOWLOG GET LEN RESET HELP, and the logging of slow commands
// (server/redis/slowlog.h) as Redis 7.0's slowlogPushEntryIfNeeded.
#include "server/config_params.h"
#include "server/redis/command.h"

namespace shale::server {

void MaybeSlowlog(const Command* cmd, CommandContext& ctx, const Args& args,
                  uint64_t usec) {
  static const LiveConfig::Ref kSlower =
      LiveConfig::Resolve("slowlog-log-slower-than");
  static const LiveConfig::Ref kMaxLen = LiveConfig::Resolve("slowlog-max-len");
  const int64_t slower = ctx.server->live.Int(kSlower);
  if (slower < 0 || usec < static_cast<uint64_t>(slower) ||
      (cmd->flags & kCmdSkipSlowlog)) {
    return;
  }
  Args shown = args;
  const std::string_view name = cmd->fullname;
  auto redact = [&shown](size_t i) {
    if (i < shown.size()) shown[i] = "(redacted)";
  };
  if (name == "auth") {
    for (size_t i = 1; i < shown.size(); i++) redact(i);
  } else if (name == "hello") {
    for (size_t i = 2; i < shown.size(); i++) {
      if (EqualsIgnoreCase(shown[i], "auth")) {
        redact(i + 1);
        redact(i + 2);
        i += 2;
      } else if (EqualsIgnoreCase(shown[i], "setname")) {
        i++;
      }
    }
  } else if (name == "config|set") {
    for (size_t i = 2; i + 1 < shown.size(); i += 2) {
      const ParamSpec* p = FindParam(shown[i]);
      if (p != nullptr && (p->flags & kParamSensitive)) redact(i + 1);
    }
  }
  ctx.server->slowlog.Add(shown, usec, ctx.client->peer,
                          ctx.server->clients.Name(ctx.client),
                          ctx.server->live.Int(kMaxLen));
}

namespace {

void SlowlogGet(CommandContext& ctx, Args& a) {
  int64_t count = 10;
  if (a.size() == 3) {
    if (!ParseInt64(a[2], &count) || count < -1) {
      return ctx.w->Error("ERR count should be greater than or equal to -1");
    }
  } else if (a.size() > 3) {
    return ctx.w->Error(
        "ERR unknown subcommand or wrong number of arguments for '" + a[1] +
        "'. Try SLOWLOG HELP.");
  }
  std::vector<SlowLog::Entry> entries = ctx.server->slowlog.Get(count);
  ctx.w->Array(entries.size());
  for (const SlowLog::Entry& e : entries) {
    ctx.w->Array(6);
    ctx.w->Int(static_cast<int64_t>(e.id));
    ctx.w->Int(e.time_s);
    ctx.w->Int(static_cast<int64_t>(e.usec));
    ctx.w->Array(e.args.size());
    for (const std::string& arg : e.args) ctx.w->Bulk(arg);
    ctx.w->Bulk(e.peer);
    ctx.w->Bulk(e.name);
  }
}

void SlowlogLen(CommandContext& ctx, Args&) {
  ctx.w->Int(static_cast<int64_t>(ctx.server->slowlog.Len()));
}

void SlowlogReset(CommandContext& ctx, Args&) {
  ctx.server->slowlog.Reset();
  ctx.w->Ok();
}

void SlowlogHelp(CommandContext& ctx, Args& a) {
  static const char* const kLines[] = {
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean "
      "all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and "
      "port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
  };
  ReplyHelp(ctx.w, a[0], kLines);
}

constexpr uint32_t A = kCmdAdmin, L = kCmdLoading;

const CommandSpec kSlowlogSubcommands[] = {
    {"get", -2, A | L, SlowlogGet, 0, 0, 0, "server",
     "Get the slow log's entries"},
    {"len", 2, A | L, SlowlogLen, 0, 0, 0, "server",
     "Get the slow log's length"},
    {"reset", 2, A | L, SlowlogReset, 0, 0, 0, "server",
     "Clear all entries from the slow log"},
    {"help", 2, L, SlowlogHelp, 0, 0, 0, "server", "Show helpful text"},
};

const CommandSpec kCommands[] = {
    {"slowlog", -2, A | L, nullptr, 0, 0, 0, "server",
     "A container for slow log commands", kSlowlogSubcommands},
};

}  // namespace

std::span<const CommandSpec> SlowlogCommands() { return kCommands; }

}  // namespace shale::server
