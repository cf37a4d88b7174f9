#include "server/redis/watch.h"

#include <algorithm>

namespace shale::server {

void WatchRegistry::Watch(WatchState* w, int db, std::string_view key) {
  for (const auto& k : w->keys) {
    if (k.db == db && k.key == key) return;  // already watched
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    by_key_[{db, std::string(key)}].push_back(w);
    w->keys.push_back({db, std::string(key), false, 0, false});
    watched_.fetch_add(1, std::memory_order_relaxed);
  }
  Entry e;
  Status s = ks_->Get(db, key, &e);
  std::lock_guard<std::mutex> l(mu_);
  w->keys.back().existed = s.ok();
  w->keys.back().expire_at_ms = s.ok() ? e.meta().expire_at_ms : 0;
  w->keys.back().expired = !s.ok() && e.expired();
}

void WatchRegistry::UnwatchAll(WatchState* w) {
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& k : w->keys) {
      auto it = by_key_.find(std::make_pair(k.db, k.key));
      if (it == by_key_.end()) continue;
      auto& v = it->second;
      v.erase(std::remove(v.begin(), v.end(), w), v.end());
      if (v.empty()) by_key_.erase(it);
      watched_.fetch_sub(1, std::memory_order_relaxed);
    }
    w->keys.clear();
  }
  w->dirty.store(false, std::memory_order_relaxed);
}

bool WatchRegistry::Failed(const WatchState& w) {
  if (w.dirty.load(std::memory_order_acquire)) return true;
  const uint64_t now = Keyspace::NowMs();
  for (const auto& k : w.keys) {
    if (k.existed && k.expire_at_ms != 0 && k.expire_at_ms <= now) return true;
  }
  return false;
}

void WatchRegistry::OnKeysWritten(std::span<const TouchedKey> keys) {
  if (watched_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard<std::mutex> l(mu_);
  std::pair<int, std::string> probe;
  for (const TouchedKey& k : keys) {
    probe.first = k.db;
    probe.second.assign(k.key);
    auto it = by_key_.find(probe);
    if (it == by_key_.end()) continue;
    for (WatchState* w : it->second) {
      if (ReclaimedExpired(w, k)) continue;
      w->dirty.store(true, std::memory_order_release);
    }
  }
}

bool WatchRegistry::ReclaimedExpired(WatchState* w, const TouchedKey& t) {
  for (auto& k : w->keys) {
    if (k.db != t.db || k.key != t.key || !k.expired) continue;
    // The commit deleted the expired key (nothing there now) or wrote it.
    k.expired = false;
    return !ks_->Exists(t.db, t.key);
  }
  return false;
}

void WatchRegistry::OnDatabasesReplaced(std::span<const int> dbs) {
  if (watched_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [dk, ws] : by_key_) {
    if (std::find(dbs.begin(), dbs.end(), dk.first) == dbs.end()) continue;
    // Exists now: a SWAPDB brought a key of that name in.
    const bool exists_now = ks_->Exists(dk.first, dk.second);
    for (WatchState* w : ws) {
      bool existed = false;
      for (const auto& k : w->keys) {
        if (k.db == dk.first && k.key == dk.second) existed = k.existed;
      }
      if (existed || exists_now) {
        w->dirty.store(true, std::memory_order_release);
      }
    }
  }
}

}  // namespace shale::server
