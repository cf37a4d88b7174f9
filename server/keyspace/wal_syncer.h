// WalSyncer: the `fsync everysec` policy. A background thread that makes the
// WAL durable once a second, so that a power loss loses at most about the
// last second of acknowledged writes. Writes themselves never wait for it.
// It runs under every policy and syncs only while the keyspace's policy is
// everysec (CONFIG SET appendfsync may change it).
//
// It calls DB::SyncWAL, which syncs every WAL that can hold unsynced writes
// (the active one and those memtable switches left behind) beside the
// engine's writers, not in its write queue: a sync of a busy WAL takes tens
// of milliseconds, and writers do not stall behind it.
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

  // One sync as the thread does it (for tests).
  Status SyncNow();
  // Syncs done so far, failed ones included.
  uint64_t syncs() const;

 private:
  void Run();

  Keyspace* const ks_;
  const std::chrono::milliseconds period_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;   // guarded by mu_
  uint64_t syncs_ = 0;  // guarded by mu_
  std::thread thread_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_WAL_SYNCER_H_
