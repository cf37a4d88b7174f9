// ScriptCache: a map under a reader-writer lock (lookups, by every EVALSHA,
// share it).
#include "server/scripting/script_cache.h"

#include <mutex>

namespace shale::server {

void ScriptCache::Add(const std::string& sha, std::string_view body) {
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    if (scripts_.count(sha) != 0) return;
  }
  auto b = std::make_shared<const std::string>(body);
  std::unique_lock<std::shared_mutex> l(mu_);
  if (scripts_.emplace(sha, std::move(b)).second) bytes_ += body.size();
}

std::shared_ptr<const std::string> ScriptCache::Find(
    std::string_view sha) const {
  if (sha.size() != 40) return nullptr;
  char lower[40];
  for (size_t i = 0; i < 40; i++) {
    char c = sha[i];
    lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = scripts_.find(std::string(lower, 40));
  return it == scripts_.end() ? nullptr : it->second;
}

void ScriptCache::Flush() {
  std::unordered_map<std::string, std::shared_ptr<const std::string>> old;
  {
    std::unique_lock<std::shared_mutex> l(mu_);
    old.swap(scripts_);
    bytes_ = 0;
    generation_.fetch_add(1, std::memory_order_acq_rel);
  }
  // The bodies are freed here, outside the lock.
}

size_t ScriptCache::size() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return scripts_.size();
}

size_t ScriptCache::bytes() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return bytes_;
}

}  // namespace shale::server
