// What RespSession needs from the blocking pops (cmd_blocking.cc): serving
// the clients blocked on the keys a write touched, inside the write's Tx
// (redis/blocking.h explains the design).
//
// Thread safety: ServeBlocked runs on the writer's thread, with its Tx.
#ifndef SHALE_SERVER_REDIS_BLOCKING_CMD_H_
#define SHALE_SERVER_REDIS_BLOCKING_CMD_H_

#include <memory>
#include <string>
#include <vector>

#include "server/keyspace/tx.h"
#include "server/redis/blocking.h"
#include "server/server_state.h"

namespace shale::server {

// A served (or to be re-run) blocked client, answered after the commit.
struct Wakeup {
  std::shared_ptr<Connection> conn;
  BlockedClient* client;
  std::string reply;  // in the client's RESP version
  bool rerun;         // run its command again on its own connection
};

// For each key tx has written that clients wait on: serves them in order,
// each with its own command's pop (its events recorded in tx) on that key,
// while the key holds an element of the type it waits for. A BLMOVE whose
// destination's stripe is busy (another writer holds it) is re-run on its
// own connection instead (docs/protocols.md). Appends the clients served
// to *out; the caller commits tx, then posts each reply (PostWakeups).
// REQUIRES: tx holds the stripe locks of the keys it wrote.
void ServeBlocked(ServerState* server, Tx* tx, std::vector<Wakeup>* out);

// After the commit: hands each reply to its connection. If the commit
// failed (ok false), the clients run their commands again instead.
void PostWakeups(std::vector<Wakeup>* wakeups, bool ok);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_BLOCKING_CMD_H_
