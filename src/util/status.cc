#include "shale/status.h"

namespace shale {

Status::Status(Code code, std::string_view msg, std::string_view msg2)
    : code_(code), msg_(msg) {
  if (!msg2.empty()) {
    msg_.append(": ");
    msg_.append(msg2);
  }
}

std::string Status::ToString() const {
  const char* name = "";
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kNotFound:
      name = "NotFound";
      break;
    case Code::kCorruption:
      name = "Corruption";
      break;
    case Code::kNotSupported:
      name = "Not supported";
      break;
    case Code::kInvalidArgument:
      name = "Invalid argument";
      break;
    case Code::kIOError:
      name = "IO error";
      break;
    case Code::kNoSpace:
      name = "IO error (no space)";
      break;
    case Code::kBusy:
      name = "Busy";
      break;
  }
  std::string result(name);
  if (!msg_.empty()) {
    result.append(": ");
    result.append(msg_);
  }
  return result;
}

}  // namespace shale
