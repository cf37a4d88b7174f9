// The names of the files in a DB directory.
//
//   dir/000123.log      write-ahead log (the WAL) number 123
//   dir/000123.sst      table file
//   dir/000123.vlog     value log (reserved)
//   dir/000123.dbtmp    temporary file, renamed into place or removed
//   dir/MANIFEST-000005 the MANIFEST (descriptor) number 5
//   dir/CURRENT         names the live MANIFEST: "MANIFEST-000005\n"
//   dir/LOCK            held by the process that has the DB open
//   dir/LOG             the human-readable info log
//
// Numbers are decimal, zero-padded to at least six digits, and come from one
// counter (the MANIFEST's next file number). See docs/format/manifest.md.
#ifndef SHALE_DB_FILENAME_H_
#define SHALE_DB_FILENAME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "shale/status.h"

namespace shale {

class Env;

enum class FileType {
  kLogFile,
  kTableFile,
  kVlogFile,
  kTempFile,
  kDescriptorFile,
  kCurrentFile,
  kLockFile,
  kInfoLogFile,
};

std::string LogFileName(std::string_view dir, uint64_t number);
std::string TableFileName(std::string_view dir, uint64_t number);
std::string VlogFileName(std::string_view dir, uint64_t number);
std::string TempFileName(std::string_view dir, uint64_t number);
std::string DescriptorFileName(std::string_view dir, uint64_t number);
std::string CurrentFileName(std::string_view dir);
std::string LockFileName(std::string_view dir);
std::string InfoLogFileName(std::string_view dir);

// Parses a file name (not a path) of a DB directory. On success sets *type
// and *number (0 for CURRENT, LOCK and LOG) and returns true; returns false
// for any other name, including trailing characters ("100.log.x"), a missing
// or non-decimal number, and numbers that overflow 64 bits.
bool ParseFileName(std::string_view name, uint64_t* number, FileType* type);

// Points CURRENT at MANIFEST-<manifest_number>, atomically: writes the name
// and "\n" to a temp file, syncs it, renames it over CURRENT and syncs dir.
// *renamed (if non-null) tells whether the rename happened. A failure before
// the rename leaves CURRENT unchanged and removes the temp file. A failure
// after it (the directory sync) is ambiguous: CURRENT names the new MANIFEST
// now, and after a crash may name either the old or the new one, so the
// caller must keep both (and every file either names).
[[nodiscard]] Status SetCurrentFile(Env* env, std::string_view dir,
                                    uint64_t manifest_number,
                                    bool* renamed = nullptr);

// Reads CURRENT and sets *manifest_number to the MANIFEST it names.
// Corruption if the content is not a descriptor file name followed by "\n".
[[nodiscard]] Status ReadCurrentFile(Env* env, std::string_view dir,
                                     uint64_t* manifest_number);

}  // namespace shale

#endif  // SHALE_DB_FILENAME_H_
