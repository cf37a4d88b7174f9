// CLIENT's administrative subcommands (cmd_client.cc): KILL, PAUSE,
// UNPAUSE, NO-EVICT, REPLY. The rest of CLIENT is in cmd_server.cc, which
// dispatches here.
#ifndef SHALE_SERVER_REDIS_CMD_CLIENT_H_
#define SHALE_SERVER_REDIS_CMD_CLIENT_H_

#include <string>

#include "server/redis/command.h"

namespace shale::server {

// Runs CLIENT <sub> (sub lowercase) if it is one of these subcommands with
// a valid argument count, writing its one reply; false (nothing written)
// otherwise.
bool ClientAdmin(CommandContext& ctx, Args& a, const std::string& sub);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_CMD_CLIENT_H_
