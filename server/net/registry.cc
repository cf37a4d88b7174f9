#include "server/net/registry.h"

#include <vector>

namespace shale::server {

bool Registry::Add(const std::shared_ptr<Connection>& c) {
  std::lock_guard<std::mutex> l(mu_);
  if (stopping_ || conns_.size() >= max_.load()) {
    rejected_++;
    return false;
  }
  uint64_t id = next_id_++;
  c->mutable_info()->id = id;
  conns_[id] = c;
  total_++;
  return true;
}

void Registry::Remove(uint64_t id) {
  std::lock_guard<std::mutex> l(mu_);
  conns_.erase(id);
  if (conns_.empty()) cv_.notify_all();
}

std::shared_ptr<Connection> Registry::Find(uint64_t id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.lock();
}

size_t Registry::size() {
  std::lock_guard<std::mutex> l(mu_);
  return conns_.size();
}

bool Registry::ShutdownAll(std::chrono::milliseconds timeout) {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    for (auto& [id, weak] : conns_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) c->Shutdown();
  live.clear();
  std::unique_lock<std::mutex> l(mu_);
  return cv_.wait_for(l, timeout, [this] { return conns_.empty(); });
}

}  // namespace shale::server
