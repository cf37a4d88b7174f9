// Functions: FCALL FCALL_RO and FUNCTION LOAD|LIST|DELETE|FLUSH|DUMP|
// RESTORE|STATS|KILL|HELP, with Redis 7.0's replies (docs/protocols.md,
// "Functions"; the design in docs/impl.md, "Server: functions").
//
// The libraries are the server's FunctionRegistry (one set for every
// database and thread). A change compiles on the calling thread (so that
// its errors are the caller's reply), builds the next set from a copy of
// the current one, stores it (the `functions` server metadata entry, one
// engine write) and publishes it, all under the registry's change lock.
// FCALL runs on the calling thread's interpreter, which compiles the
// function's library first if it has not this version of it, then runs
// exactly as EVAL does (script_run.h).
#include <string>
#include <vector>

#include "server/rdb/function_payload.h"
#include "server/redis/command.h"
#include "server/redis/script_run.h"
#include "server/scripting/function_store.h"
#include "server/scripting/lua_engine.h"

namespace shale::server {
namespace {

void ReplyError(RespWriter* w, const std::string& msg) {
  ReplyErrorFormat(w, "ERR " + msg);
}

// Stores next and makes it the server's. REQUIRES: the registry's change
// lock is held. False (the error replied) if the engine write fails.
bool Commit(CommandContext& ctx, std::shared_ptr<FunctionSet> next) {
  Keyspace* ks = ctx.server->ks;
  Status s = StoreFunctions(ks->db(), ks->write_options(), *next);
  if (!s.ok()) {
    ReplyStatus(ctx.w, s);
    return false;
  }
  ctx.server->functions.Publish(std::move(next));
  return true;
}

void SyntaxError(CommandContext& ctx, const Args& a) {
  ctx.w->Error("ERR unknown subcommand or wrong number of arguments for '" +
               std::string(CString(a[1]).substr(0, 128)) +
               "'. Try FUNCTION HELP.");
}

void FcallGeneric(CommandContext& ctx, Args& a, bool ro) {
  std::shared_ptr<const FunctionSet> set = ctx.server->functions.Current();
  const FunctionSet::Entry* f = set->Find(a[1]);
  if (f == nullptr) return ctx.w->Error("ERR Function not found");
  int64_t numkeys;
  if (!ParseInt64(a[2], &numkeys)) {
    return ctx.w->Error("ERR Bad number of keys provided");
  }
  if (numkeys > static_cast<int64_t>(a.size()) - 3) {
    return ctx.w->Error(
        "ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0) {
    return ctx.w->Error("ERR Number of keys can't be negative");
  }
  const bool no_writes = (f->def->flags & kFnNoWrites) != 0;
  if (ro && !no_writes) {
    return ctx.w->Error(
        "ERR Can not execute a script with write flag using *_ro command.");
  }
  LuaEngine* engine = LuaEngine::ForThread();
  std::string err;
  if (!engine->EnsureLibrary(*set, *f->library, &err)) {
    return ReplyError(ctx.w, err);
  }
  const auto nk = static_cast<size_t>(numkeys);
  std::span<const std::string> all(a);
  ScriptRun run{f->def->name,
                f->library->name,
                all.subspan(3, nk),
                all.subspan(3 + nk),
                all,
                nullptr,
                ScriptTimeLimitMs(ctx)};
  RunScript(ctx, engine, run, ro || no_writes);
}

void Fcall(CommandContext& c, Args& a) { FcallGeneric(c, a, false); }
void FcallRo(CommandContext& c, Args& a) { FcallGeneric(c, a, true); }

void FunctionLoad(CommandContext& ctx, Args& a) {
  bool replace = false;
  size_t i = 2;
  for (; i + 1 < a.size(); i++) {
    if (!EqualsIgnoreCase(a[i], "replace")) {
      return ReplyError(ctx.w,
                        "Unknown option given: " + std::string(CString(a[i])));
    }
    replace = true;
  }
  if (i >= a.size()) {
    return ReplyError(ctx.w, "Function code is missing");  // "LOAD REPLACE"
  }
  FunctionRegistry& reg = ctx.server->functions;
  auto lock = reg.LockChanges();
  auto next = std::make_shared<FunctionSet>(*reg.Current());
  std::string err;
  std::shared_ptr<const Library> lib =
      AddLibrary(next.get(), a[i], replace, LuaEngine::ForThread(), true, &err);
  if (lib == nullptr) return ReplyError(ctx.w, err);
  if (Commit(ctx, std::move(next))) ctx.w->Bulk(lib->name);
}

void FunctionDelete(CommandContext& ctx, Args& a) {
  FunctionRegistry& reg = ctx.server->functions;
  auto lock = reg.LockChanges();
  auto next = std::make_shared<FunctionSet>(*reg.Current());
  if (next->libraries().count(a[2]) == 0) {
    return ctx.w->Error("ERR Library not found");
  }
  next->Remove(a[2]);
  if (Commit(ctx, std::move(next))) ctx.w->Ok();
}

void FunctionFlush(CommandContext& ctx, Args& a) {
  if (a.size() > 3) return SyntaxError(ctx, a);
  if (a.size() == 3 && !EqualsIgnoreCase(a[2], "sync") &&
      !EqualsIgnoreCase(a[2], "async")) {
    return ctx.w->Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  FunctionRegistry& reg = ctx.server->functions;
  auto lock = reg.LockChanges();
  if (Commit(ctx, std::make_shared<FunctionSet>())) ctx.w->Ok();
}

void WriteFlags(RespWriter* w, uint32_t flags) {
  size_t n = 0;
  for (const FunctionFlagName& f : kFunctionFlags) n += (flags & f.flag) != 0;
  w->Set(n);
  for (const FunctionFlagName& f : kFunctionFlags) {
    if (flags & f.flag) w->Simple(f.name);
  }
}

void FunctionList(CommandContext& ctx, Args& a) {
  bool with_code = false;
  const std::string* pattern = nullptr;
  for (size_t i = 2; i < a.size(); i++) {
    if (!with_code && EqualsIgnoreCase(a[i], "withcode")) {
      with_code = true;
      continue;
    }
    if (pattern == nullptr && EqualsIgnoreCase(a[i], "libraryname")) {
      if (i + 1 >= a.size()) {
        return ctx.w->Error("ERR library name argument was not given");
      }
      pattern = &a[++i];
      continue;
    }
    return ReplyError(ctx.w, "Unknown argument " + std::string(CString(a[i])));
  }
  std::shared_ptr<const FunctionSet> set = ctx.server->functions.Current();
  std::vector<const Library*> libs;
  for (const auto& [name, lib] : set->libraries()) {
    if (pattern != nullptr && !GlobMatch(*pattern, name, true)) continue;
    libs.push_back(lib.get());
  }
  RespWriter* w = ctx.w;
  w->Array(libs.size());
  for (const Library* lib : libs) {
    w->Map(with_code ? 4 : 3);
    w->Bulk("library_name");
    w->Bulk(lib->name);
    w->Bulk("engine");
    w->Bulk("LUA");
    w->Bulk("functions");
    w->Array(lib->functions.size());
    for (const FunctionDef& f : lib->functions) {
      w->Map(3);
      w->Bulk("name");
      w->Bulk(f.name);
      w->Bulk("description");
      if (f.description) {
        w->Bulk(*f.description);
      } else {
        w->Null();
      }
      w->Bulk("flags");
      WriteFlags(w, f.flags);
    }
    if (with_code) {
      w->Bulk("library_code");
      w->Bulk(lib->code);
    }
  }
}

void FunctionStats(CommandContext& ctx, Args&) {
  RespWriter* w = ctx.w;
  std::shared_ptr<const FunctionSet> set = ctx.server->functions.Current();
  w->Map(2);
  w->Bulk("running_script");
  LuaEngine::RunningInfo running;
  if (LuaEngine::RunningFunction(&running)) {
    w->Map(3);
    w->Bulk("name");
    w->Bulk(running.name);
    w->Bulk("command");
    w->Array(running.command.size());
    for (const std::string& arg : running.command) w->Bulk(arg);
    w->Bulk("duration_ms");
    w->Int(running.duration_ms);
  } else {
    w->Null();
  }
  w->Bulk("engines");
  w->Map(1);
  w->Bulk("LUA");
  w->Map(2);
  w->Bulk("libraries_count");
  w->Int(static_cast<int64_t>(set->libraries().size()));
  w->Bulk("functions_count");
  w->Int(static_cast<int64_t>(set->function_count()));
}

void FunctionKill(CommandContext& ctx, Args&) {
  ReplyKill(ctx.w, LuaEngine::KillRunning(true), true);
}

void FunctionDump(CommandContext& ctx, Args&) {
  // As Redis: rdbcompression no writes every string uncompressed.
  const bool compress = ctx.server->live.Value("rdbcompression") == "yes";
  ctx.w->Bulk(EncodeFunctionSet(*ctx.server->functions.Current(), compress));
}

// Redis's libraryJoin: adds src's libraries to *dst; a library dst has
// already is an error unless replace (then src's wins); a function of src
// that another library of dst has is an error either way.
bool JoinLibraries(FunctionSet* dst, const FunctionSet& src, bool replace,
                   std::string* err) {
  for (const auto& [name, lib] : src.libraries()) {
    if (dst->libraries().count(name) != 0) {
      if (!replace) {
        *err = "Library " + name + " already exists";
        return false;
      }
      dst->Remove(name);
    }
  }
  for (const auto& [name, lib] : src.libraries()) {
    if (const std::string* dup = dst->Collision(*lib)) {
      *err = "Function " + *dup + " already exists";
      return false;
    }
  }
  for (const auto& [name, lib] : src.libraries()) dst->Add(lib);
  return true;
}

void FunctionRestore(CommandContext& ctx, Args& a) {
  if (a.size() > 4) return SyntaxError(ctx, a);
  enum class Policy { kAppend, kReplace, kFlush } policy = Policy::kAppend;
  if (a.size() == 4) {
    if (EqualsIgnoreCase(a[3], "append")) {
      policy = Policy::kAppend;
    } else if (EqualsIgnoreCase(a[3], "replace")) {
      policy = Policy::kReplace;
    } else if (EqualsIgnoreCase(a[3], "flush")) {
      policy = Policy::kFlush;
    } else {
      return ctx.w->Error(
          "ERR Wrong restore policy given, value should be either FLUSH, "
          "APPEND or REPLACE.");
    }
  }
  std::vector<std::string> codes;
  std::string decode_err, err;
  const bool decoded = rdb::DecodeFunctions(a[2], &codes, &decode_err);
  FunctionRegistry& reg = ctx.server->functions;
  auto lock = reg.LockChanges();
  auto restored = std::make_shared<FunctionSet>();
  if (!LibrariesFromCodes(codes, true, restored.get(), &err)) {
    return ReplyError(ctx.w, err);
  }
  if (!decoded) return ReplyError(ctx.w, decode_err);
  std::shared_ptr<FunctionSet> next = restored;
  if (policy != Policy::kFlush) {
    next = std::make_shared<FunctionSet>(*reg.Current());
    if (!JoinLibraries(next.get(), *restored, policy == Policy::kReplace,
                       &err)) {
      return ReplyError(ctx.w, err);
    }
  }
  if (Commit(ctx, std::move(next))) ctx.w->Ok();
}

void FunctionHelp(CommandContext& ctx, Args& a) {
  static constexpr const char* kLines[] = {
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern "
      "using LIBRARYNAME argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is "
      "determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, "
      "can be restored using FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is "
      "possible to give a restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing "
      "libraries. On collision, abort.",
      "    * REPLACE: appends the restored libraries to the existing "
      "libraries, On collision, replace the old",
      "      libraries with the new libraries (notice that even on this "
      "option there is a chance of failure",
      "      in case of functions name collision with another library).",
  };
  ReplyHelp(ctx.w, a[0], kLines);
}

constexpr uint32_t S = kCmdScript | kCmdNoScript | kCmdMayReplicate;
constexpr uint32_t W = kCmdWrite | kCmdNoScript;

const CommandSpec kFunctionSubcommands[] = {
    {"load", -3, W, FunctionLoad, 0, 0, 0, "scripting",
     "Create a function library"},
    {"delete", 3, W, FunctionDelete, 0, 0, 0, "scripting",
     "Delete a library and its functions"},
    {"flush", -2, W, FunctionFlush, 0, 0, 0, "scripting",
     "Delete every library and function"},
    {"list", -2, kCmdNoScript, FunctionList, 0, 0, 0, "scripting",
     "Information about the libraries and their functions"},
    {"stats", 2, kCmdNoScript, FunctionStats, 0, 0, 0, "scripting",
     "Information about the running function and the engines"},
    {"kill", 2, kCmdNoScript, FunctionKill, 0, 0, 0, "scripting",
     "Stop the running function"},
    {"dump", 2, kCmdNoScript, FunctionDump, 0, 0, 0, "scripting",
     "The serialized payload of every library"},
    {"restore", -3, W, FunctionRestore, 0, 0, 0, "scripting",
     "Restore libraries from a serialized payload"},
    {"help", 2, kCmdLoading, FunctionHelp, 0, 0, 0, "scripting",
     "Show helpful text"},
};

const CommandSpec kCommands[] = {
    {"fcall", -3, S, Fcall, 0, 0, 0, "scripting", "Call a function"},
    {"fcall_ro", -3, S, FcallRo, 0, 0, 0, "scripting",
     "Call a read-only function"},
    {"function", -2, kCmdNoScript, nullptr, 0, 0, 0, "scripting",
     "Manage function libraries", kFunctionSubcommands},
};

}  // namespace

std::span<const CommandSpec> FunctionCommands() { return kCommands; }

}  // namespace shale::server
