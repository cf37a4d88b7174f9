// KeyspaceNotifier: Redis's keyspace notifications (notify-keyspace-events;
// docs/server.md, "Keyspace notifications"). A commit hook: for each event
// of a commit (key_event.h) whose class is enabled it publishes
//   K: channel __keyspace@<db>__:<key>    message <event>
//   E: channel __keyevent@<db>__:<event>  message <key>
// in that order, through the publisher it was given (the pub/sub path),
// while the commit still holds the keys' locks, so subscribers see a key's
// events in commit order.
//
// The enabled classes are also told to the Keyspace (set_notify_classes),
// so that writers record only events someone will publish; without a
// publisher nothing is recorded.
//
// Thread safety: OnEvents runs on writers' threads; set_classes from any
// thread; set_publisher before serving.
#ifndef SHALE_SERVER_KEYSPACE_NOTIFIER_H_
#define SHALE_SERVER_KEYSPACE_NOTIFIER_H_

#include <atomic>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "server/keyspace/keyspace.h"

namespace shale::server {

class KeyspaceNotifier : public CommitHook {
 public:
  using Publish =
      std::function<void(std::string_view channel, std::string_view message)>;

  explicit KeyspaceNotifier(Keyspace* ks) : ks_(ks) {}

  // REQUIRES: before serving.
  void set_publisher(Publish publish);
  // notify-keyspace-events as NotifyClass bits; from the next commit on.
  void set_classes(uint32_t classes);
  uint32_t classes() const { return classes_.load(std::memory_order_relaxed); }

  void OnKeysWritten(std::span<const TouchedKey>) override {}
  void OnDatabasesReplaced(std::span<const int>) override {}
  void OnEvents(std::span<const KeyEvent> events) override;

  // The channels' names, appended to *out.
  static void KeyspaceChannel(int db, std::string_view key, std::string* out);
  static void KeyeventChannel(int db, std::string_view event, std::string* out);

 private:
  void Apply();

  Keyspace* const ks_;
  Publish publish_;
  std::atomic<uint32_t> classes_{0};
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_NOTIFIER_H_
