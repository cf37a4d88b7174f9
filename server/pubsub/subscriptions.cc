#include "server/pubsub/subscriptions.h"

namespace shale::server {

bool Subscriptions::Add(PubSubKind k, const std::string& name) {
  auto& set = names_[static_cast<int>(k)];
  if (!set.insert(name).second) return false;
  registry_->Subscribe(&subscriber_, k, name);
  subscriber_.count[static_cast<int>(k)].store(
      static_cast<uint32_t>(set.size()), std::memory_order_relaxed);
  UpdateClass();
  return true;
}

bool Subscriptions::Remove(PubSubKind k, const std::string& name) {
  auto& set = names_[static_cast<int>(k)];
  if (set.erase(name) == 0) return false;
  registry_->Unsubscribe(&subscriber_, k, name);
  subscriber_.count[static_cast<int>(k)].store(
      static_cast<uint32_t>(set.size()), std::memory_order_relaxed);
  UpdateClass();
  return true;
}

std::vector<std::string> Subscriptions::Names(PubSubKind k) const {
  const auto& set = names_[static_cast<int>(k)];
  return {set.begin(), set.end()};
}

void Subscriptions::Clear() {
  for (int k = 0; k < 3; k++) {
    for (const std::string& name : names_[k]) {
      registry_->Unsubscribe(&subscriber_, static_cast<PubSubKind>(k), name);
    }
    names_[k].clear();
    subscriber_.count[k].store(0, std::memory_order_relaxed);
  }
  UpdateClass();
}

void Subscriptions::UpdateClass() {
  if (subscriber_.conn == nullptr) return;
  subscriber_.conn->set_client_class(any() ? ClientClass::kPubSub
                                           : ClientClass::kNormal);
}

}  // namespace shale::server
