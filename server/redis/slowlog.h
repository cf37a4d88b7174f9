// SLOWLOG: the commands that ran for at least slowlog-log-slower-than
// microseconds (negative: none; 0: every command), the newest
// slowlog-max-len of them, as Redis 7.0 keeps them: an entry holds at most
// 32 arguments (the last one saying how many more there were), each cut at
// 128 bytes ("... (N more bytes)"), secrets replaced by "(redacted)".
//
// Thread safety: thread-safe (a mutex; taken only by commands slow enough
// to be logged and by SLOWLOG itself).
#ifndef SHALE_SERVER_REDIS_SLOWLOG_H_
#define SHALE_SERVER_REDIS_SLOWLOG_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace shale::server {

class SlowLog {
 public:
  static constexpr size_t kMaxArgs = 32;
  static constexpr size_t kMaxArgBytes = 128;

  struct Entry {
    uint64_t id;
    int64_t time_s;  // when it was logged (Unix seconds)
    uint64_t usec;   // how long it ran
    std::vector<std::string> args;
    std::string peer;  // "ip:port"
    std::string name;  // the client's name
  };

  // Logs a command (args as they will be shown: already redacted), keeping
  // the newest max_len entries (as Redis, a lowered slowlog-max-len takes
  // effect at the next entry).
  void Add(const std::vector<std::string>& args, uint64_t usec,
           std::string peer, std::string name, int64_t max_len);
  // The newest `count` entries (all if count < 0), newest first.
  std::vector<Entry> Get(int64_t count) const;
  size_t Len() const;
  // Empties the log; ids keep counting, as in Redis.
  void Reset();

 private:
  mutable std::mutex mu_;
  uint64_t next_id_ = 0;       // guarded by mu_
  std::deque<Entry> entries_;  // newest first; guarded by mu_
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_SLOWLOG_H_
