// libFuzzer target: any bytes as a FUNCTION RESTORE payload reaching the
// function payload decoder (server/rdb/function_payload.h): as given
// (footer checks), and as a body under a valid footer (the opcode loop and
// the strings, LZF included, a string running into the footer). Must never
// crash, read out of bounds or allocate beyond what the input can
// describe. What decodes must survive a round trip through the encoder
// FUNCTION DUMP uses.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "server/rdb/function_payload.h"
#include "server/rdb/value_encoder.h"

namespace rdb = shale::server::rdb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> codes;
  std::string err;
  (void)rdb::DecodeFunctions(in, &codes, &err);
  std::string payload(in);
  rdb::AppendPayloadFooter(&payload);
  if (!rdb::DecodeFunctions(payload, &codes, &err)) return 0;
  for (const bool compress : {false, true}) {
    std::string again;
    for (const std::string& c : codes) rdb::AppendFunction(&again, c, compress);
    rdb::AppendPayloadFooter(&again);
    std::vector<std::string> back;
    if (!rdb::DecodeFunctions(again, &back, &err) || back != codes) {
      std::abort();
    }
  }
  return 0;
}
