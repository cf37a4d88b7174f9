// The `shale` CLI's commands over a DB directory. Each returns the process
// exit code: 0 success, 1 "not found" (get), 2 an error (printed to stderr).
#ifndef SHALE_TOOLS_COMMANDS_H_
#define SHALE_TOOLS_COMMANDS_H_

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace shale::tools {

struct ScanArgs {
  std::optional<std::string> from;  // inclusive
  std::optional<std::string> to;    // exclusive
  uint64_t limit = 0;               // 0 = no limit
};

int CmdPut(const std::string& db, const std::string& key,
           const std::string& value, uint64_t ttl_ms, bool sync);
int CmdGet(const std::string& db, const std::string& key, bool escape);
int CmdDelete(const std::string& db, const std::string& key, bool sync);
int CmdScan(const std::string& db, const ScanArgs& args);
int CmdStats(const std::string& db);
int CmdCheck(const std::string& db);
// Reads commands from in (prompting when interactive) until EOF or quit.
int CmdShell(const std::string& db, bool create, std::istream& in,
             bool interactive);
// Prints a file of any kind shale writes in readable form.
int CmdDump(const std::string& path, const std::string& type);

}  // namespace shale::tools

#endif  // SHALE_TOOLS_COMMANDS_H_
