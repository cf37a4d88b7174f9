// WriteEvents: the keyspace events (key_event.h) of one write made outside
// a Tx: memcached's and HTTP's commands, which write through KeyspaceDb
// under KeyLocks of their own. They are named as Redis names the same
// change (docs/server.md, "Keyspace notifications"), so a subscriber sees
// one vocabulary whatever protocol wrote the key.
//
// Only events some hook wants are kept (Keyspace::Wants); the key views
// must outlive the write they are handed to.
#ifndef SHALE_SERVER_KEYSPACE_WRITE_EVENTS_H_
#define SHALE_SERVER_KEYSPACE_WRITE_EVENTS_H_

#include <span>
#include <string_view>
#include <vector>

#include "server/keyspace/keyspace.h"

namespace shale::server {

class WriteEvents {
 public:
  explicit WriteEvents(KeyspaceDb* db) : db_(db) {}

  void Add(uint32_t cls, std::string_view event, std::string_view key) {
    if (db_->keyspace()->Wants(cls)) {
      events_.push_back({db_->index(), cls, event, key});
    }
  }
  // True if "new" events are wanted (the caller must then know whether the
  // key existed before the write).
  bool WantsNew() const { return db_->keyspace()->Wants(kNotifyNew); }

  // A string stored whole (SET and its kin): "new" if it did not exist,
  // then `event` (class $), then "expire" if the write gave it an expiry
  // (and "expired" if that expiry is already past).
  void Store(std::string_view key, bool existed, std::string_view event,
             uint64_t expire_set_at) {
    if (!existed) Add(kNotifyNew, "new", key);
    Add(kNotifyString, event, key);
    if (expire_set_at != 0) {
      Add(kNotifyGeneric, "expire", key);
      if (expire_set_at <= Keyspace::NowMs()) {
        Add(kNotifyExpired, "expired", key);
      }
    }
  }
  // An existing key's expiry changed to at (0: none): "persist", "del"
  // (at is past: the key is gone) or "expire".
  void ExpiryChanged(std::string_view key, uint64_t at) {
    if (at == 0) {
      Add(kNotifyGeneric, "persist", key);
    } else if (at <= Keyspace::NowMs()) {
      Add(kNotifyGeneric, "del", key);
    } else {
      Add(kNotifyGeneric, "expire", key);
    }
  }

  std::span<const KeyEvent> span() const { return events_; }

 private:
  KeyspaceDb* const db_;
  std::vector<KeyEvent> events_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_WRITE_EVENTS_H_
