// WatchRegistry: WATCH's bookkeeping, a commit hook (keyspace/commit_hook.h).
//
// A client's watched keys are registered here; any commit that writes one of
// them (through any front end: every write ends in Keyspace's commit path)
// marks the client dirty, and so does FLUSHDB/FLUSHALL/SWAPDB of its
// database when the key existed at WATCH time or exists after the swap (as
// Redis's touchAllWatchedKeysInDb). EXEC also fails when a watched key that
// was live at WATCH time has expired since (Redis 7.0's rule); a key that
// had already expired when WATCHed is not changed by its reclamation, only
// by a later write (Redis 7.0's rule too). The dirty
// flag is read by EXEC after it holds the locks of every watched key, so
// no write slips between the check and the transaction.
//
// Cost when nobody watches: one relaxed atomic load per commit.
//
// Thread safety: all members may be called from any thread.
#ifndef SHALE_SERVER_REDIS_WATCH_H_
#define SHALE_SERVER_REDIS_WATCH_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "server/keyspace/commit_hook.h"
#include "server/keyspace/keyspace.h"

namespace shale::server {

// One client's WATCH state (owned by its session).
struct WatchState {
  struct Key {
    int db;
    std::string key;
    bool existed;           // live when WATCHed
    uint64_t expire_at_ms;  // its expiry then (0: none or absent)
    // Present but already expired when WATCHed (not yet reclaimed): its
    // deletion, lazy or active, is no change, as Redis 7.0's
    // watchedKey.expired; cleared by that deletion. Written under the
    // registry's mutex.
    bool expired;
  };
  // Written by the owning session under the registry's mutex; read by it
  // freely and by the hooks under the mutex.
  std::vector<Key> keys;
  std::atomic<bool> dirty{false};
};

class WatchRegistry : public CommitHook {
 public:
  explicit WatchRegistry(Keyspace* ks) : ks_(ks) {}

  // Watches key of db for w (registered before its state is read, so a
  // write in between makes w dirty rather than going unseen).
  void Watch(WatchState* w, int db, std::string_view key);
  // Forgets every key of w and clears its dirty flag.
  void UnwatchAll(WatchState* w);
  // True if EXEC must fail: a watched key was written, flushed or swapped
  // away, or expired since WATCH. REQUIRES: the locks of w's keys are held.
  bool Failed(const WatchState& w);

  void OnKeysWritten(std::span<const TouchedKey> keys) override;
  void OnDatabasesReplaced(std::span<const int> dbs) override;

 private:
  // If w watched t's key while it was already expired: clears that mark
  // and returns true if the commit only reclaimed it (the key is absent
  // now). REQUIRES: mu_ held.
  bool ReclaimedExpired(WatchState* w, const TouchedKey& t);

  Keyspace* const ks_;
  std::atomic<size_t> watched_{0};  // registrations, for the fast path
  std::mutex mu_;
  // (db, key) -> the clients watching it. Guarded by mu_.
  std::map<std::pair<int, std::string>, std::vector<WatchState*>, std::less<>>
      by_key_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_WATCH_H_
