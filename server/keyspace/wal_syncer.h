// WalSyncer: the `fsync everysec` policy. A background thread that makes the
// WAL durable once a second, so that a power loss loses at most about the
// last second of acknowledged writes. Writes themselves never wait for it.
//
// It does not call DB::SyncWAL: that call takes its turn in the engine's
// write queue and holds it for the whole fsync (tens of milliseconds under
// load here), so every write of every client would stall once a second.
// Instead it fdatasyncs the active WAL through a file descriptor of its own,
// which the kernel allows alongside the engine's appends:
//   - every acknowledged write has been written to its WAL (the engine
//     flushes each write group to the OS before it acknowledges it);
//   - the engine fsyncs a WAL before it switches to the next one, so only
//     the newest WAL (the highest-numbered NNNNNN.log, docs/format/wal.md)
//     can hold unsynced writes.
// If the directory holds no WAL or the fdatasync fails, it falls back to
// DB::SyncWAL, which reports (and on error records) the failure the
// engine's way. The last sync, at shutdown, is DB::SyncWAL too.
#ifndef SHALE_SERVER_KEYSPACE_WAL_SYNCER_H_
#define SHALE_SERVER_KEYSPACE_WAL_SYNCER_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "server/keyspace/keyspace.h"

namespace shale::server {

class WalSyncer {
 public:
  // dir: the DB directory, where the WAL files are.
  WalSyncer(Keyspace* ks, std::string dir, std::chrono::milliseconds period);
  // Stops the thread after one last sync.
  ~WalSyncer();
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  // One sync as the thread does it (for tests).
  Status SyncNow();
  // Syncs done by fdatasync of the WAL / through DB::SyncWAL.
  uint64_t direct_syncs() const;
  uint64_t engine_syncs() const;

 private:
  void Run();
  // The path of the newest NNNNNN.log in dir_; empty if there is none.
  std::string NewestWal() const;

  Keyspace* const ks_;
  const std::string dir_;
  const std::chrono::milliseconds period_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;          // guarded by mu_
  uint64_t direct_syncs_ = 0;  // guarded by mu_
  uint64_t engine_syncs_ = 0;  // guarded by mu_
  std::thread thread_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_WAL_SYNCER_H_
