#include "server/redis/command_stats.h"

namespace shale::server {

void ErrorStats::OnError(std::string_view msg) {
  total_.fetch_add(1);
  std::string_view prefix = msg.substr(0, msg.find(' '));
  std::lock_guard<std::mutex> l(mu_);
  auto it = prefixes_.find(prefix);
  if (it != prefixes_.end()) {
    it->second++;
  } else if (prefixes_.size() < kMaxPrefixes) {
    prefixes_.emplace(std::string(prefix), 1);
  }
}

std::map<std::string, uint64_t, std::less<>> ErrorStats::Prefixes() const {
  std::lock_guard<std::mutex> l(mu_);
  return prefixes_;
}

void ErrorStats::Reset() {
  total_.store(0);
  std::lock_guard<std::mutex> l(mu_);
  prefixes_.clear();
}

}  // namespace shale::server
