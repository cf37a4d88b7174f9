// Registry: every open connection of the server, over all front ends.
//
// Enforces maxclients and lets shutdown close connections gracefully.
// Thread safety: all members are thread-safe (one mutex).
#ifndef SHALE_SERVER_NET_REGISTRY_H_
#define SHALE_SERVER_NET_REGISTRY_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "server/net/connection.h"

namespace shale::server {

class Registry {
 public:
  explicit Registry(size_t max_connections) : max_(max_connections) {}

  // Changes maxclients; connections beyond it stay, new ones are refused.
  void set_max_connections(size_t n) { max_.store(n); }

  // Adds c and gives it a fresh id; false (c not added) if the server is at
  // maxclients or shutting down.
  bool Add(const std::shared_ptr<Connection>& c);
  void Remove(uint64_t id);
  // The connection with this id, or nullptr if it is gone.
  std::shared_ptr<Connection> Find(uint64_t id);
  size_t size();
  uint64_t total_accepted() const { return total_.load(); }
  uint64_t total_rejected() const { return rejected_.load(); }
  // CONFIG RESETSTAT: the two counters above back to 0.
  void ResetStats() {
    total_.store(0);
    rejected_.store(0);
  }

  // Asks every connection to close, refuses new ones, then waits until all
  // are gone or the timeout passes; true if all closed.
  bool ShutdownAll(std::chrono::milliseconds timeout);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<size_t> max_;  // read under mu_, written by CONFIG SET
  uint64_t next_id_ = 1;     // guarded by mu_
  // Written under mu_, read without it for statistics.
  std::atomic<uint64_t> total_{0};
  std::atomic<uint64_t> rejected_{0};
  bool stopping_ = false;                                // guarded by mu_
  std::map<uint64_t, std::weak_ptr<Connection>> conns_;  // guarded by mu_
};

}  // namespace shale::server

#endif  // SHALE_SERVER_NET_REGISTRY_H_
