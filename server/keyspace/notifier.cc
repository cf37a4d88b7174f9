#include "server/keyspace/notifier.h"

namespace shale::server {

void KeyspaceNotifier::set_publisher(Publish publish) {
  publish_ = std::move(publish);
  Apply();
}

void KeyspaceNotifier::set_classes(uint32_t classes) {
  classes_.store(classes, std::memory_order_relaxed);
  Apply();
}

void KeyspaceNotifier::Apply() {
  ks_->set_notify_classes(publish_ ? classes() : 0);
}

void KeyspaceNotifier::KeyspaceChannel(int db, std::string_view key,
                                       std::string* out) {
  out->append("__keyspace@");
  out->append(std::to_string(db));
  out->append("__:");
  out->append(key);
}

void KeyspaceNotifier::KeyeventChannel(int db, std::string_view event,
                                       std::string* out) {
  out->append("__keyevent@");
  out->append(std::to_string(db));
  out->append("__:");
  out->append(event);
}

void KeyspaceNotifier::OnEvents(std::span<const KeyEvent> events) {
  const uint32_t classes = this->classes();
  if (!publish_ || (classes & (kNotifyKeyspace | kNotifyKeyevent)) == 0) {
    return;
  }
  thread_local std::string channel;
  for (const KeyEvent& e : events) {
    if ((classes & e.cls) == 0) continue;
    if (classes & kNotifyKeyspace) {
      channel.clear();
      KeyspaceChannel(e.db, e.key, &channel);
      publish_(channel, e.event);
    }
    if (classes & kNotifyKeyevent) {
      channel.clear();
      KeyeventChannel(e.db, e.event, &channel);
      publish_(channel, e.key);
    }
  }
  if (channel.capacity() > (64u << 10)) std::string().swap(channel);
}

}  // namespace shale::server
