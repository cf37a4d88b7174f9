// libFuzzer target: any bytes as a RESTORE payload reaching the RDB value
// decoder (server/rdb/value_decoder.h), with and without a valid footer:
// lengths, LZF strings, listpack/ziplist/intset/zipmap blobs, quicklists.
// Must never crash, read out of bounds or allocate beyond what the input
// can describe. What decodes must survive a round trip: re-encoded with
// the encoder DUMP uses (value_encoder.h), it decodes to the same value.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/rdb/rdb_format.h"
#include "server/rdb/value_decoder.h"
#include "server/rdb/value_encoder.h"

namespace rdb = shale::server::rdb;

namespace {

// v as DUMP would write it (SET for every set, HASH, ZSET_2, LIST).
std::string Encode(const rdb::Value& v) {
  std::string out;
  const auto& items = v.items;
  switch (v.kind) {
    case rdb::Value::Kind::kString:
      rdb::AppendType(&out, rdb::kTypeString);
      rdb::AppendString(&out, items[0]);
      break;
    case rdb::Value::Kind::kList:
    case rdb::Value::Kind::kSet:
      rdb::AppendType(&out, v.kind == rdb::Value::Kind::kList ? rdb::kTypeList
                                                              : rdb::kTypeSet);
      rdb::AppendLen(&out, items.size());
      for (const std::string& s : items) rdb::AppendString(&out, s);
      break;
    case rdb::Value::Kind::kHash:
      rdb::AppendType(&out, rdb::kTypeHash);
      rdb::AppendLen(&out, items.size() / 2);
      for (const std::string& s : items) rdb::AppendString(&out, s);
      break;
    case rdb::Value::Kind::kZSet:
      rdb::AppendType(&out, rdb::kTypeZSet2);
      rdb::AppendLen(&out, items.size());
      for (size_t i = 0; i < items.size(); i++) {
        rdb::AppendString(&out, items[i]);
        rdb::AppendBinaryDouble(&out, v.scores[i]);
      }
      break;
  }
  rdb::AppendPayloadFooter(&out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)rdb::VerifyPayload(in);
  rdb::Value v;
  if (!rdb::DecodeValue(in, &v)) return 0;
  const std::string again = Encode(v);
  rdb::Value w;
  if (!rdb::VerifyPayload(again) || !rdb::DecodeValue(again, &w)) std::abort();
  const bool same_kind =
      v.kind == w.kind || (v.kind == rdb::Value::Kind::kString &&
                           w.kind == rdb::Value::Kind::kString);
  if (!same_kind || v.items != w.items) std::abort();
  for (size_t i = 0; i < v.scores.size(); i++) {
    // Compare bits: a score is stored exactly (NaN never decodes).
    if (v.scores[i] != w.scores[i]) std::abort();
  }
  return 0;
}
