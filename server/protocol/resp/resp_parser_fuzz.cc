// libFuzzer target: any bytes, fed in random-sized pieces, must never crash
// the RESP parser, and every request it returns must respect the limits.
// Build: cmake -DSHALE_BUILD_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "server/protocol/resp/resp_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  shale::server::RespLimits limits;
  limits.max_bulk = 1 << 16;
  limits.max_multibulk = 1024;
  limits.max_inline = 1024;
  shale::server::RespParser p(limits);
  // The first byte chooses the piece size, exercising partial input.
  size_t piece = 1 + data[0] % 64;
  std::string buf;
  for (size_t pos = 1; pos < size; pos += piece) {
    buf.append(reinterpret_cast<const char*>(data) + pos,
               std::min(piece, size - pos));
    for (;;) {
      size_t used = 0;
      auto r = p.Parse(buf, &used);
      if (used > buf.size()) std::abort();
      buf.erase(0, used);
      if (r == shale::server::RespParser::Result::kError) return 0;
      if (r == shale::server::RespParser::Result::kNeedMore) break;
      if (p.args().empty() || p.args().size() > limits.max_multibulk) {
        std::abort();
      }
    }
  }
  return 0;
}
