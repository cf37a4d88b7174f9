// RespParser: a state machine that turns RESP request bytes into argument
// vectors. It knows nothing but buffers: no sockets, no commands.
//
// Grammar accepted (the request subset of RESP2/RESP3):
//   request    := multibulk | inline
//   multibulk  := '*' count CRLF { '$' len CRLF bytes(len) CRLF }*count
//   inline     := a line not starting with '*', split on blanks, with "..."
//                 (C escapes, \xHH) and '...' quoting as redis-cli sends
// A count <= 0 is an empty request (skipped, as Redis does).
//
// The parser consumes input as it goes, including the partial bytes of a
// bulk, so a caller never buffers more than one read chunk; a bulk's memory
// is reserved only as its bytes arrive (a huge declared length costs nothing
// until the bytes come).
//
// Errors are Redis's texts ("Protocol error: invalid bulk length"); after one
// the parser is unusable and the connection should reply and close.
#ifndef SHALE_SERVER_PROTOCOL_RESP_RESP_PARSER_H_
#define SHALE_SERVER_PROTOCOL_RESP_RESP_PARSER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shale::server {

struct RespLimits {
  uint64_t max_bulk = 512ull << 20;   // bytes of one argument
  uint64_t max_multibulk = 1u << 20;  // arguments of one request
  uint64_t max_inline = 64u << 10;    // bytes of an inline request / header
};

class RespParser {
 public:
  enum class Result { kRequest, kNeedMore, kError };

  explicit RespParser(RespLimits limits = RespLimits()) : limits_(limits) {}

  // Parses from the front of in. *consumed is set to the bytes used (also
  // for kNeedMore: they are held in the parser). On kRequest, args() holds
  // the request until the next call. On kError, error() says why.
  Result Parse(std::string_view in, size_t* consumed);

  std::vector<std::string>& args() { return args_; }
  // Changes the largest bulk argument (proto-max-bulk-len) for the bulks
  // whose header is read from now on.
  void set_max_bulk(uint64_t n) { limits_.max_bulk = n; }
  const std::string& error() const { return error_; }

 private:
  enum class State { kStart, kInline, kBulkHeader, kBulkBody };

  Result Fail(std::string msg);
  // Reads a CRLF-terminated line starting at in[pos]; false if incomplete.
  bool Line(std::string_view in, size_t pos, std::string_view* line,
            size_t* next) const;
  bool SplitInline(std::string_view line);
  // Arguments keep their buffers from one request to the next (a 16-byte
  // key or a 100-byte value is otherwise one allocation per request).
  void RecycleArgs();
  void NewArg();  // appends an empty argument to args_
  static constexpr size_t kMaxSpare = 64;
  static constexpr size_t kMaxSpareBytes = 4096;

  RespLimits limits_;
  State state_ = State::kStart;
  uint64_t remaining_args_ = 0;  // bulks still expected in this request
  uint64_t bulk_len_ = 0;        // length of the bulk being read
  std::vector<std::string> args_;
  std::vector<std::string> spare_;  // empty strings with buffers, for args_
  std::string error_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_PROTOCOL_RESP_RESP_PARSER_H_
