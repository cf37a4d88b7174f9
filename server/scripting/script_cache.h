// ScriptCache: the server's scripts by SHA-1 (EVAL adds the script it runs,
// SCRIPT LOAD adds one, EVALSHA looks one up, SCRIPT FLUSH forgets them
// all), as Redis's script cache. Bodies only: each I/O thread's interpreter
// (lua_engine.h) compiles a script the first time that thread runs it, and
// drops what it compiled when it sees a newer generation (a flush).
//
// Thread safety: every member may be called from any thread.
#ifndef SHALE_SERVER_SCRIPTING_SCRIPT_CACHE_H_
#define SHALE_SERVER_SCRIPTING_SCRIPT_CACHE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace shale::server {

class ScriptCache {
 public:
  // Adds body under sha (its SHA-1, lowercase hex); keeps the first body
  // stored under a sha.
  void Add(const std::string& sha, std::string_view body);
  // The body stored under sha (compared case-insensitively, as EVALSHA
  // does), or nullptr. The body stays valid as long as the caller holds
  // the returned pointer, even across a flush.
  std::shared_ptr<const std::string> Find(std::string_view sha) const;
  bool Exists(std::string_view sha) const { return Find(sha) != nullptr; }
  // Forgets every script and starts a new generation.
  void Flush();
  // Bumped by every Flush.
  uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }
  size_t size() const;
  // The bytes of the stored bodies (INFO's used_memory_scripts_eval).
  size_t bytes() const;

 private:
  mutable std::shared_mutex mu_;
  // guarded by mu_
  std::unordered_map<std::string, std::shared_ptr<const std::string>> scripts_;
  size_t bytes_ = 0;  // guarded by mu_
  std::atomic<uint64_t> generation_{0};
};

}  // namespace shale::server

#endif  // SHALE_SERVER_SCRIPTING_SCRIPT_CACHE_H_
