// McParser: a state machine that turns memcached text-protocol bytes into
// requests. It knows nothing but buffers.
//
// Grammar (the text protocol, memcached's protocol.txt):
//   request  := line [data]
//   line     := token { ' ' token } "\r\n"   (a bare "\n" is accepted too)
//   data     := bytes(n) "\r\n"   for set/add/replace/append/prepend (n is
//               token 4), cas (token 4) and ms (token 2)
// The data block is consumed as it arrives, so a big value needs no big
// input buffer. A data block larger than the value limit is read and
// discarded ("swallowed"), and the request is marked too_large, as memcached
// does; a data block not followed by "\r\n" is a "bad data chunk".
#ifndef SHALE_SERVER_PROTOCOL_MEMCACHE_MC_PARSER_H_
#define SHALE_SERVER_PROTOCOL_MEMCACHE_MC_PARSER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shale::server {

struct McRequest {
  std::vector<std::string> tokens;  // tokens[0] is the command
  std::string data;                 // the data block, if the command has one
  bool has_data = false;
  bool too_large = false;   // data exceeded the limit and was discarded
  bool bad_chunk = false;   // data was not terminated by "\r\n"
  bool bad_length = false;  // the length token of a storage command is bad
};

class McParser {
 public:
  enum class Result { kRequest, kNeedMore, kError };

  McParser(uint64_t max_value, uint64_t max_line)
      : max_value_(max_value), max_line_(max_line) {}

  // Parses from the front of in; *consumed is the bytes used (also for
  // kNeedMore). On kRequest, request() holds it until the next call. kError
  // (a line longer than the limit) is fatal: reply error() and close.
  Result Parse(std::string_view in, size_t* consumed);

  McRequest& request() { return req_; }
  const std::string& error() const { return error_; }

 private:
  enum class State { kLine, kData, kSwallow };

  const uint64_t max_value_;
  const uint64_t max_line_;
  State state_ = State::kLine;
  uint64_t data_len_ = 0;  // bytes of the data block still expected (+2)
  McRequest req_;
  std::string error_;
};

// Index of the data-length token for a storage command; 0 if cmd has no
// data block.
size_t McDataLengthToken(std::string_view cmd);

}  // namespace shale::server

#endif  // SHALE_SERVER_PROTOCOL_MEMCACHE_MC_PARSER_H_
