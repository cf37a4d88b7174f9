// The server's function libraries in its data directory: the server
// metadata entry `functions` (docs/format/server_keys.md, §2), whose value
// is the FUNCTION DUMP payload of every library in name order
// (rdb/function_payload.h). FUNCTION LOAD, DELETE, FLUSH and RESTORE each
// rewrite it in one engine write; the server loads it at start.
//
// Thread safety: pure functions of their arguments (the DB is
// thread-safe); LoadStoredFunctions compiles on the calling thread's
// interpreter.
#ifndef SHALE_SERVER_SCRIPTING_FUNCTION_STORE_H_
#define SHALE_SERVER_SCRIPTING_FUNCTION_STORE_H_

#include <string>
#include <vector>

#include "server/scripting/function_library.h"
#include "shale/db.h"

namespace shale::server {

// The FUNCTION DUMP payload of set's libraries (compress: rdbcompression).
std::string EncodeFunctionSet(const FunctionSet& set, bool compress);

// Makes the libraries of codes (a payload's, in its order) into *set, as
// Redis reads a payload: no library replaces another. False with *err set
// to Redis's text (without "ERR ").
bool LibrariesFromCodes(const std::vector<std::string>& codes, bool log,
                        FunctionSet* set, std::string* err);

// Writes set as the `functions` entry (one Put).
[[nodiscard]] Status StoreFunctions(DB* db, const WriteOptions& wo,
                                    const FunctionSet& set);

// Reads the `functions` entry into *set (empty if there is none).
// Corruption if the entry is not a valid payload or a library in it does
// not load (its error in the message): the server then refuses to start,
// as Redis does when its RDB holds a library that does not load.
[[nodiscard]] Status LoadStoredFunctions(DB* db, FunctionSet* set);

}  // namespace shale::server

#endif  // SHALE_SERVER_SCRIPTING_FUNCTION_STORE_H_
