// How the Redis configuration parameters map to shale.toml keys.
//
// A handful of Redis parameters are shale settings with their own key and
// type in shale.toml (appendfsync is `fsync = "everysec"`, io-threads is
// `threads = 2`, loglevel is `log_level = "info"` ...); every other Redis
// parameter is written under its Redis name (`hash-max-listpack-entries =
// 512`). This file converts between a parameter's canonical value (CONFIG
// GET's form) and shale's Config fields or TOML values, for loading the
// file, for the start values and for CONFIG REWRITE.
#ifndef SHALE_SERVER_CONFIG_KEYS_H_
#define SHALE_SERVER_CONFIG_KEYS_H_

#include <string>
#include <string_view>

#include "server/config.h"
#include "server/config_params.h"

namespace shale::server {

struct ShaleKey {
  const char* param;  // the Redis parameter
  const char* key;    // shale.toml's key for it
  // The parameter's canonical value for the settings in c.
  std::string (*get)(const Config& c);
  // Sets c's field from a canonical value (a file that uses the Redis name).
  void (*set)(Config* c, const std::string& canonical);
  // The TOML value (text) of shale's key for a canonical value.
  std::string (*toml)(const std::string& canonical);
};

// The ShaleKey of a parameter, or nullptr if it has none.
const ShaleKey* FindShaleKey(const ParamSpec& p);
// The ShaleKey whose shale.toml key is `key`, or nullptr.
const ShaleKey* FindShaleKeyByKey(std::string_view key);

// A parameter's value in a shale-server started with no settings: Redis's
// default, except for shale's own settings (through ShaleKey) and for the
// parameters shale answers differently (appendonly yes: the WAL is always
// on; save "": no snapshots). CONFIG REWRITE writes the
// parameters that differ from it.
std::string ShaleDefault(const ParamSpec& p);

// The TOML value (text) for a canonical value of p written under its Redis
// name: numbers as integers, yes/no as booleans, the rest as strings.
// False if the value cannot be TOML (a string that is not UTF-8).
bool TomlValue(const ParamSpec& p, const std::string& canonical,
               std::string* out);

// A TOML basic string ("..." with escapes); false if s is not UTF-8.
bool TomlString(std::string_view s, std::string* out);

}  // namespace shale::server

#endif  // SHALE_SERVER_CONFIG_KEYS_H_
