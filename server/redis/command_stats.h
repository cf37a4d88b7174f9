// Statistics Redis keeps per command (INFO commandstats) and per error
// prefix (INFO errorstats).
//
// Thread safety: both classes are thread-safe. CommandStats costs a few
// uncontended atomic adds per command (striped per thread, as StatCounter);
// ErrorStats takes a mutex per error reply.
#ifndef SHALE_SERVER_REDIS_COMMAND_STATS_H_
#define SHALE_SERVER_REDIS_COMMAND_STATS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "server/protocol/resp/resp_writer.h"
#include "server/stat_counter.h"

namespace shale::server {

class CommandStats {
 public:
  // A call that ran for `usec` microseconds; failed: it replied an error.
  void Call(uint64_t usec, bool failed) {
    c_.Add(kCalls, 1);
    c_.Add(kUsec, usec);
    if (failed) c_.Add(kFailed, 1);
  }
  // A call refused before it ran (arity, authentication ...).
  void Reject() { c_.Add(kRejected, 1); }

  uint64_t calls() const { return c_.Load(kCalls); }
  uint64_t usec() const { return c_.Load(kUsec); }
  uint64_t rejected() const { return c_.Load(kRejected); }
  uint64_t failed() const { return c_.Load(kFailed); }
  void Reset() { c_.Reset(); }

 private:
  enum { kCalls, kUsec, kRejected, kFailed };
  StatCounters<4> c_;
};

// Error replies counted by prefix ("ERR", "WRONGTYPE" ...: the first word),
// as Redis counts them: at most kMaxPrefixes distinct prefixes; errors with
// a new prefix beyond that are counted in total() only.
class ErrorStats : public RespErrorSink {
 public:
  static constexpr size_t kMaxPrefixes = 128;

  void OnError(std::string_view msg) override;

  // Error replies of any kind.
  uint64_t total() const { return total_.load(); }
  // (prefix, count), sorted by prefix.
  std::map<std::string, uint64_t, std::less<>> Prefixes() const;
  void Reset();

 private:
  StatCounter total_;
  mutable std::mutex mu_;
  std::map<std::string, uint64_t, std::less<>> prefixes_;  // guarded by mu_
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_COMMAND_STATS_H_
