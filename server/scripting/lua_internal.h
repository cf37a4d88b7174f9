// Internals shared by the scripting files (not for other callers): the Lua
// registry's names, the sandbox, the redis library and the conversions
// between Lua values and RESP replies (Redis 7.0's tables).
#ifndef SHALE_SERVER_SCRIPTING_LUA_INTERNAL_H_
#define SHALE_SERVER_SCRIPTING_LUA_INTERNAL_H_

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include <cstddef>
#include <string>
#include <string_view>

#include "server/protocol/resp/resp_writer.h"

namespace shale::server {

// Registry fields.
inline constexpr const char* kRegGlobals = "shale.globals";  // the real _G
inline constexpr const char* kRegProxy = "shale.proxy";      // scripts' _G
inline constexpr const char* kRegScripts = "shale.scripts";  // sha -> func
// Proxy -> the table it guards (weak keys).
inline constexpr const char* kRegReal = "shale.real";
// Tables no script may write, even with rawset (weak keys).
inline constexpr const char* kRegProtected = "shale.protected";
// Functions: their globals (a read-only proxy reading through
// kRegFnTarget[1]: the load-time API while a library loads, the real
// globals otherwise), the load-time API, the libraries this thread
// compiled (name -> {function name -> function}) and the functions of the
// library being loaded.
inline constexpr const char* kRegFnEnv = "shale.fnenv";
inline constexpr const char* kRegFnTarget = "shale.fntarget";
inline constexpr const char* kRegLoadApi = "shale.loadapi";
inline constexpr const char* kRegLibs = "shale.libs";
inline constexpr const char* kRegPending = "shale.pending";

// Replaces the globals of L with Redis's sandbox: the read-only proxy
// around them (see lua_engine.h), with rawset, rawget, next, pairs and
// setmetatable aware of it. REQUIRES: the libraries and the redis table
// are registered as globals.
void InstallSandbox(lua_State* L);

// Makes the functions' environment and load-time API (the kRegFn*
// fields). REQUIRES: InstallSandbox ran.
void InstallFunctionSandbox(lua_State* L);
// redis.register_function (lua_functions.cc).
int LuaRegisterFunction(lua_State* L);
// Pushes the function `name` of this thread's library `library` (nil if
// it has none).
void PushFunction(lua_State* L, std::string_view library,
                  std::string_view name);

// The number of entries of the table at the top of L's stack (pairs'
// count, not the # length). Leaves the stack as it was.
inline size_t TableEntries(lua_State* L) {
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    n++;
  }
  return n;
}

// Registers the global `redis` table, Redis's pcall and math.random.
void RegisterRedisApi(lua_State* L);

// Pushes an error table {err="CODE msg"} as Redis's luaPushErrorBuff: a
// text "-CODE msg" keeps its code, any other gets "ERR "; CR/LF at the
// ends of msg are trimmed.
void PushErrorTable(lua_State* L, std::string_view text);

// Pushes the Lua value of a RESP reply (one whole reply at *pos, advanced
// past it), as Redis's redisProtocolToLuaType. REQUIRES: reply is well
// formed (the server wrote it).
void PushReply(lua_State* L, std::string_view reply, size_t* pos);

// Writes the value on top of L's stack as the script's reply and pops it,
// as Redis's luaReplyToRedisReply; script_resp is redis.setresp's version.
void WriteLuaReply(lua_State* L, RespWriter* w, int script_resp);

// The cmsgpack library (lua_cmsgpack.cc): pushes its table.
int OpenCmsgpack(lua_State* L);
// The struct library (lua_struct.cc): pushes its table.
int OpenStruct(lua_State* L);

// tostring(v) for the value at idx, as Lua's tostring prints it.
std::string LuaToString(lua_State* L, int idx);

}  // namespace shale::server

#endif  // SHALE_SERVER_SCRIPTING_LUA_INTERNAL_H_
