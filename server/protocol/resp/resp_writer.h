// RespWriter: encodes replies in RESP2 or RESP3 (as HELLO chose), appending
// to a string. Command handlers call it without knowing the version: types
// RESP2 lacks are written as RESP2 does (a map as a flat array, a double as a
// bulk string, a boolean as an integer, null as a null bulk).
#ifndef SHALE_SERVER_PROTOCOL_RESP_RESP_WRITER_H_
#define SHALE_SERVER_PROTOCOL_RESP_RESP_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace shale::server {

// Told of every error reply a writer writes (for error statistics).
class RespErrorSink {
 public:
  virtual ~RespErrorSink() = default;
  // msg: the error as written, without '-' and CRLF ("ERR syntax error").
  virtual void OnError(std::string_view msg) = 0;
};

class RespWriter {
 public:
  explicit RespWriter(std::string* out) : out_(out) {}

  void set_out(std::string* out) { out_ = out; }
  void set_version(int v) { version_ = v; }
  void set_error_sink(RespErrorSink* sink) { error_sink_ = sink; }
  // Error replies written so far.
  uint64_t errors() const { return errors_; }
  int version() const { return version_; }

  void Simple(std::string_view s);  // +OK
  // "-" + msg; msg must carry its prefix ("ERR ...", "WRONGTYPE ...").
  void Error(std::string_view msg);
  void Ok() { Simple("OK"); }
  void Int(int64_t v);
  void Bulk(std::string_view s);
  void Null();       // a missing bulk: $-1 / _
  void NullArray();  // a missing array: *-1 / _
  void Array(size_t n);
  void Map(size_t pairs);                // RESP2: array of 2n
  void Set(size_t n);                    // RESP2: array
  void Push(size_t n);                   // RESP3 `>`; RESP2: array
  void Double(double d);                 // RESP2: bulk string
  void Bool(bool b);                     // RESP2: integer 1/0
  void Verbatim(std::string_view text);  // RESP2: bulk string, txt format

  std::string* out() { return out_; }

 private:
  void Header(char type, uint64_t n);
  std::string* out_;
  int version_ = 2;
  uint64_t errors_ = 0;
  RespErrorSink* error_sink_ = nullptr;
};

// Formats a double the way Redis does for INCRBYFLOAT (shortest exact
// representation, no exponent for ordinary magnitudes).
std::string FormatDouble(double d);

}  // namespace shale::server

#endif  // SHALE_SERVER_PROTOCOL_RESP_RESP_WRITER_H_
