// LuaEngine: the interpreter's life (libraries, sandbox, compiled
// scripts), a run (KEYS/ARGV, the error handler, the time bound) and the
// capped allocator.
#include "server/scripting/lua_engine.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "server/scripting/lua_internal.h"

extern "C" {
#include <lua-bitop.h>
#include <lua-cjson.h>
}

namespace shale::server {
namespace {

// The hook's period, in VM instructions (Redis's too).
constexpr int kHookCount = 100000;
// A GC step every this many runs (Redis's LUA_GC_CYCLE_PERIOD).
constexpr uint64_t kGcPeriod = 50;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int Panic(lua_State* L) {
  spdlog::critical("lua: unprotected error: {}", LuaToString(L, -1));
  std::abort();
}

void OpenLib(lua_State* L, const char* name, lua_CFunction open,
             bool set_global) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 1);
  if (set_global) {
    lua_setglobal(L, name);
  } else {
    lua_pop(L, 1);
  }
}

// The message handler of a run (Redis's __redis__err__handler): makes the
// error a table {err=..., source=..., line=...}; a string error becomes
// "ERR " .. msg; the position is the raiser's, or its caller's when the
// raiser is a C function (error(), redis.call ...).
int ErrorHandler(lua_State* L) {
  lua_Debug ar;
  bool where = false;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar)) {
    where = true;
    if (std::strcmp(ar.what, "C") == 0) {
      where = lua_getstack(L, 2, &ar) && lua_getinfo(L, "Sl", &ar);
    }
  }
  if (!lua_istable(L, 1)) {
    std::string msg = "ERR " + LuaToString(L, 1);
    lua_newtable(L);
    lua_pushlstring(L, msg.data(), msg.size());
    lua_setfield(L, -2, "err");
    lua_replace(L, 1);
  }
  lua_settop(L, 1);
  if (where) {
    lua_pushstring(L, ar.source);
    lua_setfield(L, 1, "source");
    lua_pushinteger(L, ar.currentline);
    lua_setfield(L, 1, "line");
  }
  return 1;
}

// Pushes a fresh array of v's strings.
void PushArray(lua_State* L, std::span<const std::string> v) {
  lua_createtable(L, static_cast<int>(v.size()), 0);
  for (size_t i = 0; i < v.size(); i++) {
    lua_pushlstring(L, v[i].data(), v[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

// KEYS or ARGV: a fresh array in the real globals.
void SetArray(lua_State* L, const char* name, std::span<const std::string> v) {
  lua_getfield(L, LUA_REGISTRYINDEX, kRegGlobals);
  PushArray(L, v);
  lua_setfield(L, -2, name);  // the real table has no metatable
  lua_pop(L, 1);
}

}  // namespace

std::atomic<size_t> LuaEngine::total_memory_{0};

namespace {

// The engines running a script now (SCRIPT KILL's list).
std::mutex running_mu;
std::vector<LuaEngine*>* running = new std::vector<LuaEngine*>();

}  // namespace

LuaEngine::KillResult LuaEngine::KillRunning(bool functions) {
  std::lock_guard<std::mutex> l(running_mu);
  if (running->empty()) return KillResult::kNotBusy;
  KillResult r = KillResult::kOtherKind;
  for (LuaEngine* e : *running) {
    // run_ is set while the engine is listed (Run adds and removes it).
    if (e->run_->library.empty() == functions) continue;
    if (!e->dirty_.load(std::memory_order_acquire)) {
      e->kill_.store(true, std::memory_order_release);
      r = KillResult::kKilled;
    } else if (r == KillResult::kOtherKind) {
      r = KillResult::kUnkillable;
    }
  }
  return r;
}

bool LuaEngine::RunningFunction(RunningInfo* info) {
  std::lock_guard<std::mutex> l(running_mu);
  for (LuaEngine* e : *running) {
    if (e->run_->library.empty()) continue;
    info->name.assign(e->run_->name);
    info->command.assign(e->run_->command.begin(), e->run_->command.end());
    info->duration_ms = NowMs() - e->started_ms_;
    return true;
  }
  return false;
}

LuaEngine* LuaEngine::ForThread() {
  thread_local std::unique_ptr<LuaEngine> engine;
  if (!engine) engine.reset(new LuaEngine());
  return engine.get();
}

LuaEngine::LuaEngine() { Open(); }

LuaEngine::~LuaEngine() { Close(); }

LuaEngine* LuaEngine::From(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return static_cast<LuaEngine*>(ud);
}

void* LuaEngine::Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* e = static_cast<LuaEngine*>(ud);
  if (nsize == 0) {
    std::free(ptr);
    e->used_ -= osize;
    return nullptr;
  }
  if (e->capped_ && nsize > osize && e->used_ - osize + nsize > kMemoryLimit) {
    return nullptr;  // Lua raises "not enough memory"
  }
  void* p = std::realloc(ptr, nsize);
  if (p == nullptr) return nullptr;
  e->used_ = e->used_ - osize + nsize;
  return p;
}

void LuaEngine::Open() {
  L_ = lua_newstate(&LuaEngine::Alloc, this);
  lua_atpanic(L_, Panic);
  OpenLib(L_, "", luaopen_base, false);
  OpenLib(L_, LUA_TABLIBNAME, luaopen_table, false);
  OpenLib(L_, LUA_STRLIBNAME, luaopen_string, false);
  OpenLib(L_, LUA_MATHLIBNAME, luaopen_math, false);
  OpenLib(L_, "cjson", luaopen_cjson, true);
  OpenLib(L_, "bit", luaopen_bit, true);
  OpenLib(L_, "cmsgpack", OpenCmsgpack, true);
  OpenLib(L_, "struct", OpenStruct, true);
  // What Redis 7.0 leaves out of the base library.
  for (const char* name : {"dofile", "loadfile", "print", "newproxy"}) {
    lua_pushnil(L_);
    lua_setglobal(L_, name);
  }
  RegisterRedisApi(L_);
  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kRegScripts);
  InstallSandbox(L_);
  InstallFunctionSandbox(L_);
}

void LuaEngine::Close() {
  total_memory_.fetch_sub(published_, std::memory_order_relaxed);
  published_ = 0;
  if (L_ != nullptr) lua_close(L_);
  L_ = nullptr;
}

bool LuaEngine::Prepare(uint64_t gen, const std::string& sha,
                        std::string_view body, size_t shebang_len,
                        std::string* err) {
  if (gen != gen_) {
    // SCRIPT FLUSH: forget what this thread compiled.
    lua_newtable(L_);
    lua_setfield(L_, LUA_REGISTRYINDEX, kRegScripts);
    lua_gc(L_, LUA_GCCOLLECT, 0);
    gen_ = gen;
  }
  lua_getfield(L_, LUA_REGISTRYINDEX, kRegScripts);
  lua_getfield(L_, -1, sha.c_str());
  const bool have = lua_isfunction(L_, -1);
  lua_pop(L_, 1);
  if (have) {
    lua_pop(L_, 1);
    return true;
  }
  // The shebang line is left out, its line feed kept: line numbers stay
  // the user's.
  std::string_view code = body.substr(shebang_len);
  capped_ = true;
  const int rc = luaL_loadbuffer(L_, code.data(), code.size(), "@user_script");
  capped_ = false;
  if (rc != 0) {
    *err = "Error compiling script (new function): " + LuaToString(L_, -1);
    lua_pop(L_, 2);
    if (rc == LUA_ERRMEM) lua_gc(L_, LUA_GCCOLLECT, 0);
    return false;
  }
  lua_setfield(L_, -2, sha.c_str());
  lua_pop(L_, 1);
  return true;
}

void LuaEngine::Hook(lua_State* L, lua_Debug*) {
  LuaEngine* e = From(L);
  const bool kill = e->kill_.load(std::memory_order_acquire);
  if (!e->retry_ && !e->timed_out_ && !kill) {
    if (e->deadline_ms_ == 0 || NowMs() < e->deadline_ms_) return;
    e->timed_out_ = true;
    spdlog::warn("lua: script {} stopped after {} ms (busy-reply-threshold)",
                 e->run_->name, e->run_->time_limit_ms);
  }
  e->RaiseStop(L);
}

bool LuaEngine::Stopping() const {
  return retry_ || timed_out_ || kill_.load(std::memory_order_acquire);
}

void LuaEngine::RaiseStop(lua_State* L) {
  // From now on every instruction raises again, so that a pcall in the
  // script cannot catch the stop and go on.
  lua_sethook(L, &LuaEngine::Hook, LUA_MASKCOUNT, 1);
  if (retry_) {
    PushErrorTable(L, "ERR the script restarts holding every lock");
  } else if (timed_out_) {
    PushErrorTable(L, "ERR Script ran longer than busy-reply-threshold (" +
                          std::to_string(run_->time_limit_ms) +
                          " ms) and was stopped; its writes were discarded");
  } else {
    PushErrorTable(L, "Script killed by user with SCRIPT KILL...");
  }
  lua_error(L);
}

void LuaEngine::FlushLogs() {
  for (const ScriptLog& l : logs_) {
    static constexpr spdlog::level::level_enum kLevel[] = {
        spdlog::level::debug, spdlog::level::debug, spdlog::level::info,
        spdlog::level::warn};
    spdlog::log(kLevel[l.level], "{}", l.text);
  }
  logs_.clear();
}

LuaEngine::Outcome LuaEngine::Run(const ScriptRun& run, RespWriter* w) {
  run_ = &run;
  resp_ = 2;
  retry_ = false;
  timed_out_ = false;
  logs_.clear();
  started_ms_ = NowMs();
  {
    std::lock_guard<std::mutex> l(running_mu);
    kill_.store(false, std::memory_order_relaxed);
    dirty_.store(false, std::memory_order_relaxed);
    running->push_back(this);
  }
  const int base = lua_gettop(L_);
  lua_pushcfunction(L_, ErrorHandler);
  int nargs = 0;
  if (run.library.empty()) {
    lua_getfield(L_, LUA_REGISTRYINDEX, kRegScripts);
    lua_getfield(L_, -1, std::string(run.name).c_str());
    lua_remove(L_, -2);
    // A script may have changed its own environment or the thread's
    // (setfenv): every run starts from the sandbox's.
    lua_getfield(L_, LUA_REGISTRYINDEX, kRegProxy);
    lua_pushvalue(L_, -1);
    lua_replace(L_, LUA_GLOBALSINDEX);
    lua_setfenv(L_, -2);
    SetArray(L_, "KEYS", run.keys);
    SetArray(L_, "ARGV", run.argv);
  } else {
    // A function keeps the environment its library was loaded in; its
    // keys and arguments are its parameters.
    PushFunction(L_, run.library, run.name);
    lua_getfield(L_, LUA_REGISTRYINDEX, kRegFnEnv);
    lua_replace(L_, LUA_GLOBALSINDEX);
    PushArray(L_, run.keys);
    PushArray(L_, run.argv);
    nargs = 2;
  }
  deadline_ms_ = run.time_limit_ms > 0 ? NowMs() + run.time_limit_ms : 0;
  lua_sethook(L_, &LuaEngine::Hook, LUA_MASKCOUNT, kHookCount);
  capped_ = true;
  const int rc = lua_pcall(L_, nargs, 1, base + 1);
  capped_ = false;
  lua_sethook(L_, nullptr, 0, 0);
  {
    std::lock_guard<std::mutex> l(running_mu);
    std::erase(*running, this);
  }
  Outcome out = Outcome::kDone;
  if (retry_) {
    out = Outcome::kRetry;
  } else if (rc == 0) {
    WriteLuaReply(L_, w, resp_);
  } else if (lua_istable(L_, -1)) {
    // {err=..., source=..., line=...}: "-<err> script: <sha>, on
    // <source>:<line>." when the position is known.
    lua_getfield(L_, -1, "err");
    // A C string, as Redis reads it.
    std::string msg = lua_isstring(L_, -1) ? lua_tostring(L_, -1) : "";
    lua_getfield(L_, -2, "source");
    lua_getfield(L_, -3, "line");
    if (lua_isstring(L_, -2) && lua_isstring(L_, -1)) {
      msg += " script: " + std::string(run.name) + ", on " +
             LuaToString(L_, -2) + ":" + LuaToString(L_, -1) + ".";
    }
    w->Error(msg);
  } else {
    // Lua's own failures (out of memory, an error in the handler).
    std::string msg = LuaToString(L_, -1).substr(0, 100);
    w->Error("ERR Error running script " + std::string(run.name) + ", " + msg);
  }
  lua_settop(L_, base);
  run_ = nullptr;
  if (rc == LUA_ERRMEM) {
    lua_gc(L_, LUA_GCCOLLECT, 0);
  } else if (++runs_ % kGcPeriod == 0) {
    lua_gc(L_, LUA_GCSTEP, static_cast<int>(kGcPeriod));
  }
  if (out == Outcome::kDone) FlushLogs();
  logs_.clear();
  total_memory_.fetch_add(used_ - published_, std::memory_order_relaxed);
  published_ = used_;
  return out;
}

}  // namespace shale::server
