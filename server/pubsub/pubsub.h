// PubSub: who is subscribed to what, over every I/O thread, and delivery
// of published messages through the connections' push path
// (net/connection.h).
//
// Three independent namespaces, as in Redis: channels (SUBSCRIBE/PUBLISH),
// patterns (PSUBSCRIBE, matched against PUBLISH's channel with
// util/glob.h) and shard channels (SSUBSCRIBE/SPUBLISH; without a cluster a
// shard channel is a channel of its own namespace).
//
// A Subscriber is owned by its client's session; the registry only points
// to it, between the client's first subscription and its last
// unsubscription (the session calls UnsubscribeAll when it closes or is
// destroyed). Messages to a subscriber are encoded for its protocol (RESP2
// arrays or RESP3 pushes); a subscriber's own PUBLISH reaches it before the
// PUBLISH's reply, as in Redis.
//
// Order: one mutex over the registry, held while a message is appended to
// every receiver's inbox, so all subscribers see all messages in one order.
// Appends are cheap; the socket writes happen on each receiver's thread,
// one posted task per destination thread per PUBLISH (PushBatch).
//
// Thread safety: every member function is thread-safe. A Subscriber's
// fields are written by its own thread only (resp under mu_).
#ifndef SHALE_SERVER_PUBSUB_PUBSUB_H_
#define SHALE_SERVER_PUBSUB_PUBSUB_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/net/connection.h"
#include "server/util/glob.h"
#include "util/mutex.h"

namespace shale::server {

enum class PubSubKind : uint8_t { kChannel = 0, kPattern = 1, kShard = 2 };

struct Subscriber {
  // The client's connection; nullptr in tests over a bare session, whose
  // messages then go to `own_out` of the publishing call only.
  Connection* conn = nullptr;
  std::atomic<int> resp{2};
  // Subscriptions per kind (CLIENT LIST sub= psub= ssub=); the session's
  // own sets are the truth, these mirror their sizes for other threads.
  std::atomic<uint32_t> count[3] = {0, 0, 0};
};

class PubSub {
 public:
  PubSub() = default;
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // Adds s to name's subscribers of kind k. REQUIRES: s is not subscribed to
  // it yet (the session checks its own set).
  void Subscribe(Subscriber* s, PubSubKind k, const std::string& name);
  // Removes s from name's subscribers; no-op if it is not one.
  void Unsubscribe(Subscriber* s, PubSubKind k, const std::string& name);

  // Sends message to every subscriber of channel (kChannel: also to every
  // pattern matching it; kShard: shard channel subscribers). A receiver
  // that is `self` gets it appended to *own_out (the buffer of the reply
  // being written, after whatever other threads pushed to it before).
  // Returns the number of receivers, as PUBLISH replies.
  int64_t Publish(PubSubKind k, std::string_view channel,
                  std::string_view message, Subscriber* self,
                  std::string* own_out);

  // The entry point for messages the server itself produces (keyspace
  // notifications, later others): PUBLISH's delivery, channel subscribers
  // and matching patterns, with no publishing client. Callable from any
  // thread, including a Tx's post-commit hooks: it takes mu_ and each
  // receiver's push mutex only briefly and never waits for a socket.
  int64_t Publish(std::string_view channel, std::string_view message) {
    return Publish(PubSubKind::kChannel, channel, message, nullptr, nullptr);
  }

  // PUBSUB CHANNELS / SHARDCHANNELS: names with subscribers (matching
  // pattern, if given). PUBSUB NUMSUB / SHARDNUMSUB: subscribers of one.
  // PUBSUB NUMPAT: patterns with subscribers.
  std::vector<std::string> Channels(PubSubKind k, const GlobPattern* pattern);
  size_t NumSubscribers(PubSubKind k, const std::string& name);
  size_t NumPatterns();
  // INFO: channels, patterns and shard channels with subscribers.
  size_t Count(PubSubKind k);

 private:
  struct Entry {
    std::vector<Subscriber*> subs;      // in subscription order
    std::unique_ptr<GlobPattern> glob;  // patterns only
  };
  using Table = std::unordered_map<std::string, Entry>;

  // One message, encoded for each protocol when a receiver first needs it.
  struct Message {
    std::string_view kind, pattern, channel, message;
    std::string bytes[2];  // RESP2, RESP3
    const std::string& For(int resp);
  };
  // Appends m, encoded for s's protocol, to s's output.
  void Deliver(Subscriber* s, Message* m, Subscriber* self,
               std::string* own_out, PushBatch* batch);

  Mutex mu_;
  Table tables_[3] GUARDED_BY(mu_);
};

// The RESP encoding of a message to a subscriber: `kind` is "message",
// "pmessage" (with pattern) or "smessage"; resp 3 makes it a push (`>`).
std::string EncodeMessage(int resp, std::string_view kind,
                          std::string_view pattern, std::string_view channel,
                          std::string_view message);

}  // namespace shale::server

#endif  // SHALE_SERVER_PUBSUB_PUBSUB_H_
