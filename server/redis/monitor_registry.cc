#include "server/redis/monitor_registry.h"

#include <vector>

#include "server/net/connection.h"
#include "server/server_state.h"

namespace shale::server {

std::atomic<int64_t> MonitorRegistry::process_count_{0};

MonitorRegistry::~MonitorRegistry() {
  MutexLock l(&mu_);
  process_count_.fetch_sub(static_cast<int64_t>(conns_.size()),
                           std::memory_order_relaxed);
}

bool MonitorRegistry::Add(ClientState* c, std::weak_ptr<Connection> conn) {
  MutexLock l(&mu_);
  if (!conns_.emplace(c->id, std::move(conn)).second) return false;
  c->monitoring.store(true, std::memory_order_relaxed);
  process_count_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void MonitorRegistry::Remove(ClientState* c) {
  MutexLock l(&mu_);
  if (conns_.erase(c->id) != 0) {
    c->monitoring.store(false, std::memory_order_relaxed);
    process_count_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void MonitorRegistry::Push(const std::string& line) {
  std::vector<std::shared_ptr<Connection>> live;
  {
    MutexLock l(&mu_);
    for (auto& [id, weak] : conns_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  PushBatch batch;
  for (auto& c : live) batch.Add(c.get(), line);
}

}  // namespace shale::server
