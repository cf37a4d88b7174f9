// BlockingRegistry (blocking.h): the waiters' queues.
#include "server/redis/blocking.h"

#include <algorithm>

namespace shale::server {

void BlockingRegistry::Block(BlockedClient* b) {
  MutexLock l(&mu_);
  for (const std::string& k : b->keys) {
    auto& q = by_key_[{b->db, k}];
    // BLPOP k k waits once on k.
    if (std::find(q.begin(), q.end(), b) == q.end()) q.push_back(b);
  }
  by_id_[b->id] = b;
  size_.fetch_add(1, std::memory_order_relaxed);
}

void BlockingRegistry::RemoveLocked(BlockedClient* b) {
  for (const std::string& k : b->keys) {
    auto it = by_key_.find(std::make_pair(b->db, k));
    if (it == by_key_.end()) continue;
    auto& q = it->second;
    q.erase(std::remove(q.begin(), q.end(), b), q.end());
    if (q.empty()) by_key_.erase(it);
  }
  by_id_.erase(b->id);
  size_.fetch_sub(1, std::memory_order_relaxed);
}

bool BlockingRegistry::Remove(BlockedClient* b) {
  MutexLock l(&mu_);
  auto it = by_id_.find(b->id);
  if (it == by_id_.end() || it->second != b) return false;
  RemoveLocked(b);
  return true;
}

std::shared_ptr<Connection> BlockingRegistry::RemoveById(uint64_t id,
                                                         BlockedClient** b) {
  MutexLock l(&mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return nullptr;
  *b = it->second;
  RemoveLocked(*b);
  return (*b)->conn.lock();
}

void BlockingRegistry::WithWaiters(
    int db, std::string_view key,
    const std::function<void(const std::deque<BlockedClient*>&)>& fn) {
  if (size() == 0) return;
  MutexLock l(&mu_);
  auto it = by_key_.find(std::make_pair(db, std::string(key)));
  if (it == by_key_.end()) return;
  // fn claims waiters, which may erase this queue: it gets a copy.
  const std::deque<BlockedClient*> waiters = it->second;
  fn(waiters);
}

std::vector<std::string> BlockingRegistry::KeysOf(int db) {
  std::vector<std::string> out;
  if (size() == 0) return out;
  MutexLock l(&mu_);
  for (auto it = by_key_.lower_bound(std::make_pair(db, std::string()));
       it != by_key_.end() && it->first.first == db; ++it) {
    out.push_back(it->first.second);
  }
  return out;
}

std::shared_ptr<Connection> BlockingRegistry::Claim(BlockedClient* b) {
  mu_.AssertHeld();
  RemoveLocked(b);
  return b->conn.lock();
}

}  // namespace shale::server
