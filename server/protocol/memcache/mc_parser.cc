#include "server/protocol/memcache/mc_parser.h"

#include <algorithm>
#include <charconv>

#include "server/protocol/memcache/mc_numbers.h"

namespace shale::server {

size_t McDataLengthToken(std::string_view cmd) {
  if (cmd == "set" || cmd == "add" || cmd == "replace" || cmd == "append" ||
      cmd == "prepend" || cmd == "cas") {
    return 4;
  }
  if (cmd == "ms") return 2;
  return 0;
}

namespace {

bool IsNumber(const std::string& t, bool allow_sign) {
  size_t i = (allow_sign && !t.empty() && t[0] == '-') ? 1 : 0;
  if (i >= t.size()) return false;
  for (; i < t.size(); i++) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

// For the classic storage commands, memcached reads no data block when the
// line is malformed (the data then reads as a command of its own): the
// same fields are checked here. Meta set (ms) has no fields before its
// length.
bool ClassicFieldsValid(const std::vector<std::string>& t) {
  if (t[0] == "ms") return true;
  size_t want = t[0] == "cas" ? 6 : 5;
  if (t.size() < want || t.size() > want + 1) return false;
  if (t.size() == want + 1 && t.back() != "noreply") return false;
  uint32_t flags;
  int32_t exptime;
  if (!McParseU32(t[2], &flags) || !McParseI32(t[3], &exptime)) return false;
  return want == 5 || IsNumber(t[5], false);
}

}  // namespace

McParser::Result McParser::Parse(std::string_view in, size_t* consumed) {
  size_t pos = 0;
  *consumed = 0;
  for (;;) {
    switch (state_) {
      case State::kLine: {
        size_t nl = in.find('\n', pos);
        if (nl == std::string_view::npos) {
          if (in.size() - pos > max_line_) {
            error_ = "CLIENT_ERROR line too long";
            return Result::kError;
          }
          *consumed = pos;
          return Result::kNeedMore;
        }
        if (nl - pos > max_line_) {
          error_ = "CLIENT_ERROR line too long";
          return Result::kError;
        }
        std::string_view line = in.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = nl + 1;
        req_ = McRequest();
        size_t i = 0;
        while (i < line.size()) {
          while (i < line.size() && line[i] == ' ') i++;
          size_t j = i;
          while (j < line.size() && line[j] != ' ') j++;
          if (j > i) req_.tokens.emplace_back(line.substr(i, j - i));
          i = j;
        }
        if (req_.tokens.empty()) {
          *consumed = pos;
          return Result::kRequest;  // an empty line: the session says ERROR
        }
        size_t len_tok = McDataLengthToken(req_.tokens[0]);
        if (len_tok == 0) {
          *consumed = pos;
          return Result::kRequest;
        }
        int64_t len = -1;
        if (req_.tokens.size() > len_tok && ClassicFieldsValid(req_.tokens)) {
          const std::string& t = req_.tokens[len_tok];
          auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), len);
          if (ec != std::errc() || p != t.data() + t.size()) len = -1;
        }
        if (len < 0) {
          // No data block is read: memcached then takes the data line as a
          // command of its own.
          req_.bad_length = true;
          *consumed = pos;
          return Result::kRequest;
        }
        req_.has_data = true;
        data_len_ = static_cast<uint64_t>(len) + 2;
        if (static_cast<uint64_t>(len) > max_value_) {
          // Answered now; the data block is discarded as it arrives.
          req_.too_large = true;
          state_ = State::kSwallow;
          *consumed = pos;
          return Result::kRequest;
        } else {
          req_.data.reserve(std::min<uint64_t>(data_len_, 1 << 20));
          state_ = State::kData;
        }
        break;
      }
      case State::kData: {
        uint64_t take = std::min<uint64_t>(data_len_, in.size() - pos);
        req_.data.append(in.substr(pos, take));
        pos += take;
        data_len_ -= take;
        if (data_len_ > 0) {
          *consumed = pos;
          return Result::kNeedMore;
        }
        state_ = State::kLine;
        size_t n = req_.data.size();
        if (req_.data[n - 2] != '\r' || req_.data[n - 1] != '\n') {
          req_.bad_chunk = true;
        }
        req_.data.resize(n - 2);
        *consumed = pos;
        return Result::kRequest;
      }
      case State::kSwallow: {
        uint64_t take = std::min<uint64_t>(data_len_, in.size() - pos);
        pos += take;
        data_len_ -= take;
        if (data_len_ > 0) {
          *consumed = pos;
          return Result::kNeedMore;
        }
        state_ = State::kLine;
        break;
      }
    }
  }
}

}  // namespace shale::server
