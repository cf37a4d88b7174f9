#include "server/protocol/resp/resp_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace shale::server {

void RespWriter::Header(char type, uint64_t n) {
  char buf[32];
  buf[0] = type;
  auto r = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n);
  r.ptr[0] = '\r';
  r.ptr[1] = '\n';
  out_->append(buf, r.ptr + 2 - buf);
}

void RespWriter::Simple(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n");
}

void RespWriter::Error(std::string_view msg) {
  out_->push_back('-');
  // A newline inside an error would break the framing.
  for (char c : msg) out_->push_back(c == '\r' || c == '\n' ? ' ' : c);
  out_->append("\r\n");
  errors_++;
  if (error_sink_) error_sink_->OnError(msg);
}

void RespWriter::Int(int64_t v) {
  char buf[32];
  buf[0] = ':';
  auto r = std::to_chars(buf + 1, buf + sizeof(buf) - 2, v);
  r.ptr[0] = '\r';
  r.ptr[1] = '\n';
  out_->append(buf, r.ptr + 2 - buf);
}

void RespWriter::Bulk(std::string_view s) {
  Header('$', s.size());
  out_->append(s);
  out_->append("\r\n");
}

void RespWriter::Null() {
  if (version_ >= 3) {
    out_->append("_\r\n");
  } else {
    out_->append("$-1\r\n");
  }
}

void RespWriter::NullArray() {
  if (version_ >= 3) {
    out_->append("_\r\n");
  } else {
    out_->append("*-1\r\n");
  }
}

void RespWriter::Array(size_t n) { Header('*', n); }

void RespWriter::Map(size_t pairs) {
  if (version_ >= 3) {
    Header('%', pairs);
  } else {
    Header('*', pairs * 2);
  }
}

void RespWriter::Set(size_t n) { Header(version_ >= 3 ? '~' : '*', n); }

void RespWriter::Push(size_t n) { Header(version_ >= 3 ? '>' : '*', n); }

void RespWriter::Double(double d) {
  std::string s;
  if (std::isinf(d)) {
    s = d > 0 ? "inf" : "-inf";
  } else {
    s = FormatDouble(d);
  }
  if (version_ >= 3) {
    out_->push_back(',');
    out_->append(s);
    out_->append("\r\n");
  } else {
    Bulk(s);
  }
}

void RespWriter::Bool(bool b) {
  if (version_ >= 3) {
    out_->append(b ? "#t\r\n" : "#f\r\n");
  } else {
    Int(b ? 1 : 0);
  }
}

void RespWriter::Verbatim(std::string_view text) {
  if (version_ >= 3) {
    Header('=', text.size() + 4);
    out_->append("txt:");
    out_->append(text);
    out_->append("\r\n");
  } else {
    Bulk(text);
  }
}

std::string FormatDouble(double d) {
  // %.17Lg as Redis does, then trim: Redis prints e.g. 10.5 and 3.0e3 as
  // "3000". Use the shortest round-trip form without an exponent when the
  // value is an integer of moderate size.
  char buf[64];
  if (d == std::floor(d) && std::fabs(d) < 1e17) {
    std::snprintf(buf, sizeof(buf), "%.0f", d);
    return buf;
  }
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  std::string s(buf, r.ptr);
  if (s.find('e') != std::string::npos) {
    std::snprintf(buf, sizeof(buf), "%.17Lg", static_cast<long double>(d));
    s = buf;
  }
  return s;
}

}  // namespace shale::server
