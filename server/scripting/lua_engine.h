// LuaEngine: one Lua 5.1 interpreter (Debian's liblua5.1) per I/O thread,
// with Redis 7.0's sandbox and its `redis` library, running EVAL scripts
// and FCALL functions (docs/impl.md, "Server: scripts" and "Server:
// functions").
//
// Per thread, not per server: a script runs on the thread of the client
// that called it, holding the stripe locks of the keys it touches (see
// cmd_script.cc), so scripts on disjoint keys run side by side on other
// threads; one interpreter would serialize them all behind one mutex. A
// thread compiles a script the first time it runs it (from the server's
// ScriptCache) and forgets what it compiled when the cache's generation
// moves (SCRIPT FLUSH). math.random is one sequence for the whole server,
// as Redis's single interpreter gives (lua_redis_api.cc).
//
// The sandbox: the base (without dofile, loadfile, print, newproxy),
// table, string, math, cjson, bit, cmsgpack and struct (lua_cmsgpack.cc,
// lua_struct.cc) libraries; globals read through a read-only proxy: reading
// a missing one raises "Script attempted to access nonexistent global
// variable 'x'", writing any global or a library's field raises "Attempt to
// modify a readonly table", as Redis 7.0's read-only tables do.
//
// Bounds: the interpreter's memory is capped (kMemoryLimit: an allocation
// past it fails, the script gets Lua's "not enough memory"); a script that
// runs past its time limit is stopped with an error (its writes, still
// pending in its Tx, are dropped by the caller).
//
// Functions (lua_functions.cc) live in the same interpreter, in an
// environment of their own: while a library's code loads, its globals are
// only Redis's load-time API (redis.register_function, redis.log and the
// version fields); when a function runs they are the scripts' globals
// without KEYS and ARGV (a function gets its keys and arguments as its two
// parameters). A thread compiles a library the first time it calls one of
// its functions (by the library's id: function_library.h).
//
// Thread safety: an engine belongs to its thread (ForThread).
#ifndef SHALE_SERVER_SCRIPTING_LUA_ENGINE_H_
#define SHALE_SERVER_SCRIPTING_LUA_ENGINE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/protocol/resp/resp_writer.h"
#include "server/scripting/function_library.h"

struct lua_State;
struct lua_Debug;

namespace shale::server {

// What a running script reaches outside Lua: the command layer runs
// redis.call's commands (cmd_script.cc implements it).
class ScriptHost {
 public:
  enum class CallStatus {
    kReply,    // *out holds the command's reply, RESP in version resp
    kRefused,  // *out holds why the script may not run it (no "ERR ")
    kRetry,    // the run must start again holding every lock
  };
  virtual ~ScriptHost() = default;
  // Runs args (args[0] the command name) for the script.
  virtual CallStatus Call(std::vector<std::string>& args, int resp,
                          std::string* out) = 0;
  // True if args names a command (redis.acl_check_cmd: there are no ACLs,
  // every known command is allowed).
  virtual bool KnownCommand(const std::vector<std::string>& args) = 0;
  // True once the run has written something (SCRIPT KILL refuses then).
  virtual bool Dirty() = 0;
};

// One redis.log line, kept until the run ends (a run that starts again
// logs once).
struct ScriptLog {
  int level;  // 0 debug .. 3 warning (Redis's LL_*)
  std::string text;
};

struct ScriptRun {
  // EVAL: the script's SHA-1 (lowercase hex, as ScriptCache names it);
  // FCALL: the function's name.
  std::string_view name;
  // FCALL: the function's library (empty for EVAL).
  std::string_view library;
  std::span<const std::string> keys, argv;
  // The command that runs it, as sent (FUNCTION STATS shows it).
  std::span<const std::string> command;
  ScriptHost* host;
  int64_t time_limit_ms;  // <= 0: no limit
};

class LuaEngine {
 public:
  // The interpreter's memory cap, bytes.
  static constexpr size_t kMemoryLimit = 256u << 20;

  // The calling thread's engine (created at its first call).
  static LuaEngine* ForThread();

  LuaEngine(const LuaEngine&) = delete;
  LuaEngine& operator=(const LuaEngine&) = delete;
  ~LuaEngine();

  // Compiles body as the script sha unless this thread has it already in
  // generation gen (ScriptCache::generation; a newer one drops every
  // compiled script first). body is the whole script; a shebang line
  // (`#!lua ...`, checked by the caller) is left out but its line kept.
  // False with *err set to the reply's text ("Error compiling script (new
  // function): user_script:1: ...") if it does not compile.
  bool Prepare(uint64_t gen, const std::string& sha, std::string_view body,
               size_t shebang_len, std::string* err);

  // --- functions (lua_functions.cc) ---

  // Runs a library's code (body: after its shebang line) with the load-time
  // API, collecting what it registers into *defs (in registration order)
  // and keeping the compiled functions aside until InstallLoaded. False
  // with *err set to Redis's text (without "ERR "): "Error compiling
  // function: ...", "Error registering functions: ...". log: redis.log
  // lines reach the server's log (else they are dropped: a library loaded
  // again by another thread logs nothing).
  bool LoadLibrary(std::string_view body, bool log,
                   std::vector<FunctionDef>* defs, std::string* err);
  // Makes the functions of the last successful LoadLibrary this thread's
  // library `name`, id `id`.
  void InstallLoaded(const std::string& name, uint64_t id);
  // Makes lib callable on this thread (compiling it unless this thread has
  // its id already), after dropping the libraries set no longer has when
  // set's generation is new to this thread. False with *err set.
  bool EnsureLibrary(const FunctionSet& set, const Library& lib,
                     std::string* err);

  // A running function, as FUNCTION STATS shows it.
  struct RunningInfo {
    std::string name;
    std::vector<std::string> command;
    int64_t duration_ms = 0;
  };
  // The first running function of any thread; false if none runs.
  static bool RunningFunction(RunningInfo* info);

  enum class Outcome { kDone, kRetry };
  // Runs the prepared script run.sha: writes exactly one reply to w
  // (the script's result or its error, converted as Redis 7.0 does),
  // unless the host asked for a retry (kRetry: nothing written).
  Outcome Run(const ScriptRun& run, RespWriter* w);

  // SCRIPT KILL (functions false) and FUNCTION KILL (true): stops every
  // running script of that kind (EVAL or FCALL) that has not written (from
  // its next hook call on, as Redis's: "Script killed by user with SCRIPT
  // KILL..."). kOtherKind: only scripts of the other kind run. Any thread.
  enum class KillResult { kNotBusy, kKilled, kUnkillable, kOtherKind };
  static KillResult KillRunning(bool functions);

  // True if the last Run was stopped by its time limit.
  bool timed_out() const { return timed_out_; }
  // True if the last Run was stopped by SCRIPT KILL.
  bool killed() const { return kill_.load(std::memory_order_relaxed); }
  // Bytes the interpreter holds now.
  size_t memory() const { return used_; }
  // Bytes every thread's interpreter held at the end of its last run
  // (INFO's used_memory_lua).
  static size_t TotalMemory() {
    return total_memory_.load(std::memory_order_relaxed);
  }

 private:
  LuaEngine();
  void Open();
  void Close();
  // Lua's allocator, capped while a script runs.
  static void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize);
  static void Hook(lua_State* L, lua_Debug* ar);
  static LuaEngine* From(lua_State* L);
  // A retry, the time limit or SCRIPT KILL is unwinding the run.
  bool Stopping() const;
  // Raises the error that unwinds it (and makes every instruction raise
  // again).
  void RaiseStop(lua_State* L);
  // Writes the redis.log lines kept in logs_ to the server's log.
  void FlushLogs();

  // The redis.* functions (lua_redis_api.cc).
  friend struct LuaApi;
  // redis.register_function and the load hook (lua_functions.cc).
  friend struct FunctionLoadApi;

  lua_State* L_ = nullptr;
  size_t used_ = 0;
  bool capped_ = false;  // the limit applies (a script is running)
  uint64_t gen_ = 0;
  uint64_t runs_ = 0;  // for the periodic GC step

  // The current run (nullptr between runs).
  const ScriptRun* run_ = nullptr;
  int resp_ = 2;            // redis.setresp's
  bool retry_ = false;      // the host asked for a retry: unwind
  bool timed_out_ = false;  // the time limit passed: unwind
  int64_t deadline_ms_ = 0;
  std::vector<ScriptLog> logs_;  // redis.log's, written when the run ends
  int64_t started_ms_ = 0;       // the current run's start

  // Functions: the libraries this thread compiled (name -> id; their
  // functions are in the Lua registry), and the generation of the set
  // they were last checked against.
  std::unordered_map<std::string, uint64_t> libraries_;
  uint64_t functions_gen_ = 0;
  // The library being loaded (nullptr otherwise).
  struct LoadCtx {
    std::vector<FunctionDef>* defs;
    int64_t deadline_ms;
  };
  LoadCtx* load_ = nullptr;
  size_t published_ = 0;  // used_ as last added to total_memory_
  static std::atomic<size_t> total_memory_;
  // SCRIPT KILL's view of the run, read by other threads.
  std::atomic<bool> kill_{false};
  std::atomic<bool> dirty_{false};
};

}  // namespace shale::server

#endif  // SHALE_SERVER_SCRIPTING_LUA_ENGINE_H_
