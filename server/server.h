// Server: shale-server's whole life: opens the DB, starts the I/O threads and
// the front ends the config enables, and shuts down cleanly.
//
// Shutdown order: stop accepting; ask every connection to close once its
// current reply is written (commands run to completion inside their I/O
// handler, so none is cut in half); stop the I/O threads; sync the WAL and
// flush the memtable; close the DB.
#ifndef SHALE_SERVER_SERVER_H_
#define SHALE_SERVER_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "server/config.h"
#include "server/keyspace/expirer.h"
#include "server/keyspace/keyspace.h"
#include "server/keyspace/notifier.h"
#include "server/keyspace/server_filter.h"
#include "server/keyspace/wal_syncer.h"
#include "server/net/io_pool.h"
#include "server/net/listener.h"
#include "server/net/registry.h"
#include "server/server_state.h"
#include "shale/db.h"

namespace shale::server {

class Server {
 public:
  explicit Server(Config config);
  ~Server();

  // Opens the DB and the listeners and starts serving; false with *error on
  // failure (nothing is left running).
  bool Start(std::string* error);
  // Blocks until SIGINT or SIGTERM.
  void WaitForSignal();
  // Shuts down as the class comment says. Idempotent.
  void Stop();

 private:
  // Connects the Redis parameters CONFIG SET may change to what they drive.
  void WireConfig();
  bool OpenListener(const std::string& name, int port,
                    Listener::SessionFactory factory, std::string reject,
                    std::string* error);

  Config config_;
  std::unique_ptr<DB> db_;
  std::unique_ptr<Keyspace> ks_;
  std::shared_ptr<ServerCompactionFilter> filter_;
  std::unique_ptr<WalSyncer> syncer_;
  std::unique_ptr<ActiveExpirer> expirer_;
  std::unique_ptr<KeyspaceNotifier> notifier_;
  std::unique_ptr<IoPool> pool_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<ServerState> state_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  bool stopped_ = false;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_SERVER_H_
