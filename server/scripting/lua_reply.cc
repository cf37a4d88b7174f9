// A script's result as a RESP reply, as Redis 7.0's luaReplyToRedisReply
// converts it: strings are bulk strings, numbers integers (truncated),
// booleans :1 / null (RESP3 scripts: true/false), tables an error
// ({err=}), a status ({ok=}), a double, a big number, a verbatim string, a
// map, a set, or an array up to the first nil; anything else is null.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "server/scripting/lua_internal.h"

namespace shale::server {
namespace {

// (long long)d as the x86 conversion gives it: out of range and NaN are
// INT64_MIN.
int64_t ToInt64(lua_Number d) {
  if (std::isnan(d) || d >= 9223372036854775808.0 ||
      d < -9223372036854775808.0) {
    return INT64_MIN;
  }
  return static_cast<int64_t>(d);
}

std::string G17(double d) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", d);
  return std::string(buf, static_cast<size_t>(n));
}

// Redis's addReplyDouble: RESP3 `,` with inf/-inf/nan spelled out, RESP2 a
// bulk string of %.17g.
void WriteDouble(RespWriter* w, double d) {
  std::string s;
  if (std::isinf(d)) {
    s = d > 0 ? "inf" : "-inf";
  } else if (std::isnan(d)) {
    s = "nan";
  } else {
    s = G17(d);
  }
  if (w->version() >= 3) {
    w->out()->append(",").append(s).append("\r\n");
  } else {
    w->Bulk(s);
  }
}

// The string field name of the table on top, or false (nothing pushed).
bool StringField(lua_State* L, const char* name) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TSTRING) return true;
  lua_pop(L, 1);
  return false;
}

void WriteTable(lua_State* L, RespWriter* w, int resp);

void WriteValue(lua_State* L, RespWriter* w, int resp) {
  if (!lua_checkstack(L, 4)) {
    w->Error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      w->Bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (resp == 2) {
        if (lua_toboolean(L, -1)) {
          w->Int(1);
        } else {
          w->Null();
        }
      } else {
        w->Bool(lua_toboolean(L, -1));
      }
      break;
    case LUA_TNUMBER:
      w->Int(ToInt64(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE:
      WriteTable(L, w, resp);
      return;  // popped it
    default:
      w->Null();
  }
  lua_pop(L, 1);
}

// Writes the table on top and pops it.
void WriteTable(lua_State* L, RespWriter* w, int resp) {
  // Redis reads both as C strings (up to a NUL); CR and LF become spaces.
  if (StringField(L, "err")) {
    // As addReplyErrorFormat of "-" + err: CR and LF at its end are cut.
    std::string_view e = lua_tostring(L, -1);
    while (!e.empty() && (e.back() == '\r' || e.back() == '\n')) {
      e.remove_suffix(1);
    }
    w->Error(e);
    lua_pop(L, 2);
    return;
  }
  if (StringField(L, "ok")) {
    std::string ok = lua_tostring(L, -1);
    for (char& c : ok) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    w->Simple(ok);
    lua_pop(L, 2);
    return;
  }
  lua_pushstring(L, "double");
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TNUMBER) {
    WriteDouble(w, lua_tonumber(L, -1));
    lua_pop(L, 2);
    return;
  }
  lua_pop(L, 1);
  if (StringField(L, "big_number")) {
    size_t len;
    const char* s = lua_tolstring(L, -1, &len);
    std::string n(s, len);
    for (char& c : n) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    if (w->version() >= 3) {
      w->out()->append("(").append(n).append("\r\n");
    } else {
      w->Bulk(n);
    }
    lua_pop(L, 2);
    return;
  }
  lua_pushstring(L, "verbatim_string");
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TTABLE) {
    if (StringField(L, "format")) {
      std::string format = lua_tostring(L, -1);
      lua_pushstring(L, "string");
      lua_rawget(L, -3);
      if (lua_type(L, -1) == LUA_TSTRING) {
        size_t len;
        const char* s = lua_tolstring(L, -1, &len);
        if (w->version() >= 3) {
          format.resize(3, ' ');
          std::string* out = w->out();
          out->append("=").append(std::to_string(len + 4)).append("\r\n");
          out->append(format).append(":").append(s, len).append("\r\n");
        } else {
          w->Bulk(std::string_view(s, len));
        }
        lua_pop(L, 4);
        return;
      }
      lua_pop(L, 2);
    }
  }
  lua_pop(L, 1);
  lua_pushstring(L, "map");
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TTABLE) {
    w->Map(TableEntries(L));
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pushvalue(L, -2);
      WriteValue(L, w, resp);  // the key
      WriteValue(L, w, resp);  // the value
    }
    lua_pop(L, 2);
    return;
  }
  lua_pop(L, 1);
  lua_pushstring(L, "set");
  lua_rawget(L, -2);
  if (lua_type(L, -1) == LUA_TTABLE) {
    w->Set(TableEntries(L));
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      WriteValue(L, w, resp);
    }
    lua_pop(L, 2);
    return;
  }
  lua_pop(L, 1);
  // An array: elements 1, 2 ... up to the first nil.
  size_t n = 0;
  for (;;) {
    lua_rawgeti(L, -1, static_cast<int>(n + 1));
    const bool nil = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (nil) break;
    n++;
  }
  w->Array(n);
  for (size_t j = 1; j <= n; j++) {
    lua_rawgeti(L, -1, static_cast<int>(j));
    WriteValue(L, w, resp);
  }
  lua_pop(L, 1);
}

}  // namespace

void WriteLuaReply(lua_State* L, RespWriter* w, int script_resp) {
  WriteValue(L, w, script_resp);
}

}  // namespace shale::server
