// Status: the result of every fallible call in shale.
//
// A Status is either OK or carries a code and a message. No exception ever
// crosses the shale API; errors are returned as Status values and the
// [[nodiscard]] attribute makes ignoring one a compiler warning.
//
// Thread safety: a Status is a plain value; distinct objects may be used from
// distinct threads freely, a single object needs external synchronization.
#ifndef SHALE_INCLUDE_STATUS_H_
#define SHALE_INCLUDE_STATUS_H_

#include <string>
#include <string_view>

namespace shale {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound = 1,
    kCorruption = 2,
    kNotSupported = 3,
    kInvalidArgument = 4,
    kIOError = 5,
    kBusy = 6,
    kNoSpace = 7,  // an IOError caused by a full device (ENOSPC)
  };

  // The default is OK.
  Status() noexcept = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kNotFound, msg, msg2);
  }
  static Status Corruption(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kCorruption, msg, msg2);
  }
  static Status NotSupported(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kNotSupported, msg, msg2);
  }
  static Status InvalidArgument(std::string_view msg,
                                std::string_view msg2 = {}) {
    return Status(Code::kInvalidArgument, msg, msg2);
  }
  static Status IOError(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kIOError, msg, msg2);
  }
  static Status NoSpace(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kNoSpace, msg, msg2);
  }
  static Status Busy(std::string_view msg, std::string_view msg2 = {}) {
    return Status(Code::kBusy, msg, msg2);
  }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  // True for every I/O failure, including a full device (IsNoSpace()).
  bool IsIOError() const {
    return code_ == Code::kIOError || code_ == Code::kNoSpace;
  }
  bool IsNoSpace() const { return code_ == Code::kNoSpace; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsBusy() const { return code_ == Code::kBusy; }

  Code code() const { return code_; }
  // The message without the code's name; empty for OK.
  const std::string& message() const { return msg_; }

  // "OK", or the code's name, ": ", and the message, e.g.
  // "Corruption: 000012.sst: block checksum mismatch".
  std::string ToString() const;

  // Marks a Status as deliberately ignored.
  void PermitUncheckedError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.msg_ == b.msg_;
  }

 private:
  Status(Code code, std::string_view msg, std::string_view msg2);

  Code code_ = Code::kOk;
  std::string msg_;
};

}  // namespace shale

#endif  // SHALE_INCLUDE_STATUS_H_
