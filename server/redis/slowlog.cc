#include "server/redis/slowlog.h"

#include <algorithm>
#include <chrono>

namespace shale::server {

void SlowLog::Add(const std::vector<std::string>& args, uint64_t usec,
                  std::string peer, std::string name, int64_t max_len) {
  Entry e;
  e.time_s = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  e.usec = usec;
  const size_t n = std::min(args.size(), kMaxArgs);
  for (size_t i = 0; i < n; i++) {
    if (n < args.size() && i == n - 1) {
      e.args.push_back("... (" + std::to_string(args.size() - n + 1) +
                       " more arguments)");
      break;
    }
    const std::string& a = args[i];
    if (a.size() > kMaxArgBytes) {
      e.args.push_back(a.substr(0, kMaxArgBytes) + "... (" +
                       std::to_string(a.size() - kMaxArgBytes) +
                       " more bytes)");
    } else {
      e.args.push_back(a);
    }
  }
  e.peer = std::move(peer);
  e.name = std::move(name);
  std::lock_guard<std::mutex> l(mu_);
  e.id = next_id_++;
  entries_.push_front(std::move(e));
  while (static_cast<int64_t>(entries_.size()) >
         std::max<int64_t>(max_len, 0)) {
    entries_.pop_back();
  }
}

std::vector<SlowLog::Entry> SlowLog::Get(int64_t count) const {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = count < 0 ? entries_.size()
                       : std::min(entries_.size(), static_cast<size_t>(count));
  return std::vector<Entry>(entries_.begin(),
                            entries_.begin() + static_cast<ptrdiff_t>(n));
}

size_t SlowLog::Len() const {
  std::lock_guard<std::mutex> l(mu_);
  return entries_.size();
}

void SlowLog::Reset() {
  std::lock_guard<std::mutex> l(mu_);
  entries_.clear();
}

}  // namespace shale::server
