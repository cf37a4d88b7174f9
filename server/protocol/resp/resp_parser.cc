#include "server/protocol/resp/resp_parser.h"

#include <algorithm>
#include <charconv>

namespace shale::server {
namespace {

// Parses a decimal integer that fills s exactly.
bool ParseInt(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

RespParser::Result RespParser::Fail(std::string msg) {
  error_ = "Protocol error: " + std::move(msg);
  return Result::kError;
}

bool RespParser::Line(std::string_view in, size_t pos, std::string_view* line,
                      size_t* next) const {
  size_t nl = in.find('\n', pos);
  if (nl == std::string_view::npos) return false;
  size_t end = nl;
  if (end > pos && in[end - 1] == '\r') end--;
  *line = in.substr(pos, end - pos);
  *next = nl + 1;
  return true;
}

RespParser::Result RespParser::Parse(std::string_view in, size_t* consumed) {
  size_t pos = 0;
  *consumed = 0;
  if (state_ == State::kStart) RecycleArgs();
  for (;;) {
    switch (state_) {
      case State::kStart: {
        if (pos >= in.size()) {
          *consumed = pos;
          return Result::kNeedMore;
        }
        if (in[pos] != '*') {
          state_ = State::kInline;
          break;
        }
        std::string_view line;
        size_t next;
        if (!Line(in, pos, &line, &next)) {
          if (in.size() - pos > limits_.max_inline) {
            return Fail("too big mbulk count string");
          }
          *consumed = pos;
          return Result::kNeedMore;
        }
        int64_t count;
        if (!ParseInt(line.substr(1), &count) ||
            count > static_cast<int64_t>(limits_.max_multibulk)) {
          return Fail("invalid multibulk length");
        }
        pos = next;
        if (count <= 0) break;  // an empty request: skipped
        remaining_args_ = static_cast<uint64_t>(count);
        args_.reserve(std::min<uint64_t>(remaining_args_, 1024));
        state_ = State::kBulkHeader;
        break;
      }
      case State::kInline: {
        std::string_view line;
        size_t next;
        if (!Line(in, pos, &line, &next)) {
          if (in.size() - pos > limits_.max_inline) {
            return Fail("too big inline request");
          }
          *consumed = pos;
          return Result::kNeedMore;
        }
        if (line.size() > limits_.max_inline) {
          return Fail("too big inline request");
        }
        pos = next;
        state_ = State::kStart;
        if (!SplitInline(line)) return Fail("unbalanced quotes in request");
        if (args_.empty()) break;  // a blank line: skipped
        *consumed = pos;
        return Result::kRequest;
      }
      case State::kBulkHeader: {
        if (remaining_args_ == 0) {
          state_ = State::kStart;
          *consumed = pos;
          return Result::kRequest;
        }
        std::string_view line;
        size_t next;
        if (!Line(in, pos, &line, &next)) {
          if (in.size() - pos > limits_.max_inline) {
            return Fail("too big bulk count string");
          }
          *consumed = pos;
          return Result::kNeedMore;
        }
        if (line.empty() || line[0] != '$') {
          return Fail("expected '$', got '" +
                      std::string(1, line.empty() ? in[pos] : line[0]) + "'");
        }
        int64_t len;
        if (!ParseInt(line.substr(1), &len) || len < 0 ||
            static_cast<uint64_t>(len) > limits_.max_bulk) {
          return Fail("invalid bulk length");
        }
        pos = next;
        bulk_len_ = static_cast<uint64_t>(len);
        NewArg();
        // Reserve what is known to be here; the rest grows as it arrives.
        args_.back().reserve(std::min<uint64_t>(bulk_len_, 1 << 20));
        state_ = State::kBulkBody;
        break;
      }
      case State::kBulkBody: {
        std::string& arg = args_.back();
        uint64_t want = bulk_len_ - arg.size();
        uint64_t avail = in.size() - pos;
        if (avail < want + 2) {
          // Take the payload bytes that are here; keep a possible partial
          // CRLF in the caller's buffer.
          uint64_t take = std::min(want, avail);
          arg.append(in.substr(pos, take));
          *consumed = pos + take;
          return Result::kNeedMore;
        }
        arg.append(in.substr(pos, want));
        pos += want;
        if (in[pos] != '\r' || in[pos + 1] != '\n') {
          return Fail("expected CRLF after bulk");
        }
        pos += 2;
        remaining_args_--;
        state_ = State::kBulkHeader;
        break;
      }
    }
  }
}

void RespParser::RecycleArgs() {
  for (std::string& a : args_) {
    // Strings a command moved from have no buffer left to keep; big ones
    // are not worth holding on to.
    if (spare_.size() < kMaxSpare && a.capacity() > 15 &&
        a.capacity() <= kMaxSpareBytes) {
      a.clear();
      spare_.push_back(std::move(a));
    }
  }
  args_.clear();
}

void RespParser::NewArg() {
  if (spare_.empty()) {
    args_.emplace_back();
  } else {
    args_.push_back(std::move(spare_.back()));
    spare_.pop_back();
  }
}

bool RespParser::SplitInline(std::string_view line) {
  size_t i = 0;
  const size_t n = line.size();
  for (;;) {
    while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) i++;
    if (i >= n) return true;
    std::string arg;
    bool in_double = false, in_single = false;
    for (;;) {
      if (in_double) {
        if (i >= n) return false;
        char c = line[i];
        if (c == '\\' && i + 3 < n && line[i + 1] == 'x' &&
            HexValue(line[i + 2]) >= 0 && HexValue(line[i + 3]) >= 0) {
          arg.push_back(static_cast<char>(HexValue(line[i + 2]) * 16 +
                                          HexValue(line[i + 3])));
          i += 4;
        } else if (c == '\\' && i + 1 < n) {
          char e = line[i + 1];
          switch (e) {
            case 'n':
              arg.push_back('\n');
              break;
            case 'r':
              arg.push_back('\r');
              break;
            case 't':
              arg.push_back('\t');
              break;
            case 'b':
              arg.push_back('\b');
              break;
            case 'a':
              arg.push_back('\a');
              break;
            default:
              arg.push_back(e);
              break;
          }
          i += 2;
        } else if (c == '"') {
          i++;
          // A closing quote must be followed by a blank or the end.
          if (i < n && line[i] != ' ' && line[i] != '\t') return false;
          break;
        } else {
          arg.push_back(c);
          i++;
        }
      } else if (in_single) {
        if (i >= n) return false;
        char c = line[i];
        if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          arg.push_back('\'');
          i += 2;
        } else if (c == '\'') {
          i++;
          if (i < n && line[i] != ' ' && line[i] != '\t') return false;
          break;
        } else {
          arg.push_back(c);
          i++;
        }
      } else {
        if (i >= n || line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
          break;
        }
        if (line[i] == '"' && arg.empty()) {
          in_double = true;
        } else if (line[i] == '\'' && arg.empty()) {
          in_single = true;
        } else {
          arg.push_back(line[i]);
        }
        i++;
      }
    }
    args_.push_back(std::move(arg));
  }
}

}  // namespace shale::server
