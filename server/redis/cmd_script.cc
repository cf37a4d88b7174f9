// Scripts: EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT LOAD|EXISTS|FLUSH|
// KILL|DEBUG|HELP, with Redis 7.0's replies (docs/protocols.md,
// "Scripting"; the path of a call in docs/impl.md, "Server: scripts").
//
// A script runs in the calling command's Tx, on this thread's interpreter
// (scripting/lua_engine.h). Atomicity: the Tx first locks the stripes of
// the declared KEYS; each command the script calls takes the stripes of
// its own keys with Tx::TryLockMore (never waiting, so never deadlocking
// with another Tx). If one is busy, or the command has no keys to lock
// (KEYS, SCAN, PUBLISH, FLUSHDB ...), the run is thrown away (its writes
// were still pending in the Tx, nothing escaped it) and the script runs
// again from the start holding every stripe. Either way no other command
// touches what the script reads or writes while it runs, and its writes
// and its reply are one commit. Inside EXEC the Tx already holds every
// stripe (EXEC locks all when a script is queued).
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "server/redis/command.h"
#include "server/redis/monitor.h"
#include "server/redis/resp_session.h"
#include "server/redis/script_run.h"
#include "server/scripting/lua_engine.h"
#include "server/scripting/script_cache.h"
#include "server/util/sha1.h"

namespace shale::server {
namespace {

// Redis 7.0's commands flagged "noscript" that shale has (the subscribe
// family carries kCmdNoScript in its table).
bool NoScript(const Command& cmd, const Args& args) {
  if (cmd.flags & kCmdNoScript) return true;
  static constexpr std::string_view kNames[] = {
      "auth",     "hello", "multi",    "exec",         "discard",    "watch",
      "unwatch",  "eval",  "evalsha",  "eval_ro",      "evalsha_ro", "reset",
      "quit",     "blpop", "brpop",    "brpoplpush",   "blmove",     "bzpopmin",
      "bzpopmax", "save",  "bgsave",   "bgrewriteaof", "shutdown",   "monitor",
      "sync",     "psync", "replconf", "replicaof",    "slaveof",    "wait",
      "debug",    "role",  "failover", "fcall",        "fcall_ro"};
  const Command* top = cmd.parent != nullptr ? cmd.parent : &cmd;
  // Every subcommand of these but HELP.
  static constexpr std::string_view kContainers[] = {
      "script", "config", "function", "acl", "latency", "client", "module"};
  for (auto n : kContainers) {
    if (top->name == n) {
      // Containers shale's table lists as one command (CLIENT) parse
      // their subcommand themselves.
      std::string_view sub = cmd.parent != nullptr ? cmd.name
                             : args.size() >= 2    ? std::string_view(args[1])
                                                   : "";
      return !sub.empty() && !EqualsIgnoreCase(sub, "help");
    }
  }
  for (auto n : kNames) {
    if (top->name == n) return true;
  }
  return false;
}

// Keyless commands that read or write no key and have no effect outside
// the reply: they run in a script holding only its keys' stripes.
bool Harmless(const Command& cmd) {
  static constexpr std::string_view kNames[] = {
      "ping", "echo", "time", "select", "lastsave", "command", "info"};
  const Command* top = cmd.parent != nullptr ? cmd.parent : &cmd;
  for (auto n : kNames) {
    if (top->name == n) return true;
  }
  return false;
}

// SORT's BY and GET read keys named by patterns: they need every stripe.
bool SortReadsPatterns(const Command& cmd, const Args& args) {
  std::string_view name = cmd.name;
  if (name != "sort" && name != "sort_ro") return false;
  for (size_t i = 2; i < args.size(); i++) {
    if (OptionIs(args[i], "by") || OptionIs(args[i], "get")) return true;
  }
  return false;
}

class CommandHost : public ScriptHost {
 public:
  CommandHost(CommandContext& ctx, bool read_only, bool all)
      : ctx_(ctx), read_only_(read_only), all_(all) {}

  CallStatus Call(std::vector<std::string>& args, int resp,
                  std::string* out) override {
    const Command* cmd = LookupCommand(args[0]);
    if (cmd != nullptr && cmd->container() && args.size() >= 2) {
      cmd = cmd->FindSubcommand(args[1]);
    }
    if (cmd == nullptr) {
      *out = "Unknown Redis command called from script";
      return CallStatus::kRefused;
    }
    const int n = static_cast<int>(args.size());
    if ((cmd->arity > 0 && n != cmd->arity) || n < -cmd->arity) {
      *out = "Wrong number of args calling Redis command from script";
      return CallStatus::kRefused;
    }
    if (NoScript(*cmd, args)) {
      *out = "This Redis command is not allowed from script";
      return CallStatus::kRefused;
    }
    if ((cmd->flags & kCmdWrite) && read_only_) {
      *out = "Write commands are not allowed from read-only scripts.";
      return CallStatus::kRefused;
    }
    Tx* tx = ctx_.tx;
    if (!all_) {
      keys_.clear();
      CommandKeys(*cmd, args, tx->db(), &keys_);
      if ((cmd->flags & kCmdAllKeys) || SortReadsPatterns(*cmd, args) ||
          (keys_.empty() && !Harmless(*cmd))) {
        return CallStatus::kRetry;
      }
      for (const Tx::DbKey& k : keys_) {
        if (!tx->TryLockMore(k.db, k.key)) return CallStatus::kRetry;
      }
    }
    RespWriter w(out);
    w.set_version(resp);
    w.set_error_sink(&ctx_.server->errors);
    if (cmd->first_key > 0 && !(cmd->flags & kCmdNotKey)) {
      const int last = cmd->last_key < 0 ? n + cmd->last_key : cmd->last_key;
      for (int i = cmd->first_key; i <= last && i < n; i += cmd->step) {
        if (args[static_cast<size_t>(i)].size() >
            ctx_.server->config.max_key_bytes) {
          w.Error("ERR key is too large (max_key_bytes is " +
                  std::to_string(ctx_.server->config.max_key_bytes) + ")");
          return CallStatus::kReply;
        }
      }
    }
    CommandContext c{ctx_.server, ctx_.client, ctx_.session, &w, tx};
    ScriptCallScope from_script;  // MONITOR shows it as `lua`
    CallCommand(cmd, c, args);
    return CallStatus::kReply;
  }

  bool Dirty() override { return !ctx_.tx->empty(); }

  bool KnownCommand(const std::vector<std::string>& args) override {
    const Command* cmd = LookupCommand(args[0]);
    if (cmd != nullptr && cmd->container() && args.size() >= 2) {
      cmd = cmd->FindSubcommand(args[1]);
    }
    return cmd != nullptr;
  }

 private:
  CommandContext& ctx_;
  const bool read_only_;
  const bool all_;
  std::vector<Tx::DbKey> keys_;
};

}  // namespace

int64_t ScriptTimeLimitMs(CommandContext& ctx) {
  static const LiveConfig::Ref kBusy =
      LiveConfig::Resolve("busy-reply-threshold");
  return ctx.server->live.Int(kBusy);
}

void ReplyKill(RespWriter* w, LuaEngine::KillResult r, bool functions) {
  switch (r) {
    case LuaEngine::KillResult::kNotBusy:
      return w->Error("NOTBUSY No scripts in execution right now.");
    case LuaEngine::KillResult::kUnkillable:
      return w->Error(
          "UNKILLABLE Sorry the script already executed write commands "
          "against the dataset. You can either wait the script termination "
          "or kill the server in a hard way using the SHUTDOWN NOSAVE "
          "command.");
    case LuaEngine::KillResult::kOtherKind:
      return w->Error(functions
                          ? "BUSY Redis is busy running a script. You can only "
                            "call SCRIPT KILL or SHUTDOWN NOSAVE."
                          : "BUSY Redis is busy running a script. You can only "
                            "call FUNCTION KILL or SHUTDOWN NOSAVE.");
    case LuaEngine::KillResult::kKilled:
      return w->Ok();
  }
}

void RunScript(CommandContext& ctx, LuaEngine* engine, ScriptRun& run,
               bool read_only) {
  Tx* tx = ctx.tx;
  const int db = tx->db();
  const int client_db = ctx.client->db.load(std::memory_order_relaxed);
  // Inside EXEC the Tx holds every stripe already.
  const bool in_exec = tx->locked();
  bool all_locked = in_exec;
  if (!all_locked) {
    std::vector<Tx::DbKey> keys;
    for (const std::string& k : run.keys) keys.push_back({db, k});
    tx->LockKeys(keys);
  }
  if (ctx.session != nullptr) ctx.session->set_in_script(true);
  for (;;) {
    CommandHost host(ctx, read_only, all_locked);
    run.host = &host;
    const LuaEngine::Outcome out = engine->Run(run, ctx.w);
    // A SELECT inside the script does not outlive it.
    tx->set_db(db);
    ctx.client->db.store(client_db, std::memory_order_relaxed);
    if (out == LuaEngine::Outcome::kDone) {
      if ((engine->timed_out() || engine->killed()) && !in_exec) {
        // A stopped script's writes are dropped (its error is the reply).
        tx->Release();
        tx->Begin(db);
      }
      break;
    }
    // Again from the start, holding every stripe (nothing was written).
    tx->Release();
    tx->Begin(db);
    tx->LockAll();
    all_locked = true;
  }
  if (ctx.session != nullptr) ctx.session->set_in_script(false);
}

namespace {

struct Shebang {
  size_t len = 0;  // the shebang line's bytes, up to its line feed
  bool no_writes = false;
};

// Reads a `#!lua flags=...` first line as Redis 7.0 does; returns the
// error text ("" if none).
std::string ParseShebang(std::string_view body, Shebang* s) {
  if (!body.starts_with("#!")) return "";
  const size_t nl = body.find('\n');
  // Redis looks for the line feed with strchr: a NUL ends the search.
  const size_t nul = body.find('\0');
  if (nl == std::string_view::npos ||
      (nul != std::string_view::npos && nul < nl)) {
    return "Invalid script shebang";
  }
  s->len = nl;
  std::vector<std::string_view> parts;
  std::string_view line = body.substr(0, nl);
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
      i++;
    if (i == line.size()) break;
    size_t j = i;
    while (j < line.size() &&
           !std::isspace(static_cast<unsigned char>(line[j])))
      j++;
    parts.push_back(line.substr(i, j - i));
    i = j;
  }
  if (parts.empty()) return "Invalid engine in script shebang";
  if (parts[0] != "#!lua") {
    return "Unexpected engine in script shebang: " + std::string(parts[0]);
  }
  for (size_t p = 1; p < parts.size(); p++) {
    if (!parts[p].starts_with("flags=")) {
      return "Unknown lua shebang option: " + std::string(parts[p]);
    }
    std::string_view flags = parts[p].substr(6);
    if (flags.empty()) continue;
    size_t start = 0;
    for (;;) {
      const size_t comma = flags.find(',', start);
      std::string_view f = flags.substr(start, comma == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : comma - start);
      if (f == "no-writes") {
        s->no_writes = true;
      } else if (f != "allow-oom" && f != "allow-stale" && f != "no-cluster" &&
                 f != "allow-cross-slot-keys") {
        return "Unexpected flag in script shebang: " + std::string(f);
      }
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return "";
}

void EvalGeneric(CommandContext& ctx, Args& a, bool by_sha, bool ro) {
  int64_t numkeys;
  if (!ParseInt64(a[2], &numkeys)) return ctx.w->Error(kErrNotInt);
  if (numkeys > static_cast<int64_t>(a.size()) - 3) {
    return ctx.w->Error(
        "ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0) {
    return ctx.w->Error("ERR Number of keys can't be negative");
  }
  ScriptCache& cache = ctx.server->scripts;
  std::shared_ptr<const std::string> body;
  std::string sha;
  if (by_sha) {
    body = cache.Find(a[1]);
    if (body == nullptr) {
      return ctx.w->Error("NOSCRIPT No matching script. Please use EVAL.");
    }
    sha = Lower(a[1]);
  } else {
    sha = Sha1Hex(a[1]);
  }
  std::string_view text = by_sha ? std::string_view(*body) : a[1];
  Shebang shebang;
  if (std::string e = ParseShebang(text, &shebang); !e.empty()) {
    return ReplyErrorFormat(ctx.w, "ERR " + e);
  }
  LuaEngine* engine = LuaEngine::ForThread();
  std::string err;
  if (!engine->Prepare(cache.generation(), sha, text, shebang.len, &err)) {
    return ReplyErrorFormat(ctx.w, "ERR " + err);
  }
  if (!by_sha) cache.Add(sha, a[1]);

  const auto nk = static_cast<size_t>(numkeys);
  std::span<const std::string> all(a);
  ScriptRun run{sha, {},      all.subspan(3, nk),    all.subspan(3 + nk),
                all, nullptr, ScriptTimeLimitMs(ctx)};
  RunScript(ctx, engine, run, ro || shebang.no_writes);
}

void Eval(CommandContext& c, Args& a) { EvalGeneric(c, a, false, false); }
void EvalSha(CommandContext& c, Args& a) { EvalGeneric(c, a, true, false); }
void EvalRo(CommandContext& c, Args& a) { EvalGeneric(c, a, false, true); }
void EvalShaRo(CommandContext& c, Args& a) { EvalGeneric(c, a, true, true); }

void ScriptLoad(CommandContext& ctx, Args& a) {
  Shebang shebang;
  if (std::string e = ParseShebang(a[2], &shebang); !e.empty()) {
    return ReplyErrorFormat(ctx.w, "ERR " + e);
  }
  const std::string sha = Sha1Hex(a[2]);
  std::string err;
  if (!LuaEngine::ForThread()->Prepare(ctx.server->scripts.generation(), sha,
                                       a[2], shebang.len, &err)) {
    return ReplyErrorFormat(ctx.w, "ERR " + err);
  }
  ctx.server->scripts.Add(sha, a[2]);
  ctx.w->Bulk(sha);
}

void ScriptExists(CommandContext& ctx, Args& a) {
  ctx.w->Array(a.size() - 2);
  for (size_t i = 2; i < a.size(); i++) {
    ctx.w->Int(ctx.server->scripts.Exists(a[i]) ? 1 : 0);
  }
}

void ScriptFlush(CommandContext& ctx, Args& a) {
  if (a.size() > 3 || (a.size() == 3 && !EqualsIgnoreCase(a[2], "sync") &&
                       !EqualsIgnoreCase(a[2], "async"))) {
    return ctx.w->Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  ctx.server->scripts.Flush();
  ctx.w->Ok();
}

void ScriptKill(CommandContext& ctx, Args&) {
  ReplyKill(ctx.w, LuaEngine::KillRunning(false), false);
}

void ScriptDebug(CommandContext& ctx, Args& a) {
  if (EqualsIgnoreCase(a[2], "no")) return ctx.w->Ok();
  if (EqualsIgnoreCase(a[2], "yes") || EqualsIgnoreCase(a[2], "sync")) {
    return ctx.w->Error("ERR shale has no Lua debugger");
  }
  ctx.w->Error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
}

void ScriptHelp(CommandContext& ctx, Args& a) {
  static constexpr const char* kLines[] = {
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the "
      "script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is "
      "determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
  };
  ReplyHelp(ctx.w, a[0], kLines);
}

constexpr uint32_t S = kCmdScript | kCmdNoScript | kCmdMayReplicate;

const CommandSpec kScriptSubcommands[] = {
    {"load", 3, kCmdNoScript, ScriptLoad, 0, 0, 0, "scripting",
     "Load a script into the script cache"},
    {"exists", -3, kCmdNoScript, ScriptExists, 0, 0, 0, "scripting",
     "Whether scripts are in the script cache"},
    {"flush", -2, kCmdNoScript, ScriptFlush, 0, 0, 0, "scripting",
     "Empty the script cache"},
    {"kill", 2, kCmdNoScript, ScriptKill, 0, 0, 0, "scripting",
     "Stop the running script"},
    {"debug", 3, kCmdNoScript, ScriptDebug, 0, 0, 0, "scripting",
     "Set the debug mode of scripts"},
    {"help", 2, kCmdLoading, ScriptHelp, 0, 0, 0, "scripting",
     "Show helpful text"},
};

const CommandSpec kCommands[] = {
    {"eval", -3, S, Eval, 0, 0, 0, "scripting", "Run a Lua script"},
    {"evalsha", -3, S, EvalSha, 0, 0, 0, "scripting",
     "Run a cached Lua script"},
    {"eval_ro", -3, S, EvalRo, 0, 0, 0, "scripting",
     "Run a read-only Lua script"},
    {"evalsha_ro", -3, S, EvalShaRo, 0, 0, 0, "scripting",
     "Run a cached read-only Lua script"},
    {"script", -2, kCmdNoScript, nullptr, 0, 0, 0, "scripting",
     "Manage the script cache", kScriptSubcommands},
};

}  // namespace

std::span<const CommandSpec> ScriptCommands() { return kCommands; }

}  // namespace shale::server
