// The server's data directory (docs/format/server_keys.md, §7): the engine
// DB lives in <dir>/db/; a legacy directory (the engine's files directly in
// <dir>, values with the legacy header) is migrated into that layout at
// start, by a copy that a kill -9 at any point resumes.
#ifndef SHALE_SERVER_KEYSPACE_DATA_DIR_H_
#define SHALE_SERVER_KEYSPACE_DATA_DIR_H_

#include <cstdint>
#include <memory>
#include <string>

#include "shale/db.h"
#include "shale/options.h"

namespace shale::server {

struct MigrationStats {
  bool migrated = false;  // a legacy directory was found (and migrated)
  uint64_t keys = 0;      // keys copied by this run
  bool resumed = false;   // an interrupted migration was continued
};

// Where the engine DB of data directory dir lives.
std::string EngineDir(const std::string& dir);

// Opens the engine DB of data directory dir (creating dir/db when it is
// new), first migrating a legacy layout or finishing an interrupted
// migration. options are the engine options for the DB (create_if_missing
// is forced on).
//
// For tests: kill_after_keys > 0 raises SIGKILL in this process once that
// many keys have been copied (the environment variable
// SHALE_TEST_MIGRATE_KILL_AFTER sets it for shale-server).
Status OpenDataDir(const std::string& dir, const Options& options,
                   std::unique_ptr<DB>* db, MigrationStats* stats = nullptr,
                   uint64_t kill_after_keys = 0);

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_DATA_DIR_H_
