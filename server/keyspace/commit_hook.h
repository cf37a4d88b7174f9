// Commit hooks: what runs after a write reaches the engine, in commit order,
// while the writer still holds the written keys' stripe locks
// (docs/impl.md, "Server: the Tx, locks, commit path").
//
// Every write of every front end ends in Keyspace's commit path (a Tx's
// Commit, the pipelined SET batch, memcached's and HTTP's Put/Delete/
// Write, FLUSHDB/FLUSHALL/SWAPDB), which calls each registered hook. The
// hook points, in the order they run:
//   1. WATCH invalidation (redis/watch.h): marks the transactions of
//      clients watching a written key (or a replaced database) as failed;
//   2. keyspace notifications (issue 17 item 5);
//   3. waking clients blocked on a written key (issue 18, BLPOP ...);
//   4. replication of the effects (issue 19).
// Hooks are registered before the server serves (AddHook is not
// thread-safe against writers) and must be fast when nothing concerns them
// (WATCH checks one atomic when nobody watches): the hot write paths call
// them on every commit.
#ifndef SHALE_SERVER_KEYSPACE_COMMIT_HOOK_H_
#define SHALE_SERVER_KEYSPACE_COMMIT_HOOK_H_

#include <span>
#include <string_view>

#include "server/keyspace/key_event.h"

namespace shale::server {

// A key written (created, changed or deleted) by a commit.
struct TouchedKey {
  int db;
  std::string_view key;
};

class CommitHook {
 public:
  virtual ~CommitHook() = default;
  // keys were written by one commit (a key may appear more than once).
  virtual void OnKeysWritten(std::span<const TouchedKey> keys) = 0;
  // The events of one commit (key_event.h), in the order they happened;
  // called after OnKeysWritten of the same commit. Only events of classes
  // some hook asked for are recorded (Keyspace::set_notify_classes).
  virtual void OnEvents(std::span<const KeyEvent> events) { (void)events; }
  // Every key of each of dbs was replaced at once (FLUSHDB, FLUSHALL,
  // SWAPDB). Called with every stripe locked.
  virtual void OnDatabasesReplaced(std::span<const int> dbs) = 0;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_COMMIT_HOOK_H_
