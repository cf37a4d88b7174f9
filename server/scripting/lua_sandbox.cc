// The read-only globals of Redis 7.0's scripts, on a stock Lua 5.1 (which
// has no read-only tables): scripts see a proxy of the globals (an empty
// table whose metatable reads through to them and refuses every write);
// each library table (string, math, table, coroutine, cjson, bit, redis) is
// behind a proxy too. rawset and setmetatable refuse the protected tables;
// rawget, next and pairs read a proxy's table, so that scripts see what
// Redis's scripts see.
#include "server/scripting/lua_internal.h"

namespace shale::server {
namespace {

constexpr const char* kReadOnly = "Attempt to modify a readonly table";

// __newindex of every proxy.
int RefuseWrite(lua_State* L) { return luaL_error(L, kReadOnly); }

// The error of a read of a global that does not exist: the key at stack
// index 2 names it, as Redis's texts do.
int RaiseMissingGlobal(lua_State* L) {
  if (!lua_isstring(L, 2)) {
    return luaL_error(L,
                      "Script attempted to access nonexistent global variable");
  }
  return luaL_error(L,
                    "Script attempted to access nonexistent global variable "
                    "'%s'",
                    lua_tostring(L, 2));
}

// __index of the globals' proxy: upvalue 1 is the real globals table.
int ReadGlobal(lua_State* L) {
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  if (!lua_isnil(L, -1)) return 1;
  return RaiseMissingGlobal(L);
}

// __index of the functions' globals: upvalue 1 is kRegFnTarget, whose
// [1] is the table read (KEYS and ARGV of scripts are not a function's).
int ReadFunctionGlobal(lua_State* L) {
  lua_rawgeti(L, lua_upvalueindex(1), 1);
  lua_getfield(L, LUA_REGISTRYINDEX, kRegGlobals);
  const bool runtime = lua_rawequal(L, -1, -2);
  lua_pop(L, 1);
  bool hidden = false;
  if (runtime && lua_type(L, 2) == LUA_TSTRING) {
    size_t len;
    const char* k = lua_tolstring(L, 2, &len);
    const std::string_view key(k, len);
    hidden = key == "KEYS" || key == "ARGV";
  }
  if (!hidden) {
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    if (!lua_isnil(L, -1)) return 1;
  }
  return RaiseMissingGlobal(L);
}

bool IsProtected(lua_State* L, int idx) {
  if (!lua_istable(L, idx)) return false;
  lua_getfield(L, LUA_REGISTRYINDEX, kRegProtected);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  const bool p = !lua_isnil(L, -1);
  lua_pop(L, 2);
  return p;
}

// Replaces the value at idx with the table it is a proxy of, if it is one.
void Unproxy(lua_State* L, int idx) {
  if (!lua_istable(L, idx)) return;
  lua_getfield(L, LUA_REGISTRYINDEX, kRegReal);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  if (lua_istable(L, -1)) {
    lua_replace(L, idx);
    lua_pop(L, 1);
  } else {
    lua_pop(L, 2);
  }
}

int RawSet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (IsProtected(L, 1)) {
    // No position, as the VM's error from inside a C function.
    lua_pushstring(L, kReadOnly);
    return lua_error(L);
  }
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

int RawGet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  Unproxy(L, 1);
  lua_settop(L, 2);
  lua_rawget(L, 1);
  return 1;
}

int SetMetatable(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (IsProtected(L, 1)) {
    lua_pushstring(L, kReadOnly);
    return lua_error(L);
  }
  // The original, upvalue 1.
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

int Next(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  Unproxy(L, 1);
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

int Pairs(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushcfunction(L, Next);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

void Protect(lua_State* L, int idx) {
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  lua_getfield(L, LUA_REGISTRYINDEX, kRegProtected);
  lua_pushvalue(L, idx);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// Pushes a read-only proxy of the table at idx. index: the proxy's
// __index (nullptr: the table itself). metatable: what getmetatable
// answers (the value at that index; 0: false).
void PushProxy(lua_State* L, int idx, lua_CFunction index, int metatable) {
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  if (metatable < 0) metatable = lua_gettop(L) + metatable + 1;
  lua_newtable(L);  // the proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, idx);
  if (index != nullptr) lua_pushcclosure(L, index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, RefuseWrite);
  lua_setfield(L, -2, "__newindex");
  if (metatable != 0) {
    lua_pushvalue(L, metatable);
  } else {
    lua_pushboolean(L, 0);
  }
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  Protect(L, -1);
  Protect(L, idx);
  lua_getfield(L, LUA_REGISTRYINDEX, kRegReal);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, idx);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

void NewWeakTable(lua_State* L, const char* name) {
  lua_newtable(L);
  lua_newtable(L);
  lua_pushstring(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, name);
}

}  // namespace

void InstallFunctionSandbox(lua_State* L) {
  const int top = lua_gettop(L);
  // The target holder, reading the real globals.
  lua_newtable(L);
  const int target = lua_gettop(L);
  lua_getfield(L, LUA_REGISTRYINDEX, kRegGlobals);
  lua_rawseti(L, target, 1);
  lua_pushvalue(L, target);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegFnTarget);

  // The functions' globals: a proxy that reads through the holder.
  lua_newtable(L);
  const int env = lua_gettop(L);
  lua_newtable(L);
  lua_pushvalue(L, target);
  lua_pushcclosure(L, ReadFunctionGlobal, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, RefuseWrite);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, env);
  Protect(L, env);
  lua_pushvalue(L, env);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegFnEnv);

  // The load-time API: {redis = {register_function, log, LOG_*,
  // REDIS_VERSION, REDIS_VERSION_NUM}}, whose missing fields raise as
  // missing globals do.
  lua_newtable(L);
  const int api = lua_gettop(L);
  lua_newtable(L);
  const int redis = lua_gettop(L);
  lua_pushcfunction(L, LuaRegisterFunction);
  lua_setfield(L, redis, "register_function");
  lua_getfield(L, LUA_REGISTRYINDEX, kRegGlobals);
  lua_getfield(L, -1, "redis");
  const int full = lua_gettop(L);
  for (const char* f : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE",
                        "LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(L, full, f);
    lua_setfield(L, redis, f);
  }
  lua_settop(L, redis);
  PushProxy(L, redis, ReadGlobal, 0);
  lua_setfield(L, api, "redis");
  lua_settop(L, api);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegLoadApi);

  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegLibs);
  lua_settop(L, top);
}

void InstallSandbox(lua_State* L) {
  NewWeakTable(L, kRegProtected);
  NewWeakTable(L, kRegReal);
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  const int g = lua_gettop(L);

  // The base functions that must see through proxies.
  lua_getfield(L, g, "setmetatable");
  lua_pushcclosure(L, SetMetatable, 1);
  lua_setfield(L, g, "setmetatable");
  lua_pushcfunction(L, RawSet);
  lua_setfield(L, g, "rawset");
  lua_pushcfunction(L, RawGet);
  lua_setfield(L, g, "rawget");
  lua_pushcfunction(L, Next);
  lua_setfield(L, g, "next");
  lua_pushcfunction(L, Pairs);
  lua_setfield(L, g, "pairs");

  // Each library behind a proxy.
  for (const char* lib : {"string", "table", "math", "coroutine", "cjson",
                          "bit", "cmsgpack", "struct", "redis"}) {
    lua_getfield(L, g, lib);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    PushProxy(L, -1, nullptr, 0);
    lua_setfield(L, g, lib);
    lua_pop(L, 1);
  }
  // Strings' methods come from their metatable's __index (the string
  // library): point it at the proxy, and answer getmetatable("") with a
  // proxy of the metatable.
  lua_pushstring(L, "");
  if (lua_getmetatable(L, -1)) {
    const int mt = lua_gettop(L);
    lua_getfield(L, g, "string");
    lua_setfield(L, mt, "__index");
    PushProxy(L, mt, nullptr, 0);
    lua_setfield(L, mt, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);

  // The globals: what getmetatable(_G) answers is an empty read-only
  // table (Redis's is its protected metatable).
  lua_newtable(L);
  PushProxy(L, -1, nullptr, 0);
  const int gmt = lua_gettop(L);
  PushProxy(L, g, ReadGlobal, gmt);
  const int proxy = lua_gettop(L);
  lua_pushvalue(L, proxy);
  lua_setfield(L, g, "_G");
  lua_pushvalue(L, g);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegGlobals);
  lua_pushvalue(L, proxy);
  lua_setfield(L, LUA_REGISTRYINDEX, kRegProxy);
  lua_pushvalue(L, proxy);
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_settop(L, g - 1);
}

}  // namespace shale::server
