// Function libraries (Redis 7.0's FUNCTION LOAD): a library is its code
// (`#!lua name=<lib>` then Lua that calls redis.register_function) and the
// functions that code registered; a FunctionSet is every library of the
// server with the index FCALL looks functions up in (docs/impl.md,
// "Server: functions").
//
// AddLibrary is Redis's functionsCreateWithLibraryCtx: it checks the
// shebang, compiles and runs the code on the calling thread's interpreter
// (lua_engine.h) and adds the library to a set, with Redis 7.0's error
// texts. A FunctionSet is built by one thread and then published read-only
// (function_registry.h).
//
// Thread safety: a FunctionSet is not synchronized; once published it is
// never changed, so any thread may read it.
#ifndef SHALE_SERVER_SCRIPTING_FUNCTION_LIBRARY_H_
#define SHALE_SERVER_SCRIPTING_FUNCTION_LIBRARY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace shale::server {

class LuaEngine;

// A function's flags (Redis's SCRIPT_FLAG_*), in the order FUNCTION LIST
// shows them.
enum FunctionFlag : uint32_t {
  kFnNoWrites = 1 << 0,
  kFnAllowOom = 1 << 1,
  kFnAllowStale = 1 << 2,
  kFnNoCluster = 1 << 3,
  kFnAllowCrossSlot = 1 << 4,
};
struct FunctionFlagName {
  uint32_t flag;
  const char* name;
};
inline constexpr FunctionFlagName kFunctionFlags[] = {
    {kFnNoWrites, "no-writes"},
    {kFnAllowOom, "allow-oom"},
    {kFnAllowStale, "allow-stale"},
    {kFnNoCluster, "no-cluster"},
    {kFnAllowCrossSlot, "allow-cross-slot-keys"},
};

// What redis.register_function registered.
struct FunctionDef {
  std::string name;
  std::optional<std::string> description;
  uint32_t flags = 0;  // FunctionFlag bits
};

struct Library {
  std::string name;
  std::string code;        // as FUNCTION LOAD got it, shebang line included
  size_t shebang_len = 0;  // the shebang line's bytes, up to its line feed
  std::vector<FunctionDef> functions;  // sorted by name
  // Unique among the libraries this process made: an interpreter that
  // compiled this id has exactly these functions.
  uint64_t id = 0;

  // The Lua chunk: the code after the shebang line, from its line feed on
  // (so that line numbers stay the user's).
  std::string_view body() const {
    return std::string_view(code).substr(shebang_len);
  }
};

class FunctionSet {
 public:
  struct Entry {
    const Library* library;
    const FunctionDef* def;
  };

  // Libraries by name (FUNCTION LIST and DUMP show them in this order).
  const std::map<std::string, std::shared_ptr<const Library>>& libraries()
      const {
    return libraries_;
  }
  // The function named name (compared case-insensitively, as Redis's
  // function index: library names and a library's own function names are
  // case-sensitive), or nullptr.
  const Entry* Find(std::string_view name) const;
  size_t function_count() const { return functions_.size(); }
  // Bumped by each published change (function_registry.h).
  uint64_t generation() const { return generation_; }
  void set_generation(uint64_t g) { generation_ = g; }

  void Remove(const std::string& library);
  // Adds lib (whose functions must not collide with another library's).
  void Add(std::shared_ptr<const Library> lib);
  // The name of the first function of lib (in its order) that some library
  // of this set other than lib->name already has (case-insensitively), or
  // nullptr.
  const std::string* Collision(const Library& lib) const;

 private:
  // The index's key of a function name.
  static std::string Key(std::string_view name);

  std::map<std::string, std::shared_ptr<const Library>> libraries_;
  std::unordered_map<std::string, Entry> functions_;  // by Key(name)
  uint64_t generation_ = 0;
};

// The first line of a library (Redis's functionExtractLibMetaData).
struct LibraryMeta {
  std::string engine;  // "lua" for `#!lua`
  std::string name;
  size_t shebang_len = 0;
};
// False with *err set to Redis's text (without "ERR ").
bool ParseLibraryMeta(std::string_view code, LibraryMeta* meta,
                      std::string* err);

// Letters, digits and underscores, at least one (Redis's
// functionsVerifyName, for library and function names).
bool ValidFunctionName(std::string_view name);
inline constexpr const char* kErrBadFunctionName =
    "Library names can only contain letters, numbers, or underscores(_) and "
    "must be at least one character long";

// Makes the library of code and adds it to *set, as FUNCTION LOAD does:
// a library of the same name is replaced if replace, else refused. The
// code runs on engine (the calling thread's interpreter), which keeps the
// compiled functions under the new library's id. log: redis.log lines of
// the code reach the server's log. Returns the library, or nullptr with
// *err set to Redis's text (without "ERR ").
std::shared_ptr<const Library> AddLibrary(FunctionSet* set,
                                          std::string_view code, bool replace,
                                          LuaEngine* engine, bool log,
                                          std::string* err);

}  // namespace shale::server

#endif  // SHALE_SERVER_SCRIPTING_FUNCTION_LIBRARY_H_
