// Keyspace events: what a commit did to a key, as Redis's keyspace
// notifications name it ("set", "del", "expire", "expired" ...), with the
// notification class that notify-keyspace-events filters on
// (docs/server.md, "Keyspace notifications").
//
// A command records its events into its Tx as it runs (Tx::Notify), in the
// order Redis publishes them; the Tx hands them to the commit hooks after
// its batch is written (commit_hook.h). The class bits are Redis's own
// (NOTIFY_* of server.h), so a flags word means the same in both.
#ifndef SHALE_SERVER_KEYSPACE_KEY_EVENT_H_
#define SHALE_SERVER_KEYSPACE_KEY_EVENT_H_

#include <cstdint>
#include <string_view>

namespace shale::server {

// notify-keyspace-events classes; the letter of each in its comment.
enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1u << 0,  // K: __keyspace@<db>__:<key> channels
  kNotifyKeyevent = 1u << 1,  // E: __keyevent@<db>__:<event> channels
  kNotifyGeneric = 1u << 2,   // g: DEL, EXPIRE, RENAME, MOVE ...
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x: a key's expiry passed
  kNotifyEvicted = 1u << 9,   // e: never fires (shale does not evict)
  kNotifyStream = 1u << 10,   // t
  kNotifyKeyMiss = 1u << 11,  // m: a read found no key
  kNotifyLoaded = 1u << 12,   // (modules only; no letter)
  kNotifyModule = 1u << 13,   // d
  kNotifyNew = 1u << 14,      // n: a key was created
  // A: every class but m and n.
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet |
               kNotifyHash | kNotifyZset | kNotifyExpired | kNotifyEvicted |
               kNotifyStream | kNotifyModule,
};

// One event of a commit. The views point into the recorder's buffers and
// live until the hooks return.
struct KeyEvent {
  int db;
  uint32_t cls;  // one NotifyClass bit (not K or E)
  std::string_view event;
  std::string_view key;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_KEY_EVENT_H_
