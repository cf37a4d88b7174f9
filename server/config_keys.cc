#include "server/config_keys.h"

#include <cstdio>
#include <filesystem>

#include "server/redis/command.h"

namespace shale::server {
namespace {

std::string Int(int64_t v) { return std::to_string(v); }

std::string Quoted(const std::string& s) {
  std::string out;
  if (!TomlString(s, &out)) out = "\"\"";
  return out;
}

std::string Same(const std::string& canonical) { return canonical; }

int64_t ToInt(const std::string& s) {
  return std::strtoll(s.c_str(), nullptr, 10);
}

// spdlog's levels against Redis's: debug verbose notice warning.
std::string RedisLogLevel(const std::string& spd) {
  if (spd == "trace" || spd == "debug") return "debug";
  if (spd == "info") return "notice";
  return "warning";  // warn, error, critical, off
}

std::string SpdLogLevel(const std::string& redis) {
  if (redis == "debug" || redis == "verbose") return "debug";
  if (redis == "notice") return "info";
  return "warn";
}

const ShaleKey kShaleKeys[] = {
    {"port", "port", [](const Config& c) { return Int(c.port); },
     [](Config* c, const std::string& v) { c->port = ToInt(v); }, Same},
    {"bind", "bind", [](const Config& c) { return c.bind; },
     [](Config* c, const std::string& v) { c->bind = v; }, Quoted},
    {"dir", "dir",
     [](const Config& c) {
       std::error_code ec;
       auto abs = std::filesystem::absolute(c.dir, ec);
       return ec ? c.dir : abs.lexically_normal().string();
     },
     [](Config* c, const std::string& v) { c->dir = v; }, Quoted},
    {"requirepass", "requirepass",
     [](const Config& c) { return c.requirepass; },
     [](Config* c, const std::string& v) { c->requirepass = v; }, Quoted},
    {"appendfsync", "fsync",
     [](const Config& c) { return std::string(FsyncName(c.fsync)); },
     [](Config* c, const std::string& v) {
       c->fsync = v == "always" ? FsyncPolicy::kAlways
                  : v == "no"   ? FsyncPolicy::kNo
                                : FsyncPolicy::kEverySec;
     },
     Quoted},
    {"io-threads", "threads", [](const Config& c) { return Int(c.threads); },
     [](Config* c, const std::string& v) { c->threads = ToInt(v); }, Same},
    {"maxclients", "maxclients",
     [](const Config& c) { return Int(c.maxclients); },
     [](Config* c, const std::string& v) { c->maxclients = ToInt(v); }, Same},
    {"timeout", "timeout", [](const Config& c) { return Int(c.timeout); },
     [](Config* c, const std::string& v) { c->timeout = ToInt(v); }, Same},
    {"loglevel", "log_level",
     [](const Config& c) { return RedisLogLevel(c.log_level); },
     [](Config* c, const std::string& v) { c->log_level = SpdLogLevel(v); },
     [](const std::string& v) { return Quoted(SpdLogLevel(v)); }},
    {"logfile", "log_file", [](const Config& c) { return c.log_file; },
     [](Config* c, const std::string& v) { c->log_file = v; }, Quoted},
    {"databases", "databases", [](const Config& c) { return Int(c.databases); },
     [](Config* c, const std::string& v) { c->databases = ToInt(v); }, Same},
    {"proto-max-bulk-len", "max_value_bytes",
     [](const Config& c) { return std::to_string(c.max_value_bytes); },
     [](Config* c, const std::string& v) {
       c->max_value_bytes = std::strtoull(v.c_str(), nullptr, 10);
     },
     Same},
};

}  // namespace

const ShaleKey* FindShaleKey(const ParamSpec& p) {
  for (const ShaleKey& k : kShaleKeys) {
    if (std::string_view(k.param) == p.name) return &k;
  }
  return nullptr;
}

const ShaleKey* FindShaleKeyByKey(std::string_view key) {
  for (const ShaleKey& k : kShaleKeys) {
    if (key == k.key) return &k;
  }
  return nullptr;
}

std::string ShaleDefault(const ParamSpec& p) {
  if (const ShaleKey* k = FindShaleKey(p)) return k->get(Config());
  std::string_view name = p.name;
  if (name == "appendonly") return "yes";
  if (name == "save") return "";
  return p.default_value;
}

bool TomlString(std::string_view s, std::string* out) {
  out->assign("\"");
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          *out += "\\\"";
          break;
        case '\\':
          *out += "\\\\";
          break;
        case '\b':
          *out += "\\b";
          break;
        case '\t':
          *out += "\\t";
          break;
        case '\n':
          *out += "\\n";
          break;
        case '\f':
          *out += "\\f";
          break;
        case '\r':
          *out += "\\r";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof(buf), "\\u%04X", c);
            *out += buf;
          } else {
            *out += static_cast<char>(c);
          }
      }
      i++;
      continue;
    }
    // A multi-byte UTF-8 sequence, copied after checking its shape.
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; k++) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    out->append(s.substr(i, len));
    i += len;
  }
  *out += '"';
  return true;
}

bool TomlValue(const ParamSpec& p, const std::string& canonical,
               std::string* out) {
  switch (p.type) {
    case ParamType::kBool:
      *out = canonical == "yes" ? "true" : "false";
      return true;
    case ParamType::kSigned:
    case ParamType::kUnsigned: {
      // An integer TOML can hold; anything else (50%, octal, beyond int64)
      // stays a string, which the loader parses the same way.
      int64_t v;
      if (p.syntax == kNumPlain || p.syntax == kNumMemory) {
        if (ParseInt64(canonical, &v)) {
          *out = canonical;
          return true;
        }
      }
      return TomlString(canonical, out);
    }
    default:
      return TomlString(canonical, out);
  }
}

}  // namespace shale::server
