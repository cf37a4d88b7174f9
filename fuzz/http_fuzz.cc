// libFuzzer target: any bytes as what an HTTP client sends to
// shale-server's HTTP front end, fed in random-sized pieces to
// HttpSession::OnData: Beast's request parser used as a state machine, the
// routes of the JSON API, and the engine under them (a DB on an in-memory
// Env). Must never crash, whatever the requests; every byte given is
// consumed or the session closes.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "server/http/http_session.h"
#include "server/keyspace/keyspace.h"
#include "server/net/registry.h"
#include "server/server_state.h"
#include "shale/db.h"
#include "util/mem_env.h"

namespace {

// One server, rebuilt every so often so the in-memory DB stays small.
struct Server {
  Server() {
    config.http_max_body_bytes = 1 << 20;
    config.http_max_header_bytes = 8 << 10;
    config.http_max_uri_bytes = 2 << 10;  // 414 within the inputs' size
    shale::Options o;
    o.create_if_missing = true;
    o.env = &env;
    o.write_buffer_size = 256 << 10;
    if (!shale::DB::Open(o, "/fuzz", &db).ok()) std::abort();
    if (!shale::server::Keyspace::Open(db.get(),
                                       shale::server::FsyncPolicy::kNo, 16, &ks)
             .ok()) {
      std::abort();
    }
    state = std::make_unique<shale::server::ServerState>(config, ks.get(),
                                                         &registry);
  }
  shale::MemEnv env;
  shale::server::Config config;
  shale::server::Registry registry{16};
  std::unique_ptr<shale::DB> db;
  std::unique_ptr<shale::server::Keyspace> ks;
  std::unique_ptr<shale::server::ServerState> state;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<Server> server;
  static int runs = 0;
  if (server == nullptr || ++runs % 5000 == 0) {
    server.reset();
    server = std::make_unique<Server>();
  }
  if (size == 0) return 0;
  shale::server::HttpSession session(server->state.get(),
                                     shale::server::ConnectionInfo{});
  // The first byte chooses the piece size, exercising partial input.
  const size_t piece = 1 + data[0] % 128;
  std::string pending, out;
  for (size_t pos = 1; pos < size && !session.closing(); pos += piece) {
    pending.append(reinterpret_cast<const char*>(data) + pos,
                   std::min(piece, size - pos));
    while (!pending.empty() && !session.closing()) {
      size_t used = session.OnData(pending, &out, 1 << 16);
      if (used > pending.size()) std::abort();
      pending.erase(0, used);
      out.clear();           // as if the socket took it
      if (used == 0) break;  // waits for more input
    }
  }
  return 0;
}
