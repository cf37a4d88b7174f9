// ServerState: what every RESP command may need besides its client: the
// keyspace, the config, the connected clients, counters and SCAN cursors.
//
// Thread safety: members are either constant after construction, atomic, or
// guarded by their class's mutex as marked.
#ifndef SHALE_SERVER_SERVER_STATE_H_
#define SHALE_SERVER_SERVER_STATE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/config.h"
#include "server/keyspace/keyspace.h"
#include "server/live_config.h"
#include "server/net/registry.h"
#include "server/pubsub/pubsub.h"
#include "server/redis/blocking.h"
#include "server/redis/client_pause.h"
#include "server/redis/command_stats.h"
#include "server/redis/monitor_registry.h"
#include "server/redis/slowlog.h"
#include "server/redis/watch.h"
#include "server/scripting/function_registry.h"
#include "server/scripting/script_cache.h"
#include "server/stat_counter.h"

namespace shale::server {

class ActiveExpirer;
class KeyspaceNotifier;

// One RESP client as CLIENT LIST shows it.
struct ClientState {
  uint64_t id = 0;
  std::string peer;
  std::string local;
  uint64_t created_ms = 0;
  // Written by the client's own thread, read by CLIENT LIST elsewhere.
  std::atomic<uint64_t> last_ms{0};
  std::atomic<const char*> last_cmd{"NULL"};  // a static command name
  std::atomic<int> resp{2};
  // The selected database (SELECT); written by the client's own thread.
  std::atomic<int> db{0};
  // Blocked by BLPOP ... (CLIENT LIST flag b); written by its own thread.
  std::atomic<bool> blocked{false};
  // CLIENT NO-EVICT on (CLIENT LIST flag e); written by its own thread.
  std::atomic<bool> no_evict{false};
  // In MONITOR (CLIENT LIST flag O); set by MonitorRegistry.
  std::atomic<bool> monitoring{false};
  // Guarded by ClientTable::mu_ (SETNAME is rare; LIST reads it).
  std::string name;
};

class ClientTable {
 public:
  void Add(ClientState* c);
  void Remove(uint64_t id);
  void SetName(ClientState* c, std::string name);
  std::string Name(const ClientState* c);
  // CLIENT LIST / CLIENT INFO lines.
  std::string Describe(const ClientState* c);
  std::string List();
  size_t size();
  // The ids of the clients pred accepts (pred runs under the table's lock:
  // a ClientState's name and addresses are stable there).
  std::vector<uint64_t> Select(
      const std::function<bool(const ClientState&)>& pred);

 private:
  std::string DescribeLocked(const ClientState* c);
  std::mutex mu_;
  std::map<uint64_t, ClientState*> clients_;  // guarded by mu_
};

// SCAN cursors: Redis clients treat a cursor as an unsigned integer, but a
// position in an ordered keyspace is a key. The table maps cursor numbers
// to the key to resume at; it keeps the newest kMaxCursors, so a client
// that pauses a scan for long enough is told "ERR invalid cursor".
class CursorTable {
 public:
  static constexpr size_t kMaxCursors = 16384;
  uint64_t Save(std::string next_key);
  // False if the cursor is unknown (never issued or evicted).
  bool Load(uint64_t cursor, std::string* next_key);

 private:
  std::mutex mu_;
  uint64_t next_ = 1;                                  // guarded by mu_
  std::unordered_map<uint64_t, std::string> cursors_;  // guarded by mu_
  std::deque<uint64_t> order_;                         // guarded by mu_
};

struct ServerState {
  ServerState(const Config& c, Keyspace* k, Registry* r)
      : config(c), ks(k), registry(r), watches(k), requirepass(c.requirepass) {
    auth_required.store(!requirepass.empty());
  }

  // Constant after construction. The settings shale reads at start; the
  // Redis parameters, some of which CONFIG SET changes, are in `live`.
  const Config& config;
  Keyspace* const ks;
  Registry* const registry;
  uint64_t start_ms = Keyspace::NowMs();
  // The active expirer (set by Server::Start before serving).
  ActiveExpirer* expirer = nullptr;
  // Keyspace notifications (set by Server::Start before serving).
  KeyspaceNotifier* notifier = nullptr;
  int resp_port = 0, memcache_port = 0, http_port = 0;

  // The Redis parameters' running values (CONFIG GET / SET / REWRITE).
  LiveConfig live;
  // proto-max-bulk-len: the largest value (and Redis bulk argument).
  uint64_t max_value_bytes() const {
    static const LiveConfig::Ref ref =
        LiveConfig::Resolve("proto-max-bulk-len");
    return static_cast<uint64_t>(live.Int(ref));
  }

  ClientTable clients;
  CursorTable cursors;
  // WATCH's registry; a commit hook of ks (registered by Server::Start).
  WatchRegistry watches;
  // The clients blocked by BLPOP, BZPOPMIN ... (redis/blocking.h).
  BlockingRegistry blocking;
  // CLIENT PAUSE, and how many clients it holds now (INFO blocked_clients
  // counts them, as Redis).
  ClientPause pause;
  std::atomic<int64_t> paused_clients{0};
  // MONITOR's clients (redis/monitor.h writes their lines).
  MonitorRegistry monitors;
  // Clients disconnected for exceeding their client-output-buffer-limit
  // (kept in `live`): INFO stats client_output_buffer_limit_disconnections.
  StatCounter output_limit_disconnections;
  PubSub pubsub;
  StatCounter total_commands;
  StatCounter rejected_calls;
  ErrorStats errors;    // every RESP error reply, by prefix
  SlowLog slowlog;      // SLOWLOG (commands that ran slower than the threshold)
  ScriptCache scripts;  // EVAL's and SCRIPT LOAD's scripts, by SHA-1
  FunctionRegistry functions;  // FUNCTION LOAD's libraries
  // memcached front end counters (its `stats`).
  StatCounter mc_cmd_get, mc_get_hits, mc_get_misses, mc_cmd_set, mc_cmd_touch,
      mc_cmd_flush;
  // HTTP front end counters.
  StatCounter http_requests, http_errors;

  // CONFIG SET may change these at runtime.
  std::string RequirePass() {
    std::lock_guard<std::mutex> l(config_mu);
    return requirepass;
  }
  void SetRequirePass(std::string p) {
    std::lock_guard<std::mutex> l(config_mu);
    requirepass = std::move(p);
    auth_required.store(!requirepass.empty());
  }
  std::atomic<bool> auth_required{false};

 private:
  std::mutex config_mu;
  std::string requirepass;  // guarded by config_mu
};

}  // namespace shale::server

#endif  // SHALE_SERVER_SERVER_STATE_H_
