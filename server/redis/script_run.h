// What EVAL (cmd_script.cc) and FCALL (cmd_function.cc) share: running a
// prepared script or function atomically in the command's Tx (the locking
// and retry described at the top of cmd_script.cc), its time bound, and
// the replies of SCRIPT KILL and FUNCTION KILL.
#ifndef SHALE_SERVER_REDIS_SCRIPT_RUN_H_
#define SHALE_SERVER_REDIS_SCRIPT_RUN_H_

#include <cstdint>

#include "server/redis/command.h"
#include "server/scripting/lua_engine.h"

namespace shale::server {

// busy-reply-threshold, in ms: a script or function running longer is
// stopped.
int64_t ScriptTimeLimitMs(CommandContext& ctx);

// Runs run (prepared on engine, the calling thread's) and writes its one
// reply to ctx.w: its declared keys locked first, every key a command of
// it touches locked as it goes, or the whole run again holding every
// stripe. read_only: write commands are refused ("Write commands are not
// allowed from read-only scripts."). A run stopped by its time bound or by
// a KILL has its writes dropped. Sets run.host.
void RunScript(CommandContext& ctx, LuaEngine* engine, ScriptRun& run,
               bool read_only);

// SCRIPT KILL's (functions false) or FUNCTION KILL's reply to r.
void ReplyKill(RespWriter* w, LuaEngine::KillResult r, bool functions);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_SCRIPT_RUN_H_
