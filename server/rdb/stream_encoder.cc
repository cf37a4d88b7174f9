#include "server/rdb/stream_encoder.h"

#include "server/rdb/rdb_format.h"
#include "server/rdb/string2ll.h"
#include "server/rdb/value_encoder.h"

namespace shale::server::rdb {
namespace {

void AppendLE(std::string* out, uint64_t v, int n) {
  for (int i = 0; i < n; i++) out->push_back(static_cast<char>(v >> (8 * i)));
}

// The backlen of an entry of l bytes, as Redis's lpEncodeBacklen: its
// size by Redis's thresholds, the most significant 7 bits first, every
// byte but the first with its high bit set (listpack_reader.cc).
void AppendBacklen(std::string* lp, uint64_t l) {
  const int n = l <= 127        ? 1
                : l < 16383     ? 2
                : l < 2097151   ? 3
                : l < 268435455 ? 4
                                : 5;
  for (int i = n - 1; i >= 0; i--) {
    const auto b = static_cast<unsigned char>((l >> (7 * i)) & 127);
    lp->push_back(static_cast<char>(i < n - 1 ? b | 128 : b));
  }
}

void AppendLpInt(std::string* lp, int64_t v) {
  const size_t start = lp->size();
  if (v >= 0 && v <= 127) {
    lp->push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    const auto u = static_cast<uint64_t>(v) & 0x1FFF;
    lp->push_back(static_cast<char>(0xC0 | (u >> 8)));
    lp->push_back(static_cast<char>(u & 0xFF));
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    lp->push_back(static_cast<char>(0xF1));
    AppendLE(lp, static_cast<uint64_t>(v), 2);
  } else if (v >= -(1 << 23) && v < (1 << 23)) {
    lp->push_back(static_cast<char>(0xF2));
    AppendLE(lp, static_cast<uint64_t>(v), 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    lp->push_back(static_cast<char>(0xF3));
    AppendLE(lp, static_cast<uint64_t>(v), 4);
  } else {
    lp->push_back(static_cast<char>(0xF4));
    AppendLE(lp, static_cast<uint64_t>(v), 8);
  }
  AppendBacklen(lp, lp->size() - start);
}

// A string as Redis's lpAppend writes it: an integer's text as the integer.
void AppendLpString(std::string* lp, std::string_view s) {
  int64_t v;
  if (String2ll(s, &v)) return AppendLpInt(lp, v);
  const size_t start = lp->size();
  if (s.size() < 64) {
    lp->push_back(static_cast<char>(0x80 | s.size()));
  } else if (s.size() < 4096) {
    lp->push_back(static_cast<char>(0xE0 | (s.size() >> 8)));
    lp->push_back(static_cast<char>(s.size() & 0xFF));
  } else {
    lp->push_back(static_cast<char>(0xF0));
    AppendLE(lp, s.size(), 4);
  }
  lp->append(s);
  AppendBacklen(lp, lp->size() - start);
}

void AppendId(std::string* out, StreamEncoder::Id id) {
  AppendLen(out, id.ms);
  AppendLen(out, id.seq);
}

void AppendRawId(std::string* out, StreamEncoder::Id id) {
  for (int i = 7; i >= 0; i--)
    out->push_back(static_cast<char>(id.ms >> (8 * i)));
  for (int i = 7; i >= 0; i--) {
    out->push_back(static_cast<char>(id.seq >> (8 * i)));
  }
}

// Inserts len's encoding at pos of *out.
void InsertLen(std::string* out, size_t pos, uint64_t len) {
  std::string enc;
  AppendLen(&enc, len);
  out->insert(pos, enc);
}

}  // namespace

StreamEncoder::StreamEncoder(std::string* out, bool compress,
                             uint64_t node_max_bytes, int64_t node_max_entries)
    : out_(out),
      compress_(compress),
      node_max_bytes_(node_max_bytes == 0 || node_max_bytes > (1u << 30)
                          ? (1u << 30)
                          : node_max_bytes),
      node_max_entries_(node_max_entries) {
  AppendType(out_, kTypeStreamListpacks2);
  nodes_at_ = out_->size();
}

void StreamEncoder::AddEntry(Id id, std::span<const std::string_view> pairs) {
  const size_t n = pairs.size() / 2;
  uint64_t elements = 0;
  for (std::string_view s : pairs) elements += s.size();
  if (count_ > 0) {
    // Redis's streamAppendItem: the node's listpack bytes (header, master
    // entry, entries, end) plus the new fields and values.
    std::string count;
    AppendLpInt(&count, static_cast<int64_t>(count_));
    const uint64_t lp_bytes =
        6 + count.size() + master_rest_ + entries_.size() + 1;
    if (lp_bytes + elements >= node_max_bytes_ ||
        (node_max_entries_ > 0 &&
         count_ >= static_cast<uint64_t>(node_max_entries_))) {
      Flush();
    }
  }
  if (count_ == 0) {
    master_ = id;
    master_fields_.clear();
    for (size_t i = 0; i < n; i++) master_fields_.emplace_back(pairs[2 * i]);
    std::string rest;
    AppendMasterRest(&rest);
    master_rest_ = rest.size();
  }
  bool same = n == master_fields_.size();
  for (size_t i = 0; same && i < n; i++) {
    same = pairs[2 * i] == master_fields_[i];
  }
  AppendLpInt(&entries_, same ? 2 : 0);
  AppendLpInt(&entries_, static_cast<int64_t>(id.ms - master_.ms));
  AppendLpInt(&entries_, static_cast<int64_t>(id.seq - master_.seq));
  items_ += 3;
  if (same) {
    for (size_t i = 0; i < n; i++) {
      AppendLpString(&entries_, pairs[2 * i + 1]);
    }
  } else {
    // Its own fields, each followed by its value.
    AppendLpInt(&entries_, static_cast<int64_t>(n));
    for (std::string_view s : pairs) AppendLpString(&entries_, s);
    items_ += 1 + n;
  }
  AppendLpInt(&entries_, static_cast<int64_t>(same ? n + 3 : 2 * n + 4));
  items_ += n + 1;
  count_++;
}

void StreamEncoder::AppendMasterRest(std::string* lp) const {
  AppendLpInt(lp, 0);  // deleted
  AppendLpInt(lp, static_cast<int64_t>(master_fields_.size()));
  for (const std::string& f : master_fields_) AppendLpString(lp, f);
  AppendLpInt(lp, 0);
}

void StreamEncoder::Flush() {
  if (count_ == 0) return;
  std::string lp(6, '\0');
  AppendLpInt(&lp, static_cast<int64_t>(count_));
  AppendMasterRest(&lp);
  const uint64_t items = items_ + 4 + master_fields_.size();
  lp.append(entries_);
  lp.push_back(static_cast<char>(0xFF));
  std::string header;
  AppendLE(&header, lp.size(), 4);
  AppendLE(&header, items < 65535 ? items : 65535, 2);
  lp.replace(0, 6, header);
  std::string key;
  AppendRawId(&key, master_);
  AppendString(out_, key, compress_);
  AppendString(out_, lp, compress_);
  nodes_++;
  entries_.clear();
  count_ = 0;
  items_ = 0;
}

void StreamEncoder::EndEntries(const Meta& meta) {
  Flush();
  InsertLen(out_, nodes_at_, nodes_);
  AppendLen(out_, meta.length);
  AppendId(out_, meta.last);
  AppendId(out_, meta.first);
  AppendId(out_, meta.max_deleted);
  AppendLen(out_, meta.entries_added);
  groups_at_ = out_->size();
}

void StreamEncoder::BeginGroup(std::string_view name, Id last,
                               uint64_t entries_read, uint64_t pel) {
  AppendString(out_, name, compress_);
  AppendId(out_, last);
  AppendLen(out_, entries_read);
  AppendLen(out_, pel);
  groups_++;
}

void StreamEncoder::AddPending(Id id, uint64_t delivered_ms,
                               uint64_t deliveries) {
  AppendRawId(out_, id);
  AppendLE(out_, delivered_ms, 8);
  AppendLen(out_, deliveries);
}

void StreamEncoder::BeginConsumers(uint64_t consumers) {
  AppendLen(out_, consumers);
}

void StreamEncoder::BeginConsumer(std::string_view name, uint64_t seen_ms,
                                  uint64_t owned) {
  AppendString(out_, name, compress_);
  AppendLE(out_, seen_ms, 8);
  AppendLen(out_, owned);
}

void StreamEncoder::AddOwned(Id id) { AppendRawId(out_, id); }

void StreamEncoder::End() { InsertLen(out_, groups_at_, groups_); }

}  // namespace shale::server::rdb
