// CONFIG GET / SET / RESETSTAT / REWRITE / HELP over LiveConfig
// (server/live_config.h) and the parameter table (server/config_params.h).
#include <spdlog/spdlog.h>

#include "server/redis/command.h"

namespace shale::server {
namespace {

void ConfigGet(CommandContext& ctx, Args& a) {
  auto hits = ctx.server->live.Get(std::span(a).subspan(2));
  ctx.w->Map(hits.size());
  for (auto& [name, value] : hits) {
    ctx.w->Bulk(name);
    ctx.w->Bulk(value);
  }
}

void ConfigSet(CommandContext& ctx, Args& a) {
  if (a.size() % 2 != 0) return ctx.w->Error(kErrSyntax);
  std::string error;
  if (!ctx.server->live.Set(std::span(a).subspan(2), &error)) {
    return ctx.w->Error(error);
  }
  ctx.w->Ok();
}

void ResetStats(ServerState* s) {
  s->total_commands = 0;
  s->rejected_calls = 0;
  s->errors.Reset();
  s->output_limit_disconnections = 0;
  s->ks->hits = 0;
  s->ks->misses = 0;
  s->ks->writes = 0;
  s->registry->ResetStats();
  for (const Command* c : AllCommands()) {
    c->stats.Reset();
    for (const Command* sub : c->subs) sub->stats.Reset();
  }
}

void ConfigResetStat(CommandContext& ctx, Args&) {
  ResetStats(ctx.server);
  ctx.w->Ok();
}

void ConfigRewrite(CommandContext& ctx, Args&) {
  const Config& c = ctx.server->config;
  if (c.config_file.empty()) {
    return ctx.w->Error("ERR The server is running without a config file");
  }
  std::string error;
  if (!RewriteConfigFile(c, ctx.server->live, &error)) {
    spdlog::warn("CONFIG REWRITE failed: {}", error);
    return ctx.w->Error("ERR Rewriting config file: " + error);
  }
  spdlog::info("CONFIG REWRITE executed with success.");
  ctx.w->Ok();
}

void ConfigHelp(CommandContext& ctx, Args& a) {
  static const char* const kLines[] = {
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their "
      "values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
  };
  ReplyHelp(ctx.w, a[0], kLines);
}

constexpr uint32_t A = kCmdAdmin, L = kCmdLoading;

const CommandSpec kConfigSubcommands[] = {
    {"get", -3, A | L, ConfigGet, 0, 0, 0, "server",
     "Get the values of configuration parameters"},
    {"set", -4, A | L, ConfigSet, 0, 0, 0, "server",
     "Set configuration parameters"},
    {"resetstat", 2, A | L, ConfigResetStat, 0, 0, 0, "server",
     "Reset the server's statistics"},
    {"rewrite", 2, A | L, ConfigRewrite, 0, 0, 0, "server",
     "Persist the running configuration to the config file"},
    {"help", 2, L, ConfigHelp, 0, 0, 0, "server", "Show helpful text"},
};

const CommandSpec kCommands[] = {
    {"config", -2, A | L, nullptr, 0, 0, 0, "server",
     "Get or set configuration", kConfigSubcommands},
};

}  // namespace

std::span<const CommandSpec> ConfigCommands() { return kCommands; }

}  // namespace shale::server
