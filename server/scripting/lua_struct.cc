// The struct library of Redis 7.0's scripts (Roberto Ierusalimschy's
// struct 0.2 API, with Redis's bounds): struct.pack(fmt, ...),
// struct.unpack(fmt, s [, pos]) (the values, then the next position) and
// struct.size(fmt). Formats: > < (byte order; native is little-endian
// here, as on every platform Debian's redis-server runs), ![n] (maximum
// alignment), x (a pad byte), b B h H l L T (signed / unsigned char, short,
// long, size_t), i[n] I[n] (n-byte integers, n <= 32), f d (float,
// double), c[n] (n chars; 0: the whole string when packing, the previous
// number when unpacking), s (a zero-terminated string), ' ' (ignored).
// Integers pass through 64 bits, as Redis's: bytes past the eighth are
// zero when packing and ignored when unpacking.
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "server/scripting/lua_internal.h"

namespace shale::server {
namespace {

constexpr int kMaxIntSize = 32;
constexpr int kMaxAlign = 8;  // alignof(double) on x86-64
constexpr int kBig = 0, kLittle = 1;

struct Header {
  int endian = kLittle;
  int align = 1;
};

bool IsPowerOf2(int x) { return x > 0 && (x & (x - 1)) == 0; }

int GetNum(lua_State* L, const char** fmt, int df) {
  if (!std::isdigit(static_cast<unsigned char>(**fmt))) return df;
  int a = 0;
  do {
    const int d = **fmt - '0';
    if (a > INT_MAX / 10 || a * 10 > INT_MAX - d) {
      luaL_error(L, "integral size overflow");
    }
    a = a * 10 + d;
    (*fmt)++;
  } while (std::isdigit(static_cast<unsigned char>(**fmt)));
  return a;
}

size_t OptSize(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b':
      return 1;
    case 'H':
    case 'h':
      return 2;
    case 'L':
    case 'l':
    case 'T':
    case 'd':
      return 8;
    case 'f':
      return 4;
    case 'x':
      return 1;
    case 'c':
      return static_cast<size_t>(GetNum(L, fmt, 1));
    case 'i':
    case 'I': {
      const int sz = GetNum(L, fmt, 4);
      if (sz > kMaxIntSize) {
        luaL_error(L, "integral size %d is larger than limit of %d", sz,
                   kMaxIntSize);
      }
      return static_cast<size_t>(sz);
    }
    default:
      return 0;
  }
}

size_t ToAlign(size_t len, const Header& h, int opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > static_cast<size_t>(h.align)) size = static_cast<size_t>(h.align);
  return (size - (len & (size - 1))) & (size - 1);
}

void ControlOption(lua_State* L, int opt, const char** fmt, Header* h) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h->endian = kBig;
      return;
    case '<':
      h->endian = kLittle;
      return;
    case '!': {
      const int a = GetNum(L, fmt, kMaxAlign);
      if (!IsPowerOf2(a)) luaL_error(L, "alignment %d is not a power of 2", a);
      h->align = a;
      return;
    }
    default: {
      const char* msg = lua_pushfstring(L, "invalid format option '%c'", opt);
      luaL_argerror(L, 1, msg);
    }
  }
}

void PutInteger(lua_State* L, std::string* out, int arg, int endian,
                size_t size) {
  const lua_Number n = luaL_checknumber(L, arg);
  // As Redis's (unsigned long long)(long long)n / (unsigned long long)n,
  // with x86-64's results for values out of range.
  uint64_t v;
  if (std::isnan(n)) {
    v = 0x8000000000000000ULL;
  } else if (n < 0) {
    v = n >= -9223372036854775808.0
            ? static_cast<uint64_t>(static_cast<int64_t>(n))
            : 0x8000000000000000ULL;
  } else if (n < 18446744073709551616.0) {
    v = static_cast<uint64_t>(n);
  } else {
    v = 0;  // what the compiled conversion gives past 2^64
  }
  char buf[kMaxIntSize];
  for (size_t i = 0; i < size; i++) {
    const size_t at = endian == kLittle ? i : size - 1 - i;
    buf[at] = static_cast<char>(v & 0xff);
    v = i < 7 ? v >> 8 : 0;
  }
  out->append(buf, size);
}

void PutFloat(std::string* out, const void* p, size_t size, int endian) {
  char b[8];
  std::memcpy(b, p, size);
  if (endian == kBig) {
    for (size_t i = 0; i < size / 2; i++) std::swap(b[i], b[size - 1 - i]);
  }
  out->append(b, size);
}

int Pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  int arg = 2;
  size_t total = 0;
  std::string out;
  while (*fmt != '\0') {
    const int opt = *fmt++;
    size_t size = OptSize(L, static_cast<char>(opt), &fmt);
    size_t pad = ToAlign(total, h, opt, size);
    total += pad;
    out.append(pad, '\0');
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        PutInteger(L, &out, arg++, h.endian, size);
        break;
      case 'x':
        out.push_back('\0');
        break;
      case 'f': {
        const auto f = static_cast<float>(luaL_checknumber(L, arg++));
        PutFloat(&out, &f, 4, h.endian);
        break;
      }
      case 'd': {
        const double d = luaL_checknumber(L, arg++);
        PutFloat(&out, &d, 8, h.endian);
        break;
      }
      case 'c':
      case 's': {
        size_t l;
        const char* s = luaL_checklstring(L, arg++, &l);
        if (size == 0) size = l;
        luaL_argcheck(L, l >= size, arg, "string too short");
        out.append(s, size);
        if (opt == 's') {
          out.push_back('\0');
          size++;
        }
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    total += size;
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

lua_Number GetInteger(const char* buf, int endian, bool is_signed,
                      size_t size) {
  uint64_t l = 0;
  for (size_t i = 0; i < size; i++) {
    const size_t at = endian == kBig ? i : size - 1 - i;
    l = (l << 8) | static_cast<unsigned char>(buf[at]);
  }
  if (!is_signed) return static_cast<lua_Number>(l);
  // x86-64 shifts by the count mod 64.
  const uint64_t mask = ~0ULL << ((size * 8 - 1) & 63);
  if (l & mask) l |= mask;
  return static_cast<lua_Number>(static_cast<int64_t>(l));
}

int Unpack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  size_t ld;
  const char* data = luaL_checklstring(L, 2, &ld);
  // As Redis's: the offset read as a size_t, so only 0 is refused (a
  // negative one is past the end: "data string too short").
  const auto start = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, start > 0, 3, "offset must be 1 or greater");
  size_t pos = start - 1;
  Header h;
  lua_settop(L, 2);
  while (*fmt) {
    const int opt = *fmt++;
    size_t size = OptSize(L, static_cast<char>(opt), &fmt);
    pos += ToAlign(pos, h, opt, size);
    luaL_argcheck(L, size <= ld && pos <= ld - size, 2,
                  "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        lua_pushnumber(
            L, GetInteger(data + pos, h.endian, std::islower(opt) != 0, size));
        break;
      case 'x':
        break;
      case 'f': {
        char b[4];
        std::memcpy(b, data + pos, 4);
        if (h.endian == kBig) {
          std::swap(b[0], b[3]);
          std::swap(b[1], b[2]);
        }
        float f;
        std::memcpy(&f, b, 4);
        lua_pushnumber(L, f);
        break;
      }
      case 'd': {
        char b[8];
        std::memcpy(b, data + pos, 8);
        if (h.endian == kBig) {
          for (int i = 0; i < 4; i++) std::swap(b[i], b[7 - i]);
        }
        double d;
        std::memcpy(&d, b, 8);
        lua_pushnumber(L, d);
        break;
      }
      case 'c': {
        if (size == 0) {
          if (lua_gettop(L) <= 2 || !lua_isnumber(L, -1)) {
            luaL_error(L, "format 'c0' needs a previous size");
          }
          size = static_cast<size_t>(lua_tonumber(L, -1));
          lua_pop(L, 1);
          luaL_argcheck(L, size <= ld && pos <= ld - size, 2,
                        "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        break;
      }
      case 's': {
        const void* e = std::memchr(data + pos, '\0', ld - pos);
        if (e == nullptr) luaL_error(L, "unfinished string in data");
        size =
            static_cast<size_t>(static_cast<const char*>(e) - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return lua_gettop(L) - 2;
}

int Size(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  size_t pos = 0;
  while (*fmt) {
    const int opt = *fmt++;
    const size_t size = OptSize(L, static_cast<char>(opt), &fmt);
    pos += ToAlign(pos, h, opt, size);
    if (opt == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    if (!std::isalnum(opt)) ControlOption(L, opt, &fmt, &h);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

int OpenStruct(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, Pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, Unpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, Size);
  lua_setfield(L, -2, "size");
  return 1;
}

}  // namespace shale::server
