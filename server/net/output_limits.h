// OutputLimits: Redis's `client-output-buffer-limit`, per client class.
//
// A client's output buffer is every byte the server has produced for it and
// not yet written to its socket: its own replies and what other threads
// pushed (pub/sub messages, MONITOR lines, wakeups). Per class:
//   hard: disconnect as soon as the buffer exceeds it (0: no limit);
//   soft + seconds: disconnect once it has stayed above soft for more than
//   `seconds` (either 0: no soft limit).
// Redis's defaults: normal 0 0 0, replica 256mb 64mb 60, pubsub 32mb 8mb 60.
// A client is "pubsub" while it has a subscription, "replica" once it
// replicates (issue 19), else "normal" (MONITOR clients too, as in Redis).
//
// Thread safety: every member is thread-safe; CONFIG SET may change the
// limits while connections on every I/O thread read them.
#ifndef SHALE_SERVER_NET_OUTPUT_LIMITS_H_
#define SHALE_SERVER_NET_OUTPUT_LIMITS_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/stat_counter.h"

namespace shale::server {

enum class ClientClass : uint8_t { kNormal = 0, kReplica = 1, kPubSub = 2 };
inline constexpr int kNumClientClasses = 3;

struct OutputLimit {
  uint64_t hard = 0;
  uint64_t soft = 0;
  uint64_t soft_seconds = 0;
};

class OutputLimits {
 public:
  OutputLimits();  // Redis's defaults

  OutputLimit Get(ClientClass c) const;
  void Set(ClientClass c, OutputLimit l);

  // Parses Redis's syntax: one or more `<class> <hard> <soft> <seconds>`
  // groups, class normal|replica|slave|pubsub, sizes with Redis's units
  // (k=1000, kb=1024, m, mb, g, gb, any case). Applies nothing on error.
  // Returns false with a reason in *error.
  bool Parse(std::string_view text, std::string* error);
  // As CONFIG GET shows it: "normal 0 0 0 slave 268435456 67108864 60
  // pubsub 33554432 8388608 60".
  std::string Format() const;

  // Clients disconnected for exceeding a limit (INFO stats
  // client_output_buffer_limit_disconnections).
  StatCounter disconnections;

 private:
  struct Slot {
    std::atomic<uint64_t> hard{0}, soft{0}, soft_seconds{0};
  };
  Slot slots_[kNumClientClasses];
};

// Redis's memtoll: "123", "1k", "1kb", "2gb" ...; false if malformed or
// negative.
bool ParseMemory(std::string_view s, uint64_t* bytes);

const char* ClientClassName(ClientClass c);

}  // namespace shale::server

#endif  // SHALE_SERVER_NET_OUTPUT_LIMITS_H_
