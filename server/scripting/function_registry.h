// FunctionRegistry: the server's function libraries (FUNCTION LOAD,
// DELETE, FLUSH, RESTORE change them; FCALL reads them), one for the whole
// server, as Redis's functions are not per database.
//
// The libraries are an immutable FunctionSet behind a shared_ptr: a reader
// takes the current set (one atomic load under a short lock) and uses it
// as long as it likes; a change builds a new set from a copy and publishes
// it with a new generation. Each I/O thread's interpreter compiles a
// library the first time that thread calls one of its functions (by the
// library's id) and drops the libraries a newer generation no longer has
// (lua_engine.h). Changes serialize on LockChanges(), held from reading
// the current set to publishing the next (and across the engine write
// that persists it, function_store.h, so that the stored libraries are
// the published ones).
//
// Thread safety: every member may be called from any thread.
#ifndef SHALE_SERVER_SCRIPTING_FUNCTION_REGISTRY_H_
#define SHALE_SERVER_SCRIPTING_FUNCTION_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <mutex>

#include "server/scripting/function_library.h"

namespace shale::server {

class FunctionRegistry {
 public:
  FunctionRegistry() : current_(std::make_shared<FunctionSet>()) {}

  std::shared_ptr<const FunctionSet> Current() const {
    std::lock_guard<std::mutex> l(mu_);
    return current_;
  }
  // Held by a change from its read of Current() to its Publish.
  std::unique_lock<std::mutex> LockChanges() {
    return std::unique_lock<std::mutex>(change_mu_);
  }
  // Makes next the current set, with the next generation.
  // REQUIRES: the caller holds LockChanges().
  void Publish(std::shared_ptr<FunctionSet> next);

 private:
  std::mutex change_mu_;
  mutable std::mutex mu_;
  std::shared_ptr<const FunctionSet> current_;  // guarded by mu_
};

}  // namespace shale::server

#endif  // SHALE_SERVER_SCRIPTING_FUNCTION_REGISTRY_H_
