// Whole-file helpers over an Env.
#ifndef SHALE_DB_FILE_UTIL_H_
#define SHALE_DB_FILE_UTIL_H_

#include <string>
#include <string_view>

#include "shale/env.h"

namespace shale {

// Reads a whole (small) file. Files over max_bytes are an error: the
// callers read control files (CURRENT) whose size the disk controls.
Status ReadFileToString(Env* env, const std::string& path, std::string* data,
                        size_t max_bytes = 1 << 20);

// Writes data to path (replacing it), syncing before close when sync.
Status WriteStringToFile(Env* env, std::string_view data,
                         const std::string& path, bool sync);

}  // namespace shale

#endif  // SHALE_DB_FILE_UTIL_H_
