// The `redis` library of Redis 7.0's scripts (redis.call, redis.pcall,
// redis.log ...), Redis's pcall, its math.random, and the conversion of a
// command's RESP reply into Lua values (Redis's redisProtocolToLuaType).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "server/scripting/lua_engine.h"
#include "server/scripting/lua_internal.h"
#include "server/util/sha1.h"

namespace shale::server {

// What the redis.* functions reach of their engine.
struct LuaApi {
  static LuaEngine* Engine(lua_State* L) { return LuaEngine::From(L); }
  static const ScriptRun* Run(lua_State* L) { return Engine(L)->run_; }
  static void SetResp(lua_State* L, int v) { Engine(L)->resp_ = v; }
  static int Resp(lua_State* L) { return Engine(L)->resp_; }
  static void SetRetry(lua_State* L) { Engine(L)->retry_ = true; }
  // The run is being unwound (a retry, the time limit, SCRIPT KILL): a
  // coroutine that caught the error must not run more commands.
  static bool Stopping(lua_State* L) { return Engine(L)->Stopping(); }
  static int RaiseStop(lua_State* L) {
    Engine(L)->RaiseStop(L);
    return 0;
  }
  static void NoteDirty(lua_State* L) {
    Engine(L)->dirty_.store(true, std::memory_order_release);
  }
  static void Log(lua_State* L, int level, std::string text) {
    Engine(L)->logs_.push_back({level, std::move(text)});
  }
};

namespace {

// Raises the error table on top of the stack.
int RaiseTable(lua_State* L) { return lua_error(L); }

int RaiseError(lua_State* L, std::string_view text) {
  PushErrorTable(L, text);
  return lua_error(L);
}

// redis.call (raise) and redis.pcall.
int GenericCall(lua_State* L, bool raise) {
  const ScriptRun* run = LuaApi::Run(L);
  if (run == nullptr) {
    return RaiseError(
        L, "redis.call/pcall can only be called inside a script invocation");
  }
  if (LuaApi::Stopping(L)) return LuaApi::RaiseStop(L);
  const int argc = lua_gettop(L);
  if (argc == 0) {
    PushErrorTable(L,
                   "Please specify at least one argument for this redis lib "
                   "call");
    return raise ? RaiseTable(L) : 1;
  }
  thread_local std::vector<std::string> args;
  args.resize(static_cast<size_t>(argc));
  for (int j = 1; j <= argc; j++) {
    std::string& a = args[static_cast<size_t>(j - 1)];
    const int t = lua_type(L, j);
    if (t == LUA_TNUMBER) {
      // %.17g: Lua's own conversion (%.14g) loses precision.
      char buf[64];
      const int n = std::snprintf(buf, sizeof(buf), "%.17g",
                                  static_cast<double>(lua_tonumber(L, j)));
      a.assign(buf, static_cast<size_t>(n));
    } else if (t == LUA_TSTRING) {
      size_t len;
      const char* s = lua_tolstring(L, j, &len);
      a.assign(s, len);
    } else {
      lua_settop(L, 0);
      PushErrorTable(L,
                     "Lua redis lib command arguments must be strings or "
                     "integers");
      return raise ? RaiseTable(L) : 1;
    }
  }
  lua_settop(L, 0);
  thread_local std::string reply;
  reply.clear();
  switch (run->host->Call(args, LuaApi::Resp(L), &reply)) {
    case ScriptHost::CallStatus::kRetry:
      LuaApi::SetRetry(L);
      return LuaApi::RaiseStop(L);
    case ScriptHost::CallStatus::kRefused:
      PushErrorTable(L, reply);
      return raise ? RaiseTable(L) : 1;
    case ScriptHost::CallStatus::kReply:
      break;
  }
  if (run->host->Dirty()) LuaApi::NoteDirty(L);
  if (!lua_checkstack(L, 8)) return RaiseError(L, "reached lua stack limit");
  size_t pos = 0;
  PushReply(L, reply, &pos);
  if (raise && !reply.empty() && reply[0] == '-') return RaiseTable(L);
  return 1;
}

int Call(lua_State* L) { return GenericCall(L, true); }
int PCall(lua_State* L) { return GenericCall(L, false); }

// Redis's pcall: as Lua's, but an error table {err=...} is answered as its
// err string.
int LuaPcall(lua_State* L) {
  const int argc = lua_gettop(L);
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    lua_remove(L, 1);
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, 1);
  }
  return lua_gettop(L);
}

int Sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) return RaiseError(L, "wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  const std::string hex = Sha1Hex(s == nullptr ? "" : std::string_view(s, len));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

int ErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  size_t len;
  const char* s = lua_tolstring(L, 1, &len);
  std::string e(s, len);
  if (e.empty() || e[0] != '-') e.insert(0, "-");
  PushErrorTable(L, e);
  return 1;
}

int StatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

int Log(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) {
    return RaiseError(L, "redis.log() requires two arguments or more.");
  }
  if (!lua_isnumber(L, 1)) {
    return RaiseError(L, "First argument must be a number (log level).");
  }
  const int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < 0 || level > 3) return RaiseError(L, "Invalid debug level.");
  std::string text;
  for (int j = 2; j <= argc; j++) {
    size_t len;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr) continue;
    if (j != 2) text.push_back(' ');
    text.append(s, len);
  }
  LuaApi::Log(L, level, std::move(text));
  return 0;
}

int SetResp(lua_State* L) {
  if (lua_gettop(L) != 1) {
    return RaiseError(L, "redis.setresp() requires one argument.");
  }
  const int v = static_cast<int>(lua_tonumber(L, 1));
  if (v != 2 && v != 3) return RaiseError(L, "RESP version must be 2 or 3.");
  LuaApi::SetResp(L, v);
  return 0;
}

int SetRepl(lua_State* L) {
  if (lua_gettop(L) != 1) {
    return RaiseError(L, "redis.set_repl() requires two arguments.");
  }
  const int flags = static_cast<int>(lua_tonumber(L, 1));
  if ((flags & ~3) != 0) {
    return RaiseError(L,
                      "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, "
                      "REPL_ALL or REPL_NONE.");
  }
  return 0;  // every write reaches the log as its effect
}

int ReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int Breakpoint(lua_State* L) {
  lua_pushboolean(L, 0);  // no debugger session
  return 1;
}

int Debug(lua_State*) { return 0; }

int AclCheckCmd(lua_State* L) {
  const ScriptRun* run = LuaApi::Run(L);
  if (run == nullptr) {
    return RaiseError(
        L, "redis.acl_check_cmd can only be called inside a script invocation");
  }
  const int argc = lua_gettop(L);
  if (argc == 0) {
    return RaiseError(
        L, "Please specify at least one argument for this redis lib call");
  }
  std::vector<std::string> args;
  for (int j = 1; j <= argc; j++) {
    size_t len;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr) {
      return RaiseError(
          L, "Lua redis lib command arguments must be strings or integers");
    }
    args.emplace_back(s, len);
  }
  if (!run->host->KnownCommand(args)) {
    return RaiseError(L, "Invalid command passed to redis.acl_check_cmd()");
  }
  lua_pushboolean(L, 1);
  return 1;
}

// --- math.random: Redis's rand48, one sequence for the server -------------

std::mutex rand_mu;
uint64_t rand_x = 0x1234ABCD330EULL;  // guarded by rand_mu (rand48's start)

// The next 31-bit value of the 48-bit linear congruential sequence.
int32_t Lrand48() {
  std::lock_guard<std::mutex> l(rand_mu);
  rand_x = (rand_x * 0x5DEECE66DULL + 0xB) & ((1ULL << 48) - 1);
  return static_cast<int32_t>(rand_x >> 17);
}

int MathRandom(lua_State* L) {
  constexpr int32_t kMax = INT32_MAX;
  const lua_Number r =
      static_cast<lua_Number>(Lrand48() % kMax) / static_cast<lua_Number>(kMax);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      const int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      const int l = luaL_checkint(L, 1);
      const int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomseed(lua_State* L) {
  const int seed = luaL_checkint(L, 1);
  std::lock_guard<std::mutex> l(rand_mu);
  rand_x = (static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E;
  return 0;
}

void SetNumber(lua_State* L, const char* name, lua_Number v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

void SetFunction(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

// --- RESP -> Lua -----------------------------------------------------------

// The line at *pos (without CRLF); *pos moves past it.
std::string_view Line(std::string_view r, size_t* pos) {
  const size_t end = r.find("\r\n", *pos);
  std::string_view line = r.substr(*pos, end - *pos);
  *pos = end + 2;
  return line;
}

int64_t LineInt(std::string_view line) {
  return std::strtoll(std::string(line).c_str(), nullptr, 10);
}

}  // namespace

void PushErrorTable(lua_State* L, std::string_view text) {
  std::string code = "ERR";
  std::string_view msg = text;
  if (!text.empty() && text[0] == '-') {
    const size_t sp = text.find(' ');
    if (sp == std::string_view::npos) {
      msg = text.substr(1);
    } else {
      code = std::string(text.substr(1, sp - 1));
      msg = text.substr(sp + 1);
    }
  }
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) {
    msg.remove_prefix(1);
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) {
    msg.remove_suffix(1);
  }
  std::string final_msg = code + " " + std::string(msg);
  lua_newtable(L);
  lua_pushlstring(L, final_msg.data(), final_msg.size());
  lua_setfield(L, -2, "err");
}

void PushReply(lua_State* L, std::string_view r, size_t* pos) {
  luaL_checkstack(L, 4, "reached lua stack limit");
  const char type = r[(*pos)++];
  switch (type) {
    case '+': {
      std::string_view s = Line(r, pos);
      lua_newtable(L);
      lua_pushlstring(L, s.data(), s.size());
      lua_setfield(L, -2, "ok");
      return;
    }
    case '-': {
      std::string_view s = Line(r, pos);
      PushErrorTable(L, "-" + std::string(s));
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "ignore_error_stats_update");
      return;
    }
    case ':':
      lua_pushnumber(L, static_cast<lua_Number>(LineInt(Line(r, pos))));
      return;
    case '$':
    case '=': {
      const int64_t n = LineInt(Line(r, pos));
      if (n < 0) {
        lua_pushboolean(L, 0);
        return;
      }
      std::string_view s = r.substr(*pos, static_cast<size_t>(n));
      *pos += static_cast<size_t>(n) + 2;
      if (type == '$') {
        lua_pushlstring(L, s.data(), s.size());
        return;
      }
      lua_newtable(L);
      lua_newtable(L);
      lua_pushlstring(L, s.data() + 4, s.size() - 4);
      lua_setfield(L, -2, "string");
      lua_pushlstring(L, s.data(), 3);
      lua_setfield(L, -2, "format");
      lua_setfield(L, -2, "verbatim_string");
      return;
    }
    case '*':
    case '>': {
      const int64_t n = LineInt(Line(r, pos));
      if (n < 0) {
        lua_pushboolean(L, 0);
        return;
      }
      lua_createtable(L, static_cast<int>(n), 0);
      for (int64_t j = 0; j < n; j++) {
        lua_pushnumber(L, static_cast<lua_Number>(j + 1));
        PushReply(L, r, pos);
        lua_settable(L, -3);
      }
      return;
    }
    case '%':
    case '~': {
      const int64_t n = LineInt(Line(r, pos));
      lua_newtable(L);
      lua_newtable(L);
      for (int64_t j = 0; j < n; j++) {
        PushReply(L, r, pos);
        if (type == '%') {
          PushReply(L, r, pos);
        } else {
          lua_pushboolean(L, 1);
        }
        lua_settable(L, -3);
      }
      lua_setfield(L, -2, type == '%' ? "map" : "set");
      return;
    }
    case '_':
      Line(r, pos);
      lua_pushnil(L);
      return;
    case '#':
      lua_pushboolean(L, Line(r, pos) == "t");
      return;
    case ',': {
      const std::string s(Line(r, pos));
      lua_newtable(L);
      lua_pushnumber(L, std::strtod(s.c_str(), nullptr));
      lua_setfield(L, -2, "double");
      return;
    }
    case '(': {
      std::string_view s = Line(r, pos);
      lua_newtable(L);
      lua_pushlstring(L, s.data(), s.size());
      lua_setfield(L, -2, "big_number");
      return;
    }
    default:
      // Not written by the server's RespWriter.
      lua_pushnil(L);
      *pos = r.size();
      return;
  }
}

std::string LuaToString(lua_State* L, int idx) {
  switch (lua_type(L, idx)) {
    case LUA_TSTRING:
    case LUA_TNUMBER: {
      // A copy: lua_tolstring would turn a number on the stack into a
      // string.
      lua_pushvalue(L, idx);
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      std::string out(s, len);
      lua_pop(L, 1);
      return out;
    }
    case LUA_TNIL:
      return "nil";
    case LUA_TBOOLEAN:
      return lua_toboolean(L, idx) ? "true" : "false";
    default: {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%s: %p",
                    lua_typename(L, lua_type(L, idx)), lua_topointer(L, idx));
      return buf;
    }
  }
}

void RegisterRedisApi(lua_State* L) {
  lua_pushcfunction(L, LuaPcall);
  lua_setglobal(L, "pcall");

  lua_newtable(L);
  SetFunction(L, "call", Call);
  SetFunction(L, "pcall", PCall);
  SetFunction(L, "log", Log);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  SetNumber(L, "REDIS_VERSION_NUM", 0x070000);
  lua_pushstring(L, "7.0.0");  // INFO's redis_version
  lua_setfield(L, -2, "REDIS_VERSION");
  SetFunction(L, "setresp", SetResp);
  SetFunction(L, "sha1hex", Sha1hex);
  SetFunction(L, "error_reply", ErrorReply);
  SetFunction(L, "status_reply", StatusReply);
  SetFunction(L, "set_repl", SetRepl);
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", 1);
  SetNumber(L, "REPL_SLAVE", 2);
  SetNumber(L, "REPL_REPLICA", 2);
  SetNumber(L, "REPL_ALL", 3);
  SetFunction(L, "acl_check_cmd", AclCheckCmd);
  SetFunction(L, "replicate_commands", ReplicateCommands);
  SetFunction(L, "breakpoint", Breakpoint);
  SetFunction(L, "debug", Debug);
  lua_setglobal(L, "redis");

  lua_getglobal(L, "math");
  SetFunction(L, "random", MathRandom);
  SetFunction(L, "randomseed", MathRandomseed);
  lua_pop(L, 1);
}

}  // namespace shale::server
