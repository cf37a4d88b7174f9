// WalSyncer: the `fsync everysec` policy. A background thread that makes the
// WAL durable once a second (DB::SyncWAL), so that a power loss loses at most
// about the last second of acknowledged writes. Writes themselves never wait
// for it.
#ifndef SHALE_SERVER_KEYSPACE_WAL_SYNCER_H_
#define SHALE_SERVER_KEYSPACE_WAL_SYNCER_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/keyspace/keyspace.h"

namespace shale::server {

class WalSyncer {
 public:
  WalSyncer(Keyspace* ks, std::chrono::milliseconds period);
  // Stops the thread after one last sync.
  ~WalSyncer();
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

 private:
  void Run();

  Keyspace* const ks_;
  const std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_WAL_SYNCER_H_
