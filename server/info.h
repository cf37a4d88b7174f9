// Server statistics in named sections, shared by RESP INFO, HTTP /v1/stats
// and /metrics: server, clients, memory, persistence, stats, keyspace and
// shale (the engine's properties).
#ifndef SHALE_SERVER_INFO_H_
#define SHALE_SERVER_INFO_H_

#include <string>
#include <utility>
#include <vector>

#include "server/server_state.h"

namespace shale::server {

struct InfoSection {
  std::string name;  // lowercase: "server", "keyspace", ...
  std::vector<std::pair<std::string, std::string>> fields;
};

// The sections in INFO order. The keyspace section counts keys (O(keys));
// with_keyspace=false leaves it empty.
std::vector<InfoSection> CollectInfo(ServerState* s, bool with_keyspace);

// The engine's raw "shale.stats" text.
std::string EngineStats(ServerState* s);

// Resident set size of the process in bytes (0 if unknown).
uint64_t ResidentBytes();

}  // namespace shale::server

#endif  // SHALE_SERVER_INFO_H_
