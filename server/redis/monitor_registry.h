// MonitorRegistry: the clients of one server that ran MONITOR, each
// receiving every command run from then on (server/redis/monitor.h writes
// the lines). Owned by ServerState; the flag CLIENT LIST shows (O) is the
// client's own ClientState::monitoring, set and cleared here.
//
// A process-wide count lets CallCommand skip all of MONITOR while no client
// of any server monitors (one relaxed load per command).
//
// Thread safety: every member may be called from any thread.
#ifndef SHALE_SERVER_REDIS_MONITOR_REGISTRY_H_
#define SHALE_SERVER_REDIS_MONITOR_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "util/mutex.h"

namespace shale::server {

class Connection;
struct ClientState;

class MonitorRegistry {
 public:
  MonitorRegistry() = default;
  MonitorRegistry(const MonitorRegistry&) = delete;
  MonitorRegistry& operator=(const MonitorRegistry&) = delete;
  // Monitors that are still registered leave the process count.
  ~MonitorRegistry();

  // Adds a monitoring client; false if it already monitors.
  bool Add(ClientState* c, std::weak_ptr<Connection> conn) EXCLUDES(mu_);
  // Ends c's MONITOR, if it monitors.
  void Remove(ClientState* c) EXCLUDES(mu_);
  // Pushes line to every monitor (a monitor's own commands included, as
  // Redis). Each push counts against the monitor's
  // client-output-buffer-limit class (normal, as Redis).
  void Push(const std::string& line) EXCLUDES(mu_);

  // Monitors in the whole process (for the fast path).
  static bool AnyInProcess() {
    return process_count_.load(std::memory_order_relaxed) != 0;
  }

 private:
  Mutex mu_;
  std::map<uint64_t, std::weak_ptr<Connection>> conns_ GUARDED_BY(mu_);
  static std::atomic<int64_t> process_count_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_MONITOR_REGISTRY_H_
