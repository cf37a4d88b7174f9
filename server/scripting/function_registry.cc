// FunctionRegistry: publishing a new set of libraries.
#include "server/scripting/function_registry.h"

namespace shale::server {

void FunctionRegistry::Publish(std::shared_ptr<FunctionSet> next) {
  std::lock_guard<std::mutex> l(mu_);
  next->set_generation(current_->generation() + 1);
  current_ = std::move(next);
}

}  // namespace shale::server
