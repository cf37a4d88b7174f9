// Config: every setting of shale-server, from shale.toml and the command line.
//
// Precedence: built-in default < the TOML file (--config FILE) < a flag.
// Every key is documented in the example shale.toml at the repository root;
// the TOML key is the flag name with '-' replaced by '_'.
//
// The file may also set any Redis 7.0 configuration parameter under its
// Redis name (`hash-max-listpack-entries = 1024`, `notify-keyspace-events =
// "KEA"`), validated as CONFIG SET validates it. Redis parameters shale has
// its own key for are read under either name (`appendfsync` is `fsync`,
// `io-threads` is `threads` ...: kShaleKeys in config.cc).
#ifndef SHALE_SERVER_CONFIG_H_
#define SHALE_SERVER_CONFIG_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "server/keyspace/keyspace.h"

namespace shale::server {

struct Config {
  std::string dir = "./data";      // data directory (created if missing)
  std::string bind = "127.0.0.1";  // address of every front end
  int port = 6380;                 // RESP; 0 turns the front end off
  int memcache_port = 11212;       // memcached text protocol; 0: off
  int http_port = 8380;            // HTTP/JSON; 0: off
  std::string requirepass;         // empty: no authentication
  FsyncPolicy fsync = FsyncPolicy::kEverySec;
  int threads = 2;                 // I/O threads
  int maxclients = 10000;          // connections over all front ends
  std::string log_level = "info";  // trace debug info warn error off
  std::string log_file;            // empty: stderr
  // Allow the memcached front end (no authentication) on a non-loopback
  // address.
  bool memcache_allow_remote = false;
  // Writes the ports actually listened on, one "name port" per line, after
  // the listeners are open (for tests and supervisors).
  std::string port_file;

  // Limits; each is answered with a protocol error, never a crash.
  uint64_t max_value_bytes = 512ull << 20;  // a value (Redis bulk max)
  uint64_t max_key_bytes = 64u << 10;       // a key (memcached: also 250)
  uint64_t max_multibulk = 1u << 20;        // arguments of one command
  uint64_t max_line_bytes = 64u << 10;      // inline / memcached line
  uint64_t http_max_header_bytes = 16u << 10;
  uint64_t http_max_body_bytes = 64ull << 20;
  // An HTTP request target (path and query); longer is 414.
  uint64_t http_max_uri_bytes = 8u << 10;
  // Output a connection may queue before it stops reading requests (the
  // client is throttled until it reads).
  uint64_t client_output_limit = 1u << 20;
  // Seconds a connection may stay idle (no request) before it is closed;
  // 0: never. Redis's `timeout`.
  int timeout = 300;
  // Seconds a pending write to a client may take before the client is
  // dropped as too slow.
  int write_timeout = 60;

  // The engine's cache of uncompressed table blocks
  // (Options::block_cache_capacity). A read the cache misses costs a pread,
  // a checksum and a decompression; a server that owns its machine's memory
  // does well to cache its working set. The engine's own default, for a
  // library sharing a process, is 64 MiB.
  uint64_t block_cache_bytes = 256ull << 20;

  // Added to the compaction threads' nice value
  // (Options::compaction_thread_nice): the I/O threads win the cores over
  // compaction when both want them.
  int compaction_nice = 0;

  // Databases served (SELECT 0..databases-1), Redis's `databases`. Each is
  // a namespace of the one engine DB (docs/format/server_keys.md).
  int databases = 16;

  // The config file given with --config, as an absolute path ("" if none):
  // CONFIG REWRITE writes the running values back to it.
  std::string config_file;
  // The Redis parameters the file sets under their Redis names (not those
  // shale has its own key for), in file order, each value in CONFIG SET's
  // form ("yes", "1024", "KEA").
  std::vector<std::pair<std::string, std::string>> redis_params;
};

inline constexpr int kMaxDatabases = 65536;

// Fills *config from argv (and the file named by --config). On a bad flag,
// file or value returns false with a message in *error; on --help / --version
// returns false with the text in *error and *exit_code 0.
bool LoadConfig(int argc, char** argv, Config* config, std::string* error,
                int* exit_code);

const char* FsyncName(FsyncPolicy p);

class LiveConfig;

// Sets the start values of the running Redis parameters: shale's own
// settings under their Redis names (maxclients, appendfsync, dir ...) and
// the Redis parameters of the file. `resp_port` is the port actually
// listened on. False with a message if a value is bad.
bool InitLiveConfig(const Config& c, int resp_port, LiveConfig* live,
                    std::string* error);

// CONFIG REWRITE: writes the running values into c.config_file, editing in
// place the keys the file already has (comments, layout and other keys
// stay) and appending the parameters whose value is not the default. False
// with the reason (errno's text for I/O errors) in *error.
bool RewriteConfigFile(const Config& c, const LiveConfig& live,
                       std::string* error);

}  // namespace shale::server

#endif  // SHALE_SERVER_CONFIG_H_
