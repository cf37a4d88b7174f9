// Whole-file helpers over an Env.
#ifndef SHALE_DB_FILE_UTIL_H_
#define SHALE_DB_FILE_UTIL_H_

#include <cstdint>
#include <memory>
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

// Ends the writing of a new file at path: with s OK, syncs it (if sync) and
// closes it; otherwise, or if that fails, closes and removes it. Returns
// the first error, else OK.
Status FinishNewFile(Env* env, const std::string& path,
                     std::unique_ptr<WritableFile> file, Status s, bool sync);

// Copies src to target (created, replacing it): its first `bytes` bytes,
// or all of it with kWholeFile. The copy is synced before it is closed. A
// src shorter than `bytes` is an error (Corruption naming it); on any error
// target is removed. *copied (if non-null) gets the bytes written.
inline constexpr uint64_t kWholeFile = UINT64_MAX;
Status CopyFile(Env* env, const std::string& src, const std::string& target,
                uint64_t bytes, uint64_t* copied = nullptr);

}  // namespace shale

#endif  // SHALE_DB_FILE_UTIL_H_
