// Subscriptions: one client's channels, patterns and shard channels, kept
// in step with the server's PubSub registry.
//
// The client's own sets are the truth (SUBSCRIBE to a channel twice is one
// subscription); the registry holds a pointer to the Subscriber from the
// first subscription to the last, and the destructor removes every one, so
// no other thread can reach a client that is gone. While the client has
// any subscription its connection's output is limited as a "pubsub"
// client's (client-output-buffer-limit).
//
// Thread safety: used only on the client's own thread; the counts in
// subscriber() are atomics for CLIENT LIST on other threads.
#ifndef SHALE_SERVER_PUBSUB_SUBSCRIPTIONS_H_
#define SHALE_SERVER_PUBSUB_SUBSCRIPTIONS_H_

#include <string>
#include <unordered_set>
#include <vector>

#include "server/pubsub/pubsub.h"

namespace shale::server {

class Subscriptions {
 public:
  explicit Subscriptions(PubSub* registry) : registry_(registry) {}
  ~Subscriptions() { Clear(); }
  Subscriptions(const Subscriptions&) = delete;
  Subscriptions& operator=(const Subscriptions&) = delete;

  Subscriber* subscriber() { return &subscriber_; }
  void set_connection(Connection* c) { subscriber_.conn = c; }

  // True if name was not subscribed (it is now).
  bool Add(PubSubKind k, const std::string& name);
  // True if name was subscribed (it is not now).
  bool Remove(PubSubKind k, const std::string& name);
  // Every name of kind k (in no particular order, as Redis's dict).
  std::vector<std::string> Names(PubSubKind k) const;
  size_t count(PubSubKind k) const {
    return names_[static_cast<int>(k)].size();
  }
  // The count SUBSCRIBE/PSUBSCRIBE/(P)UNSUBSCRIBE replies carry: channels
  // plus patterns (shard channels are counted apart).
  size_t channels_and_patterns() const {
    return count(PubSubKind::kChannel) + count(PubSubKind::kPattern);
  }
  // Subscribed to anything: Redis's CLIENT_PUBSUB flag.
  bool any() const {
    return channels_and_patterns() + count(PubSubKind::kShard) > 0;
  }
  // Drops every subscription without a reply (RESET, disconnect).
  void Clear();

 private:
  void UpdateClass();

  PubSub* const registry_;
  Subscriber subscriber_;
  std::unordered_set<std::string> names_[3];
};

}  // namespace shale::server

#endif  // SHALE_SERVER_PUBSUB_SUBSCRIPTIONS_H_
