// libFuzzer target: any bytes as a RESTORE payload reaching the RDB value
// decoder (server/rdb/value_decoder.h), with and without a valid footer:
// lengths, LZF strings, listpack/ziplist/intset/zipmap blobs, quicklists,
// streams (nodes, groups, consumers, pending entries).
// Must never crash, read out of bounds or allocate beyond what the input
// can describe. What decodes must survive a round trip: re-encoded with
// the encoder DUMP uses (value_encoder.h), it decodes to the same value.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "server/rdb/rdb_format.h"
#include "server/rdb/stream_encoder.h"
#include "server/rdb/value_decoder.h"
#include "server/rdb/value_encoder.h"

namespace rdb = shale::server::rdb;

namespace {

// A stream as DUMP writes it (type 19, nodes of Redis's default limits).
void EncodeStream(const rdb::StreamValue& v, std::string* out) {
  rdb::StreamEncoder e(out, true, 4096, 100);
  std::vector<std::string_view> pairs;
  for (const auto& entry : v.entries) {
    pairs.clear();
    for (size_t i = 0; i < entry.values.size(); i++) {
      pairs.push_back((*entry.fields)[i]);
      pairs.push_back(entry.values[i]);
    }
    e.AddEntry(entry.id, pairs);
  }
  e.EndEntries(
      {v.entries.size(), v.last, v.first, v.max_deleted, v.entries_added});
  for (const auto& g : v.groups) {
    e.BeginGroup(g.name, g.last, g.has_entries_read ? g.entries_read : 0,
                 g.pel.size());
    for (const auto& p : g.pel)
      e.AddPending(p.id, p.delivered_ms, p.deliveries);
    e.BeginConsumers(g.consumers.size());
    for (size_t c = 0; c < g.consumers.size(); c++) {
      uint64_t owned = 0;
      for (const auto& p : g.pel) owned += p.consumer == c;
      e.BeginConsumer(g.consumers[c].name, g.consumers[c].seen_ms, owned);
      for (const auto& p : g.pel) {
        if (p.consumer == c) e.AddOwned(p.id);
      }
    }
  }
  e.End();
}

bool SameStream(const rdb::StreamValue& a, const rdb::StreamValue& b) {
  if (a.entries.size() != b.entries.size() || a.last != b.last ||
      a.first != b.first || a.max_deleted != b.max_deleted ||
      a.entries_added != b.entries_added ||
      a.groups.size() != b.groups.size()) {
    return false;
  }
  for (size_t i = 0; i < a.entries.size(); i++) {
    const auto& x = a.entries[i];
    const auto& y = b.entries[i];
    if (x.id != y.id || *x.fields != *y.fields || x.values != y.values) {
      return false;
    }
  }
  for (size_t i = 0; i < a.groups.size(); i++) {
    const auto& x = a.groups[i];
    const auto& y = b.groups[i];
    if (x.name != y.name || x.last != y.last ||
        (x.has_entries_read && x.entries_read != y.entries_read) ||
        x.pel.size() != y.pel.size() ||
        x.consumers.size() != y.consumers.size()) {
      return false;
    }
    for (size_t k = 0; k < x.pel.size(); k++) {
      if (x.pel[k].id != y.pel[k].id ||
          x.pel[k].delivered_ms != y.pel[k].delivered_ms ||
          x.pel[k].deliveries != y.pel[k].deliveries ||
          x.consumers[x.pel[k].consumer].name !=
              y.consumers[y.pel[k].consumer].name) {
        return false;
      }
    }
    for (size_t k = 0; k < x.consumers.size(); k++) {
      if (x.consumers[k].name != y.consumers[k].name ||
          x.consumers[k].seen_ms != y.consumers[k].seen_ms) {
        return false;
      }
    }
  }
  return true;
}

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
    case rdb::Value::Kind::kStream:
      EncodeStream(v.stream, &out);
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
  if (v.kind == rdb::Value::Kind::kStream && !SameStream(v.stream, w.stream)) {
    std::abort();
  }
  for (size_t i = 0; i < v.scores.size(); i++) {
    // Compare bits: a score is stored exactly (NaN never decodes).
    if (v.scores[i] != w.scores[i]) std::abort();
  }
  return 0;
}
