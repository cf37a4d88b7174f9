// The `shale` CLI's commands over a DB directory. Each returns the process
// exit code: 0 success, 1 "not found" (get) or damage found (check), 2 an
// error (printed to stderr).
#ifndef SHALE_TOOLS_COMMANDS_H_
#define SHALE_TOOLS_COMMANDS_H_

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "shale/status.h"

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
// Opens the DB and writes a checkpoint of it to out (DB::CreateCheckpoint:
// out must not exist).
int CmdCheckpoint(const std::string& db, const std::string& out);
// Opens the DB (taking its lock), reads every key, then verifies every
// table and vlog file the MANIFEST lists: block checksums, every value
// pointer's record, vlog headers and footers, and each vlog's garbage count
// against a recount. 0 if all is well, 1 if anything is damaged (each
// problem printed), 2 if the DB cannot be opened or read at all.
int CmdCheck(const std::string& db);
// Reads commands from in (prompting when interactive) until EOF or quit.
int CmdShell(const std::string& db, bool create, std::istream& in,
             bool interactive);
// Prints a file of any kind shale writes in readable form.
int CmdDump(const std::string& path, const std::string& type);

}  // namespace shale::tools

#endif  // SHALE_TOOLS_COMMANDS_H_
