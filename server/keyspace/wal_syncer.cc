#include "server/keyspace/wal_syncer.h"

#include <spdlog/spdlog.h>

namespace shale::server {

WalSyncer::WalSyncer(Keyspace* ks, std::chrono::milliseconds period)
    : ks_(ks), period_(period), thread_([this] { Run(); }) {}

WalSyncer::~WalSyncer() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Status WalSyncer::SyncNow() {
  {
    std::lock_guard<std::mutex> l(mu_);
    syncs_++;
  }
  return ks_->Sync();
}

uint64_t WalSyncer::syncs() const {
  std::lock_guard<std::mutex> l(mu_);
  return syncs_;
}

void WalSyncer::Run() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    bool stop = cv_.wait_for(l, period_, [this] { return stop_; });
    l.unlock();
    if (stop || ks_->fsync() == FsyncPolicy::kEverySec) {
      Status s = SyncNow();
      if (!s.ok()) spdlog::error("fsync of the WAL failed: {}", s.ToString());
    }
    l.lock();
    if (stop) return;
  }
}

}  // namespace shale::server
