// LuaEngine's functions: loading a library's code with Redis 7.0's
// load-time API (redis.register_function and its argument checks, the
// 500 ms load bound) and keeping each thread's compiled libraries in step
// with the server's (function_registry.h).
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>

#include "server/scripting/lua_engine.h"
#include "server/scripting/lua_internal.h"

namespace shale::server {
namespace {

// Redis's bound on running a library's code at load (its
// LOAD_TIMEOUT_MS), and its hook period.
constexpr int64_t kLoadTimeoutMs = 500;
constexpr int kLoadHookCount = 100000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// A copy of the string (or number) at idx, leaving the value as it is.
std::string CopyString(lua_State* L, int idx) {
  lua_pushvalue(L, idx);
  size_t len;
  const char* s = lua_tolstring(L, -1, &len);
  std::string out(s, len);
  lua_pop(L, 1);
  return out;
}

int Raise(lua_State* L, std::string_view msg) {
  PushErrorTable(L, msg);
  return lua_error(L);
}

}  // namespace

// What register_function and the load hook reach of their engine.
struct FunctionLoadApi {
  static LuaEngine::LoadCtx* Load(lua_State* L) {
    return LuaEngine::From(L)->load_;
  }
  static void Hook(lua_State* L, lua_Debug*) {
    LuaEngine::LoadCtx* ctx = Load(L);
    if (ctx == nullptr || NowMs() <= ctx->deadline_ms) return;
    // Every line from now on raises again.
    lua_sethook(L, &FunctionLoadApi::Hook, LUA_MASKLINE, 0);
    Raise(L, "FUNCTION LOAD timeout");
  }
};

// The flags table at the top of the stack (Redis reads it with
// lua_gettable from 1 until a nil).
static bool ReadFlags(lua_State* L, uint32_t* flags) {
  uint32_t f = 0;
  for (int j = 1;; j++) {
    lua_pushnumber(L, j);
    lua_gettable(L, -2);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) {
      lua_pop(L, 1);
      return false;
    }
    const std::string name = CopyString(L, -1);
    lua_pop(L, 1);
    bool found = false;
    for (const FunctionFlagName& n : kFunctionFlags) {
      if (EqualsNoCase(name, n.name)) {
        f |= n.flag;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  *flags = f;
  return true;
}

int LuaRegisterFunction(lua_State* L) {
  auto* ctx = FunctionLoadApi::Load(L);
  if (ctx == nullptr) {
    return Raise(L,
                 "redis.register_function can only be called on FUNCTION LOAD "
                 "command");
  }
  const int argc = lua_gettop(L);
  if (argc < 1 || argc > 2) {
    return Raise(L, "wrong number of arguments to redis.register_function");
  }
  FunctionDef def;
  bool have_name = false;
  if (argc == 1) {
    if (!lua_istable(L, 1)) {
      return Raise(L,
                   "calling redis.register_function with a single argument is "
                   "only applicable to Lua table (representing named "
                   "arguments).");
    }
    lua_settop(L, 2);  // slot 2: the callback
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      if (!lua_isstring(L, -2)) {
        return Raise(L,
                     "named argument key given to redis.register_function is "
                     "not a string");
      }
      const std::string key = CopyString(L, -2);
      if (EqualsNoCase(key, "function_name")) {
        if (!lua_isstring(L, -1)) {
          return Raise(L,
                       "function_name argument given to "
                       "redis.register_function must be a string");
        }
        def.name = CopyString(L, -1);
        have_name = true;
      } else if (EqualsNoCase(key, "description")) {
        if (!lua_isstring(L, -1)) {
          return Raise(L,
                       "description argument given to redis.register_function "
                       "must be a string");
        }
        def.description = CopyString(L, -1);
      } else if (EqualsNoCase(key, "callback")) {
        if (!lua_isfunction(L, -1)) {
          return Raise(L,
                       "callback argument given to redis.register_function "
                       "must be a function");
        }
        lua_pushvalue(L, -1);
        lua_replace(L, 2);
      } else if (EqualsNoCase(key, "flags")) {
        if (!lua_istable(L, -1)) {
          return Raise(L,
                       "flags argument to redis.register_function must be a "
                       "table representing function flags");
        }
        if (!ReadFlags(L, &def.flags)) return Raise(L, "unknown flag given");
      } else {
        return Raise(L, "unknown argument given to redis.register_function");
      }
      lua_pop(L, 1);
    }
    if (!have_name) {
      return Raise(L,
                   "redis.register_function must get a function name argument");
    }
    if (!lua_isfunction(L, 2)) {
      return Raise(L, "redis.register_function must get a callback argument");
    }
  } else {
    if (!lua_isstring(L, 1)) {
      return Raise(L,
                   "first argument to redis.register_function must be a "
                   "string");
    }
    if (!lua_isfunction(L, 2)) {
      return Raise(L,
                   "second argument to redis.register_function must be a "
                   "function");
    }
    def.name = CopyString(L, 1);
  }
  if (!ValidFunctionName(def.name)) return Raise(L, kErrBadFunctionName);
  for (const FunctionDef& d : *ctx->defs) {
    if (d.name == def.name) {
      return Raise(L, "Function already exists in the library");
    }
  }
  lua_getfield(L, LUA_REGISTRYINDEX, kRegPending);
  lua_pushlstring(L, def.name.data(), def.name.size());
  lua_pushvalue(L, 2);
  lua_rawset(L, -3);
  ctx->defs->push_back(std::move(def));
  return 0;
}

void PushFunction(lua_State* L, std::string_view library,
                  std::string_view name) {
  lua_getfield(L, LUA_REGISTRYINDEX, kRegLibs);
  lua_pushlstring(L, library.data(), library.size());
  lua_rawget(L, -2);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 2);
    lua_pushnil(L);
    return;
  }
  lua_pushlstring(L, name.data(), name.size());
  lua_rawget(L, -2);
  lua_replace(L, -3);
  lua_pop(L, 1);
}

bool LuaEngine::LoadLibrary(std::string_view body, bool log,
                            std::vector<FunctionDef>* defs, std::string* err) {
  const int top = lua_gettop(L_);
  defs->clear();
  logs_.clear();
  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kRegPending);
  // The functions' globals read the load-time API while the code runs.
  lua_getfield(L_, LUA_REGISTRYINDEX, kRegFnTarget);
  lua_getfield(L_, LUA_REGISTRYINDEX, kRegLoadApi);
  lua_rawseti(L_, -2, 1);
  lua_pop(L_, 1);

  bool ok = false;
  capped_ = true;
  int rc = luaL_loadbuffer(L_, body.data(), body.size(), "@user_function");
  if (rc != 0) {
    *err = "Error compiling function: " + LuaToString(L_, -1);
  } else {
    lua_getfield(L_, LUA_REGISTRYINDEX, kRegFnEnv);
    lua_pushvalue(L_, -1);
    lua_replace(L_, LUA_GLOBALSINDEX);
    lua_setfenv(L_, -2);
    LoadCtx ctx{defs, NowMs() + kLoadTimeoutMs};
    load_ = &ctx;
    lua_sethook(L_, &FunctionLoadApi::Hook, LUA_MASKCOUNT, kLoadHookCount);
    rc = lua_pcall(L_, 0, 0, 0);
    lua_sethook(L_, nullptr, 0, 0);
    load_ = nullptr;
    if (rc != 0) {
      // Redis's luaExtractErrorInformation: a string gets "ERR ", a table
      // gives its err field.
      std::string msg;
      if (lua_isstring(L_, -1)) {
        msg = "ERR " + LuaToString(L_, -1);
      } else if (lua_istable(L_, -1)) {
        lua_getfield(L_, -1, "err");
        if (lua_isstring(L_, -1)) msg = LuaToString(L_, -1);
        lua_pop(L_, 1);
      }
      *err = "Error registering functions: " + msg;
    } else {
      ok = true;
    }
  }
  capped_ = false;
  lua_getfield(L_, LUA_REGISTRYINDEX, kRegFnTarget);
  lua_getfield(L_, LUA_REGISTRYINDEX, kRegGlobals);
  lua_rawseti(L_, -2, 1);
  lua_settop(L_, top);
  if (!ok) {
    defs->clear();
    lua_newtable(L_);
    lua_setfield(L_, LUA_REGISTRYINDEX, kRegPending);
    lua_gc(L_, LUA_GCCOLLECT, 0);
  }
  if (log) {
    FlushLogs();
  } else {
    logs_.clear();
  }
  return ok;
}

void LuaEngine::InstallLoaded(const std::string& name, uint64_t id) {
  lua_getfield(L_, LUA_REGISTRYINDEX, kRegLibs);
  lua_pushlstring(L_, name.data(), name.size());
  lua_getfield(L_, LUA_REGISTRYINDEX, kRegPending);
  lua_rawset(L_, -3);
  lua_pop(L_, 1);
  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kRegPending);
  libraries_[name] = id;
}

bool LuaEngine::EnsureLibrary(const FunctionSet& set, const Library& lib,
                              std::string* err) {
  if (set.generation() != functions_gen_) {
    // Forget the libraries deleted or replaced since this thread last
    // looked.
    lua_getfield(L_, LUA_REGISTRYINDEX, kRegLibs);
    for (auto it = libraries_.begin(); it != libraries_.end();) {
      auto l = set.libraries().find(it->first);
      if (l == set.libraries().end() || l->second->id != it->second) {
        lua_pushlstring(L_, it->first.data(), it->first.size());
        lua_pushnil(L_);
        lua_rawset(L_, -3);
        it = libraries_.erase(it);
      } else {
        ++it;
      }
    }
    lua_pop(L_, 1);
    functions_gen_ = set.generation();
  }
  auto it = libraries_.find(lib.name);
  if (it != libraries_.end() && it->second == lib.id) return true;
  std::vector<FunctionDef> defs;
  if (!LoadLibrary(lib.body(), false, &defs, err)) {
    spdlog::warn("lua: library '{}' does not load on this thread: {}", lib.name,
                 *err);
    return false;
  }
  InstallLoaded(lib.name, lib.id);
  return true;
}

}  // namespace shale::server
