#include "server/keyspace/wal_syncer.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace shale::server {

WalSyncer::WalSyncer(Keyspace* ks, std::string dir,
                     std::chrono::milliseconds period)
    : ks_(ks),
      dir_(std::move(dir)),
      period_(period),
      thread_([this] { Run(); }) {}

WalSyncer::~WalSyncer() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::string WalSyncer::NewestWal() const {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir_, ec);
  uint64_t newest = 0;
  std::string path;
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() <= 4 || name.compare(name.size() - 4, 4, ".log") != 0) {
      continue;
    }
    uint64_t n = 0;
    bool digits = true;
    for (size_t i = 0; i + 4 < name.size(); i++) {
      if (name[i] < '0' || name[i] > '9') {
        digits = false;
        break;
      }
      n = n * 10 + static_cast<uint64_t>(name[i] - '0');
    }
    if (digits && (path.empty() || n > newest)) {
      newest = n;
      path = it->path().string();
    }
  }
  return path;
}

Status WalSyncer::SyncNow() {
  std::string wal = NewestWal();
  if (!wal.empty()) {
    int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      int r = ::fdatasync(fd);
      int err = errno;
      ::close(fd);
      if (r == 0) {
        std::lock_guard<std::mutex> l(mu_);
        direct_syncs_++;
        return Status::OK();
      }
      spdlog::warn("fdatasync of {} failed: {}; syncing through the engine",
                   wal, std::strerror(err));
    }
    // Not openable: the engine moved to a newer WAL (after syncing this
    // one) and deleted it. The engine's sync covers the new one.
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    engine_syncs_++;
  }
  return ks_->Sync();
}

uint64_t WalSyncer::direct_syncs() const {
  std::lock_guard<std::mutex> l(mu_);
  return direct_syncs_;
}

uint64_t WalSyncer::engine_syncs() const {
  std::lock_guard<std::mutex> l(mu_);
  return engine_syncs_;
}

void WalSyncer::Run() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    bool stop = cv_.wait_for(l, period_, [this] { return stop_; });
    l.unlock();
    // The last sync goes through the engine: nothing writes any more.
    Status s = stop ? ks_->Sync() : SyncNow();
    if (!s.ok()) spdlog::error("fsync of the WAL failed: {}", s.ToString());
    l.lock();
    if (stop) return;
  }
}

}  // namespace shale::server
