// The cmsgpack library of Redis 7.0's scripts (lua-cmsgpack 0.4.0's API):
// cmsgpack.pack(v, ...) encodes each value as MessagePack and concatenates
// them; cmsgpack.unpack(s) decodes every value in s; unpack_one(s [,
// offset]) and unpack_limit(s, limit [, offset]) decode one or `limit`
// values and answer the next offset first (-1 at the end).
//
// Encoding, as lua-cmsgpack's: a number equal to an int64 is the smallest
// integer form, any other a float32 when that is exact, else a float64;
// strings are fixstr / str8 / str16 / str32; a table whose keys are exactly
// 1..n is an array of lua_objlen items, any other a map; tables nested 16
// deep, functions and the like are nil. Decoding bounds nesting by the Lua
// stack (luaL_checkstack), so hostile input gets an error, not a crash.
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "server/scripting/lua_internal.h"

namespace shale::server {
namespace {

constexpr int kMaxNesting = 16;

void PutBig(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) {
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

void EncodeInt(std::string* out, int64_t n) {
  if (n >= 0) {
    if (n <= 127) {
      out->push_back(static_cast<char>(n));
    } else if (n <= 0xff) {
      out->push_back(static_cast<char>(0xcc));
      PutBig(out, static_cast<uint64_t>(n), 1);
    } else if (n <= 0xffff) {
      out->push_back(static_cast<char>(0xcd));
      PutBig(out, static_cast<uint64_t>(n), 2);
    } else if (n <= 0xffffffffLL) {
      out->push_back(static_cast<char>(0xce));
      PutBig(out, static_cast<uint64_t>(n), 4);
    } else {
      out->push_back(static_cast<char>(0xcf));
      PutBig(out, static_cast<uint64_t>(n), 8);
    }
  } else if (n >= -32) {
    out->push_back(static_cast<char>(n));
  } else if (n >= -128) {
    out->push_back(static_cast<char>(0xd0));
    PutBig(out, static_cast<uint64_t>(n), 1);
  } else if (n >= -32768) {
    out->push_back(static_cast<char>(0xd1));
    PutBig(out, static_cast<uint64_t>(n), 2);
  } else if (n >= INT32_MIN) {
    out->push_back(static_cast<char>(0xd2));
    PutBig(out, static_cast<uint64_t>(n), 4);
  } else {
    out->push_back(static_cast<char>(0xd3));
    PutBig(out, static_cast<uint64_t>(n), 8);
  }
}

void EncodeNumber(std::string* out, double d) {
  if (std::isfinite(d) && d >= -9223372036854775808.0 &&
      d < 9223372036854775808.0 &&
      static_cast<double>(static_cast<int64_t>(d)) == d) {
    return EncodeInt(out, static_cast<int64_t>(d));
  }
  const auto f = static_cast<float>(d);
  if (static_cast<double>(f) == d) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    out->push_back(static_cast<char>(0xca));
    PutBig(out, bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    out->push_back(static_cast<char>(0xcb));
    PutBig(out, bits, 8);
  }
}

void EncodeHeader(std::string* out, size_t n, unsigned fix, unsigned fix_max,
                  unsigned c16, unsigned c32) {
  if (n <= fix_max) {
    out->push_back(static_cast<char>(fix | n));
  } else if (n <= 0xffff) {
    out->push_back(static_cast<char>(c16));
    PutBig(out, n, 2);
  } else {
    out->push_back(static_cast<char>(c32));
    PutBig(out, n, 4);
  }
}

void EncodeString(std::string* out, const char* s, size_t len) {
  if (len < 32) {
    out->push_back(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    out->push_back(static_cast<char>(0xd9));
    PutBig(out, len, 1);
  } else if (len <= 0xffff) {
    out->push_back(static_cast<char>(0xda));
    PutBig(out, len, 2);
  } else {
    out->push_back(static_cast<char>(0xdb));
    PutBig(out, len, 4);
  }
  out->append(s, len);
}

// lua-cmsgpack's test: every key a positive number (not a numeric string)
// equal to an int, and
// the largest equal to the count.
bool IsArray(lua_State* L) {
  const int top = lua_gettop(L);
  int count = 0;
  lua_Number max = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    lua_Number n;
    if (lua_type(L, -1) != LUA_TNUMBER || (n = lua_tonumber(L, -1)) <= 0 ||
        !(std::isfinite(n) && n < 2147483648.0 &&
          static_cast<lua_Number>(static_cast<int>(n)) == n)) {
      lua_settop(L, top);
      return false;
    }
    if (n > max) max = n;
    count++;
  }
  lua_settop(L, top);
  return max == count;
}

// Encodes the value on top and pops it.
void Encode(lua_State* L, std::string* out, int level) {
  luaL_checkstack(L, 3, "reached lua stack limit");
  int t = lua_type(L, -1);
  if (t == LUA_TTABLE && level == kMaxNesting) t = LUA_TNIL;
  switch (t) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      EncodeString(out, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      out->push_back(static_cast<char>(lua_toboolean(L, -1) ? 0xc3 : 0xc2));
      break;
    case LUA_TNUMBER:
      EncodeNumber(out, lua_tonumber(L, -1));
      break;
    case LUA_TTABLE:
      if (IsArray(L)) {
        const size_t n = lua_objlen(L, -1);
        EncodeHeader(out, n, 0x90, 15, 0xdc, 0xdd);
        for (size_t j = 1; j <= n; j++) {
          lua_pushnumber(L, static_cast<lua_Number>(j));
          lua_gettable(L, -2);
          Encode(L, out, level + 1);
        }
      } else {
        EncodeHeader(out, TableEntries(L), 0x80, 15, 0xde, 0xdf);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pushvalue(L, -2);
          Encode(L, out, level + 1);  // the key
          Encode(L, out, level + 1);  // the value
        }
      }
      break;
    default:
      out->push_back(static_cast<char>(0xc0));
  }
  lua_pop(L, 1);
}

int Pack(lua_State* L) {
  const int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  std::string out;
  for (int i = 1; i <= nargs; i++) {
    lua_pushvalue(L, i);
    Encode(L, &out, 0);
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

// --- decoding --------------------------------------------------------------

struct Cursor {
  const unsigned char* p;
  size_t left;
  int err;  // 0, kEof or kBadFormat
};
constexpr int kEof = 1, kBadFormat = 2;

uint64_t GetBig(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) v = (v << 8) | p[i];
  return v;
}

void Decode(lua_State* L, Cursor* c);

void DecodeArray(lua_State* L, Cursor* c, size_t n) {
  lua_newtable(L);
  luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  for (size_t i = 1; i <= n; i++) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    Decode(L, c);
    if (c->err) return;
    lua_settable(L, -3);
  }
}

void DecodeMap(lua_State* L, Cursor* c, size_t n) {
  lua_newtable(L);
  for (size_t i = 0; i < n; i++) {
    Decode(L, c);
    if (c->err) return;
    Decode(L, c);
    if (c->err) return;
    lua_settable(L, -3);
  }
}

// Pushes the value at the cursor (a length-prefixed item of `size` bytes
// after a `hdr`-byte header).
bool Need(Cursor* c, size_t n) {
  if (c->left < n) {
    c->err = kEof;
    return false;
  }
  return true;
}

void Decode(lua_State* L, Cursor* c) {
  if (!Need(c, 1)) return;
  luaL_checkstack(L, 1,
                  "too many return values at once; use unpack_one or "
                  "unpack_limit instead.");
  const unsigned char b = c->p[0];
  auto fixed = [&](int bytes) -> bool {
    if (!Need(c, 1 + static_cast<size_t>(bytes))) return false;
    return true;
  };
  auto consume = [&](size_t n) {
    c->p += n;
    c->left -= n;
  };
  auto str = [&](int hdr) {
    if (!fixed(hdr)) return;
    const size_t len = hdr == 0 ? (b & 0x1f) : GetBig(c->p + 1, hdr);
    if (!Need(c, 1 + static_cast<size_t>(hdr) + len)) return;
    lua_pushlstring(L, reinterpret_cast<const char*>(c->p) + 1 + hdr, len);
    consume(1 + static_cast<size_t>(hdr) + len);
  };
  auto container = [&](int hdr, bool map) {
    if (!fixed(hdr)) return;
    const size_t n = hdr == 0 ? (b & 0x0f) : GetBig(c->p + 1, hdr);
    consume(1 + static_cast<size_t>(hdr));
    if (map) {
      DecodeMap(L, c, n);
    } else {
      DecodeArray(L, c, n);
    }
  };
  switch (b) {
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf: {
      const int bytes = 1 << (b - 0xcc);
      if (!fixed(bytes)) return;
      // As lua-cmsgpack on Lua 5.1: through lua_Integer (int64), so a
      // uint64 past INT64_MAX reads as negative.
      lua_pushnumber(L, static_cast<lua_Number>(
                            static_cast<int64_t>(GetBig(c->p + 1, bytes))));
      consume(1 + static_cast<size_t>(bytes));
      return;
    }
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
      const int bytes = 1 << (b - 0xd0);
      if (!fixed(bytes)) return;
      uint64_t v = GetBig(c->p + 1, bytes);
      if (bytes < 8 && (v >> (8 * bytes - 1)) & 1) {
        v |= ~0ULL << (8 * bytes);  // sign-extend
      }
      lua_pushnumber(L, static_cast<lua_Number>(static_cast<int64_t>(v)));
      consume(1 + static_cast<size_t>(bytes));
      return;
    }
    case 0xca: {
      if (!fixed(4)) return;
      const auto bits = static_cast<uint32_t>(GetBig(c->p + 1, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      lua_pushnumber(L, static_cast<lua_Number>(f));
      consume(5);
      return;
    }
    case 0xcb: {
      if (!fixed(8)) return;
      const uint64_t bits = GetBig(c->p + 1, 8);
      double d;
      std::memcpy(&d, &bits, 8);
      lua_pushnumber(L, d);
      consume(9);
      return;
    }
    case 0xc0:
      lua_pushnil(L);
      consume(1);
      return;
    case 0xc2:
    case 0xc3:
      lua_pushboolean(L, b == 0xc3);
      consume(1);
      return;
    case 0xd9:
      return str(1);
    case 0xda:
      return str(2);
    case 0xdb:
      return str(4);
    case 0xdc:
      return container(2, false);
    case 0xdd:
      return container(4, false);
    case 0xde:
      return container(2, true);
    case 0xdf:
      return container(4, true);
    default:
      break;
  }
  if ((b & 0x80) == 0) {
    lua_pushnumber(L, b);
    consume(1);
  } else if ((b & 0xe0) == 0xe0) {
    lua_pushnumber(L, static_cast<signed char>(b));
    consume(1);
  } else if ((b & 0xe0) == 0xa0) {
    str(0);
  } else if ((b & 0xf0) == 0x90) {
    container(0, false);
  } else if ((b & 0xf0) == 0x80) {
    container(0, true);
  } else {
    c->err = kBadFormat;
  }
}

int UnpackFull(lua_State* L, int limit, int offset) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  const bool all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    return luaL_error(
        L, "Invalid request to unpack with offset of %d and limit of %d.",
        offset, static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.",
                      offset, static_cast<int>(len));
  }
  if (all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset,
           len - static_cast<size_t>(offset), 0};
  int n = 0;
  for (; c.left > 0 && n < limit; n++) {
    Decode(L, &c);
    if (c.err == kEof) return luaL_error(L, "Missing bytes in input.");
    if (c.err == kBadFormat) return luaL_error(L, "Bad data format in input.");
  }
  if (!all) {
    lua_pushinteger(L,
                    c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
    lua_insert(L, 2);
    n++;
  }
  return n;
}

int Unpack(lua_State* L) { return UnpackFull(L, 0, 0); }

int UnpackOne(lua_State* L) {
  const int offset = luaL_optint(L, 2, 0);
  lua_settop(L, 1);
  return UnpackFull(L, 1, offset);
}

int UnpackLimit(lua_State* L) {
  const int limit = luaL_checkint(L, 2);
  const int offset = luaL_optint(L, 3, 0);
  lua_settop(L, 1);
  return UnpackFull(L, limit, offset);
}

}  // namespace

int OpenCmsgpack(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, Pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, Unpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, UnpackOne);
  lua_setfield(L, -2, "unpack_one");
  lua_pushcfunction(L, UnpackLimit);
  lua_setfield(L, -2, "unpack_limit");
  lua_pushliteral(L, "cmsgpack");
  lua_setfield(L, -2, "_NAME");
  lua_pushliteral(L, "lua-cmsgpack 0.4.0");
  lua_setfield(L, -2, "_VERSION");
  lua_pushliteral(L, "Copyright (C) 2012, Salvatore Sanfilippo");
  lua_setfield(L, -2, "_COPYRIGHT");
  lua_pushliteral(L, "MessagePack C implementation for Lua");
  lua_setfield(L, -2, "_DESCRIPTION");
  return 1;
}

}  // namespace shale::server
