// LiveConfig: the running values of the Redis configuration parameters
// (server/config_params.h), what CONFIG GET answers and CONFIG SET changes.
//
// CONFIG SET of several parameters is all or nothing, as in Redis 7: every
// value is parsed first; then all are stored and each changed parameter's
// appliers run; if one applier fails, every parameter gets its old value
// back (and the appliers run again with it) and the error names the
// parameter that failed.
//
// Readers on hot paths (a command reading slowlog-log-slower-than, the
// keyspace-notification code reading notify-keyspace-events) resolve the
// parameter once (Ref) and read its integer form with one relaxed atomic
// load (Int). The integer form of a yes/no parameter is 1/0, of an enum its
// value, of notify-keyspace-events its flags word (config_params.h).
//
// Thread safety: every method is thread-safe. Appliers run with the set
// lock held (one CONFIG SET at a time) but not the value lock: they may
// read other parameters.
#ifndef SHALE_SERVER_LIVE_CONFIG_H_
#define SHALE_SERVER_LIVE_CONFIG_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/config_params.h"

namespace shale::server {

class LiveConfig {
 public:
  // Every parameter at Redis's default.
  LiveConfig();
  LiveConfig(const LiveConfig&) = delete;
  LiveConfig& operator=(const LiveConfig&) = delete;

  // Sets a start value (from the config file, a flag or shale's own
  // settings): parsed as CONFIG SET parses it, immutable parameters
  // included, no applier run. False with Redis's error text on a bad value
  // or an unknown name.
  bool Init(std::string_view name, std::string_view value, std::string* err);

  // CONFIG GET: the parameters matching any of the patterns (globs,
  // case-insensitive; an exact name is answered as it was asked, hidden
  // parameters only so), each once, in table order.
  std::vector<std::pair<std::string, std::string>> Get(
      std::span<const std::string> patterns) const;

  // CONFIG SET name value [name value ...]: all or nothing (see above).
  // On failure *error is the whole Redis error reply ("ERR ...").
  bool Set(std::span<const std::string> name_values, std::string* error);

  // Sets a parameter from inside the server (REPLICAOF storing replicaof),
  // immutable or not, running its appliers. False with the error text.
  bool Store(std::string_view name, std::string_view value, std::string* err);

  // The canonical value; "" for an unknown name.
  std::string Value(std::string_view name) const;

  // Runs fn(new canonical value) after each CONFIG SET/Store that changes
  // `name` (all appliers of a SET run after all its values are stored).
  // fn returns false with an error text to undo the whole SET.
  // REQUIRES: called before the server serves clients.
  using Applier = std::function<bool(const std::string& value, std::string*)>;
  void OnChange(std::string_view name, Applier fn);

  // A parameter resolved once, for Int().
  struct Ref {
    size_t index;
  };
  // REQUIRES: name is a parameter.
  static Ref Resolve(std::string_view name);
  int64_t Int(Ref r) const {
    return ints_[r.index].load(std::memory_order_relaxed);
  }
  // Where Int(r) is kept, for readers that hold on to it (connections
  // reading `timeout`). Valid as long as this LiveConfig.
  const std::atomic<int64_t>* IntAddress(Ref r) const {
    return &ints_[r.index];
  }

  // notify-keyspace-events as a flags word of Redis's NOTIFY_* bits
  // (config_params.h): one relaxed load. Its users (the keyspace
  // notifications) read it here, or register OnChange to be told of a
  // change; its start value is in place before any client connects.
  uint32_t notify_keyspace_events() const {
    static const Ref ref = Resolve("notify-keyspace-events");
    return static_cast<uint32_t>(Int(ref));
  }

  // client-output-buffer-limit of one class (one relaxed load per field):
  // the output-buffer accounting reads it per check.
  OutputBufferLimit output_buffer_limit(ClientClass c) const;

  // Every primary parameter with its canonical value, in table order (for
  // CONFIG REWRITE).
  std::vector<std::pair<const ParamSpec*, std::string>> Snapshot() const;

 private:
  // Parses and stores without appliers; mu_ must not be held.
  bool Parse(const ParamSpec& p, std::string_view value, std::string* out,
             std::string* err) const;
  void StoreLocked(size_t index, std::string value);  // REQUIRES: mu_ held

  std::mutex set_mu_;      // one CONFIG SET at a time
  mutable std::mutex mu_;  // guards values_
  std::vector<std::string>
      values_;  // canonical, by param index; guarded by mu_
  // Integer forms, written under mu_, read without it.
  std::unique_ptr<std::atomic<int64_t>[]> ints_;
  // client-output-buffer-limit: 3 classes x (hard, soft, seconds).
  std::atomic<int64_t> output_limits_[9];
  // Appliers by param index; set before serving, then read only.
  std::vector<std::vector<Applier>> appliers_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_LIVE_CONFIG_H_
