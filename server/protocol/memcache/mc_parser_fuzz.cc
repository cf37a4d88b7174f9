// libFuzzer target for the memcached text parser (see resp_parser_fuzz.cc).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "server/protocol/memcache/mc_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  shale::server::McParser p(1 << 16, 1024);
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
      if (r == shale::server::McParser::Result::kError) return 0;
      if (r == shale::server::McParser::Result::kNeedMore) break;
      if (p.request().data.size() > (1u << 16)) std::abort();
    }
  }
  return 0;
}
