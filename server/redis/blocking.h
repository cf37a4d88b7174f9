// BlockingRegistry: the clients blocked by BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP and XREAD BLOCK, by
// (database, key), each key's waiters first-come first-served (docs/impl.md,
// "Server: blocking pops"). An XREAD waiter consumes nothing: one write
// serves every XREAD waiting on its key.
//
// A client blocks from inside its command's Tx, holding its keys' stripe
// locks (Block), so no push can slip between its "every key is empty" and
// its registration. A write's Tx serves the waiters of the keys it wrote
// before it commits, still holding those locks (RespSession::Run ->
// ServeBlocked, cmd_blocking.cc): the waiter's pop is in the same commit
// as the push that woke it, and its reply is handed to its connection
// (Connection::Post) after the commit. A waiter leaves the registry
// exactly once: served (Claim), timed out, CLIENT UNBLOCK, or its
// connection closing (Remove) -- whoever removes it answers it.
//
// Lock order: key stripes, then mu_ (ServeBlocked runs under mu_ while its
// Tx holds stripes; it only try-locks more stripes).
//
// Thread safety: every member may be called from any thread.
#ifndef SHALE_SERVER_REDIS_BLOCKING_H_
#define SHALE_SERVER_REDIS_BLOCKING_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/mutex.h"

namespace shale::server {

class Connection;

// One blocked client: its command and where to answer it. Owned by its
// session; written by the session before Block and after it left the
// registry, read by servers only while it is registered (under mu_).
struct BlockedClient {
  uint64_t id = 0;
  int db = 0;
  int resp = 2;
  bool zset = false;              // waits for a sorted set (BZ*), else a list
  bool stream = false;            // waits for a stream (XREAD), not a list
  std::vector<std::string> args;  // the command as sent
  std::vector<std::string> keys;  // the keys it waits on, in order
  // Whoever removes the client locks this (under mu_: the connection and
  // its session are alive while it is registered) to answer it.
  std::weak_ptr<Connection> conn;
  // Runs on the client's connection thread (through Connection::Post):
  // the session leaves the blocked state and sends reply, or, if rerun,
  // runs its command again. Set by the session.
  std::function<void(const std::string& reply, bool rerun, std::string* out)>
      wake;
  // CLIENT UNBLOCK: answers as a timeout, or with the UNBLOCKED error.
  // Same thread and rules as wake.
  std::function<void(bool error, std::string* out)> unblock;
};

class BlockingRegistry {
 public:
  // Registers b on each of its keys (at the back of each queue).
  void Block(BlockedClient* b) EXCLUDES(mu_);
  // Removes b if it is still registered; true if this call removed it
  // (its caller answers it).
  bool Remove(BlockedClient* b) EXCLUDES(mu_);
  // Removes the client with this id if it is blocked; returns its
  // connection (nullptr: not blocked, or its connection is going) with
  // *b set. CLIENT UNBLOCK.
  std::shared_ptr<Connection> RemoveById(uint64_t id, BlockedClient** b)
      EXCLUDES(mu_);
  // The keys of db that clients wait on, in key order (SWAPDB).
  std::vector<std::string> KeysOf(int db) EXCLUDES(mu_);
  // Clients blocked now (INFO blocked_clients); a relaxed load.
  size_t size() const { return size_.load(std::memory_order_relaxed); }

  // For ServeBlocked: runs fn under the registry's mutex with the waiters
  // of (db, key) in order; fn serves and Claims them. REQUIRES: the caller
  // holds key's stripe lock.
  void WithWaiters(
      int db, std::string_view key,
      const std::function<void(const std::deque<BlockedClient*>&)>& fn)
      EXCLUDES(mu_);
  // Removes b (served) and returns its connection (nullptr if it is
  // going: b must then not be served). REQUIRES: inside WithWaiters' fn,
  // b registered.
  std::shared_ptr<Connection> Claim(BlockedClient* b) NO_THREAD_SAFETY_ANALYSIS;

 private:
  void RemoveLocked(BlockedClient* b) REQUIRES(mu_);

  Mutex mu_;
  std::map<std::pair<int, std::string>, std::deque<BlockedClient*>, std::less<>>
      by_key_ GUARDED_BY(mu_);
  std::map<uint64_t, BlockedClient*> by_id_ GUARDED_BY(mu_);
  std::atomic<size_t> size_{0};
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_BLOCKING_H_
