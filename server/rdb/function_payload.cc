// FUNCTION DUMP / RESTORE payloads: the opcode loop of Redis's
// functionRestoreCommand over the shared string codec.
#include "server/rdb/function_payload.h"

#include "server/rdb/value_decoder.h"
#include "server/rdb/value_encoder.h"

namespace shale::server::rdb {

void AppendFunction(std::string* out, std::string_view code, bool compress) {
  AppendType(out, kOpcodeFunction2);
  AppendString(out, code, compress);
}

bool DecodeFunctions(std::string_view payload, std::vector<std::string>* codes,
                     std::string* err) {
  codes->clear();
  if (!VerifyPayload(payload)) {
    *err = "DUMP payload version or checksum are wrong";
    return false;
  }
  size_t pos = 0;
  auto fail = [&](const char* text) {
    *err = text;
    return false;
  };
  while (payload.size() - pos > 10) {
    const auto type = static_cast<uint8_t>(payload[pos++]);
    std::string code;
    if (type == kOpcodeFunctionPreGa) {
      // Redis 7.0 still reads it: name, engine, an optional description
      // (dropped), then the code, which gets the shebang of 7.0's format.
      std::string name, engine, desc;
      if (!DecodeString(payload, &pos, &name)) {
        return fail("Failed loading library name");
      }
      if (!DecodeString(payload, &pos, &engine)) {
        return fail("Failed loading engine name");
      }
      uint64_t has_desc;
      if (!DecodeLen(payload, &pos, &has_desc)) {
        return fail("Failed loading library description indicator");
      }
      if (has_desc != 0 && !DecodeString(payload, &pos, &desc)) {
        return fail("Failed loading library description");
      }
      std::string blob;
      if (!DecodeString(payload, &pos, &blob)) {
        return fail("Failed loading library blob");
      }
      code = "#!" + engine + " name=" + name + "\n" + blob;
    } else if (type == kOpcodeFunction2) {
      if (!DecodeString(payload, &pos, &code)) {
        return fail("Failed loading library payload");
      }
    } else {
      return fail("given type is not a function");
    }
    codes->push_back(std::move(code));
  }
  return true;
}

}  // namespace shale::server::rdb
