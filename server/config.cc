#include "server/config.h"

#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <optional>

#include "server/config_keys.h"
#include "server/live_config.h"

namespace shale::server {
namespace {

bool ParseFsync(const std::string& s, FsyncPolicy* p) {
  if (s == "always")
    *p = FsyncPolicy::kAlways;
  else if (s == "everysec")
    *p = FsyncPolicy::kEverySec;
  else if (s == "no")
    *p = FsyncPolicy::kNo;
  else
    return false;
  return true;
}

// A Redis parameter's value in the file as CONFIG SET would take it: a
// string as is, an integer in decimal, a boolean as yes/no.
bool RedisValue(const toml::node& v, std::string* out) {
  if (auto s = v.value_exact<std::string>()) {
    *out = *s;
  } else if (auto i = v.value_exact<int64_t>()) {
    *out = std::to_string(*i);
  } else if (auto b = v.value_exact<bool>()) {
    *out = *b ? "yes" : "no";
  } else {
    return false;
  }
  return true;
}

// The file's Redis parameters: checked as CONFIG SET checks them (but
// immutable ones are allowed), then kept in c->redis_params, or, for the
// ones that are shale settings under their Redis name (appendfsync ...),
// set into c's fields.
bool LoadRedisParams(const std::string& path, const toml::table& t,
                     const std::vector<std::pair<size_t, std::string>>& keys,
                     Config* c, std::string* error) {
  LiveConfig check;
  for (const auto& [line, key] : keys) {
    const ParamSpec* p = FindParam(key);
    std::string value, err;
    if (!RedisValue(*t.get(key), &value)) {
      *error = path + ": " + key + " must be a string, an integer or a boolean";
      return false;
    }
    if (!check.Init(key, value, &err)) {
      *error = path + ": " + key + ": " + err;
      return false;
    }
    const ShaleKey* sk = FindShaleKey(*p);
    if (sk == nullptr) {
      c->redis_params.emplace_back(p->name, check.Value(key));
      continue;
    }
    if (t.contains(sk->key)) {
      *error = path + ": " + key + " and " + sk->key +
               " are the same setting; give one of them";
      return false;
    }
    sk->set(c, check.Value(key));
  }
  return true;
}

// Reads the TOML file into *c. Unknown keys are errors: a typo should not
// silently leave a default in force.
bool LoadToml(const std::string& path, Config* c, std::string* error) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    *error = path + ": " + std::string(e.description());
    return false;
  }
  bool ok = true;
  auto str = [&](std::string_view key, std::string* out) {
    if (auto v = t[key].value<std::string>()) *out = *v;
  };
  auto num = [&](std::string_view key, auto* out) {
    if (!t.contains(key)) return;
    auto v = t[key].value<int64_t>();
    if (!v || *v < 0) {
      *error =
          path + ": " + std::string(key) + " must be a non-negative integer";
      ok = false;
      return;
    }
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(*v);
  };
  static const char* kKnown[] = {"dir",
                                 "bind",
                                 "port",
                                 "memcache_port",
                                 "http_port",
                                 "requirepass",
                                 "fsync",
                                 "threads",
                                 "maxclients",
                                 "log_level",
                                 "log_file",
                                 "memcache_allow_remote",
                                 "port_file",
                                 "max_value_bytes",
                                 "max_key_bytes",
                                 "max_multibulk",
                                 "max_line_bytes",
                                 "http_max_header_bytes",
                                 "http_max_body_bytes",
                                 "http_max_uri_bytes",
                                 "client_output_limit",
                                 "timeout",
                                 "write_timeout",
                                 "block_cache_bytes",
                                 "compaction_nice",
                                 "databases"};
  // Keys that are no shale setting must be Redis parameters; they are read
  // after shale's own keys, in the file's order.
  std::vector<std::pair<size_t, std::string>> redis_keys;  // (line, key)
  for (auto& [k, v] : t) {
    bool known = false;
    for (const char* name : kKnown) known |= (k.str() == name);
    if (known) continue;
    if (FindParam(k.str()) == nullptr) {
      *error = path + ": unknown key '" + std::string(k.str()) + "'";
      return false;
    }
    redis_keys.emplace_back(v.source().begin.line, std::string(k.str()));
  }
  std::sort(redis_keys.begin(), redis_keys.end());
  str("dir", &c->dir);
  str("bind", &c->bind);
  num("port", &c->port);
  num("memcache_port", &c->memcache_port);
  num("http_port", &c->http_port);
  str("requirepass", &c->requirepass);
  if (auto f = t["fsync"].value<std::string>()) {
    if (!ParseFsync(*f, &c->fsync)) {
      *error = path + ": fsync must be always, everysec or no";
      return false;
    }
  }
  num("threads", &c->threads);
  num("maxclients", &c->maxclients);
  str("log_level", &c->log_level);
  str("log_file", &c->log_file);
  if (auto b = t["memcache_allow_remote"].value<bool>()) {
    c->memcache_allow_remote = *b;
  }
  str("port_file", &c->port_file);
  num("max_value_bytes", &c->max_value_bytes);
  num("max_key_bytes", &c->max_key_bytes);
  num("max_multibulk", &c->max_multibulk);
  num("max_line_bytes", &c->max_line_bytes);
  num("http_max_header_bytes", &c->http_max_header_bytes);
  num("http_max_body_bytes", &c->http_max_body_bytes);
  num("http_max_uri_bytes", &c->http_max_uri_bytes);
  num("client_output_limit", &c->client_output_limit);
  num("timeout", &c->timeout);
  num("write_timeout", &c->write_timeout);
  num("block_cache_bytes", &c->block_cache_bytes);
  num("compaction_nice", &c->compaction_nice);
  num("databases", &c->databases);
  if (!ok) return false;
  return LoadRedisParams(path, t, redis_keys, c, error);
}

}  // namespace

const char* FsyncName(FsyncPolicy p) {
  switch (p) {
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kEverySec:
      return "everysec";
    case FsyncPolicy::kNo:
      return "no";
  }
  return "?";
}

bool LoadConfig(int argc, char** argv, Config* config, std::string* error,
                int* exit_code) {
  *exit_code = 1;
  CLI::App app(
      "shale-server: shale over the Redis, memcached and HTTP "
      "protocols");
  // Flags are parsed into optionals first, so that only the ones given
  // override the file.
  std::string config_file;
  std::optional<std::string> dir, bind, requirepass, fsync, log_level, log_file,
      port_file;
  std::optional<int> port, mc_port, http_port, threads, maxclients, timeout,
      compaction_nice, databases;
  std::optional<uint64_t> max_value, block_cache;
  bool allow_remote = false;
  app.add_option("--config", config_file, "TOML configuration file");
  app.add_option("--dir", dir, "data directory (default ./data)");
  app.add_option("--bind", bind, "listen address (default 127.0.0.1)");
  app.add_option("--port", port, "RESP port (default 6380, 0: off)");
  app.add_option("--memcache-port", mc_port,
                 "memcached port (default 11212, 0: off)");
  app.add_option("--http-port", http_port, "HTTP port (default 8380, 0: off)");
  app.add_option("--requirepass", requirepass, "password for every client");
  app.add_option("--fsync", fsync, "always | everysec | no (default everysec)");
  app.add_option("--threads", threads, "I/O threads (default 2)");
  app.add_option("--maxclients", maxclients, "max connections (default 10000)");
  app.add_option("--log-level", log_level,
                 "trace debug info warn error off (default info)");
  app.add_option("--log-file", log_file, "log file (default stderr)");
  app.add_option("--port-file", port_file,
                 "write the listening ports to this file");
  app.add_option("--timeout", timeout, "idle client timeout, s (default 300)");
  app.add_option("--max-value-bytes", max_value,
                 "largest value (default 536870912)");
  app.add_option("--block-cache-bytes", block_cache,
                 "engine block cache (default 268435456)");
  app.add_option("--compaction-nice", compaction_nice,
                 "nice value added to compaction threads, 0-19 (default 0)");
  app.add_option("--databases", databases,
                 "number of databases, SELECT 0..n-1 (default 16)");
  app.add_flag("--memcache-allow-remote", allow_remote,
               "let the memcached front end listen on a non-loopback address");
  app.set_version_flag("--version", "shale-server 0.1.0");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    *exit_code = e.get_exit_code();
    *error = e.get_exit_code() == 0 ? app.help() : e.what();
    if (e.get_name() == "CallForVersion") *error = "shale-server 0.1.0";
    return false;
  }
  if (!config_file.empty()) {
    if (!LoadToml(config_file, config, error)) return false;
    std::error_code ec;
    auto abs = std::filesystem::absolute(config_file, ec);
    config->config_file = ec ? config_file : abs.lexically_normal().string();
  }
  if (dir) config->dir = *dir;
  if (bind) config->bind = *bind;
  if (port) config->port = *port;
  if (mc_port) config->memcache_port = *mc_port;
  if (http_port) config->http_port = *http_port;
  if (requirepass) config->requirepass = *requirepass;
  if (fsync && !ParseFsync(*fsync, &config->fsync)) {
    *error = "--fsync must be always, everysec or no";
    return false;
  }
  if (threads) config->threads = *threads;
  if (maxclients) config->maxclients = *maxclients;
  if (log_level) config->log_level = *log_level;
  if (log_file) config->log_file = *log_file;
  if (port_file) config->port_file = *port_file;
  if (timeout) config->timeout = *timeout;
  if (max_value) config->max_value_bytes = *max_value;
  if (block_cache) config->block_cache_bytes = *block_cache;
  if (compaction_nice) config->compaction_nice = *compaction_nice;
  if (databases) config->databases = *databases;
  if (allow_remote) config->memcache_allow_remote = true;
  for (int p : {config->port, config->memcache_port, config->http_port}) {
    if (p < 0 || p > 65535) {
      *error = "ports must be between 0 and 65535";
      return false;
    }
  }
  if (config->compaction_nice < 0 || config->compaction_nice > 19) {
    *error = "compaction_nice must be between 0 and 19";
    return false;
  }
  if (config->databases < 1 || config->databases > kMaxDatabases) {
    *error = "databases must be between 1 and " + std::to_string(kMaxDatabases);
    return false;
  }
  // Bounds of the Redis parameters these settings are (io-threads,
  // maxclients, proto-max-bulk-len).
  if (config->threads < 1 || config->threads > 128) {
    *error = "threads must be between 1 and 128";
    return false;
  }
  if (config->maxclients < 1) {
    *error = "maxclients must be at least 1";
    return false;
  }
  if (config->max_value_bytes < (1u << 20) ||
      config->max_value_bytes > static_cast<uint64_t>(INT64_MAX)) {
    *error = "max_value_bytes must be at least 1048576";
    return false;
  }
  // The start values of the Redis parameters, checked once here so that a
  // bad one stops the server before it opens anything.
  LiveConfig check;
  return InitLiveConfig(*config, config->port, &check, error);
}

bool InitLiveConfig(const Config& c, int resp_port, LiveConfig* live,
                    std::string* error) {
  std::vector<std::pair<std::string, std::string>> start;
  for (const ParamSpec& p : AllParams()) {
    if (const ShaleKey* k = FindShaleKey(p)) {
      start.emplace_back(p.name, k->get(c));
    } else if (ShaleDefault(p) != p.default_value) {
      start.emplace_back(p.name, ShaleDefault(p));
    }
  }
  start.emplace_back("port", std::to_string(resp_port));
  for (const auto& kv : c.redis_params) start.push_back(kv);
  for (const auto& [name, value] : start) {
    std::string err;
    if (!live->Init(name, value, &err)) {
      *error = name + " " + value + ": " + err;
      return false;
    }
  }
  return true;
}

}  // namespace shale::server
