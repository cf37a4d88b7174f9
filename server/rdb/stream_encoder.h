// The writer of a stream's RDB value as STREAM_LISTPACKS_2 (type 19, what
// Redis 7.0 writes; the grammar: stream_decoder.cc, and
// docs/format/dump_payload.md, "Streams"). DUMP streams a stream out of its
// iterators through it, in the order of the object:
//
//   StreamEncoder e(out, ...);
//   e.AddEntry(...)...;                   entries, in ID order
//   e.EndEntries(meta);
//   (e.BeginGroup(...); e.AddPending(...)...;
//    (e.BeginConsumer(...); e.AddOwned(...)...)...)...
//   e.End();
//
// Entries are packed into listpack nodes as Redis's XADD packs them into a
// fresh stream: a node's master entry holds its first entry's fields, an
// entry with the same fields is written SAMEFIELDS, and a new node starts
// when the node's bytes plus the entry's fields and values would reach
// node_max_bytes, or it holds node_max_entries entries (0: no limit).
// Integers are written as Redis's lpAppend writes them. A node is the
// only thing held besides *out; the counts that precede what they count
// (nodes, groups) are inserted once known.
//
// Thread safety: none.
#ifndef SHALE_SERVER_RDB_STREAM_ENCODER_H_
#define SHALE_SERVER_RDB_STREAM_ENCODER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/rdb/stream_decoder.h"

namespace shale::server::rdb {

class StreamEncoder {
 public:
  using Id = StreamValue::Id;
  struct Meta {
    uint64_t length = 0;
    Id last, first, max_deleted;
    uint64_t entries_added = 0;
  };

  // Writes the type byte to *out (not owned; appended to). compress: the
  // rdbcompression setting (listpacks over 20 bytes LZF-compressed).
  StreamEncoder(std::string* out, bool compress, uint64_t node_max_bytes,
                int64_t node_max_entries);

  // pairs: field, value, field, value ... (at least one pair).
  void AddEntry(Id id, std::span<const std::string_view> pairs);
  void EndEntries(const Meta& meta);
  // entries_read: UINT64_MAX for Redis's -1. pel, consumers, owned: how
  // many AddPending, BeginConsumer and AddOwned calls follow.
  void BeginGroup(std::string_view name, Id last, uint64_t entries_read,
                  uint64_t pel);
  void AddPending(Id id, uint64_t delivered_ms, uint64_t deliveries);
  void BeginConsumers(uint64_t consumers);
  void BeginConsumer(std::string_view name, uint64_t seen_ms, uint64_t owned);
  void AddOwned(Id id);
  void End();

 private:
  void Flush();
  // The master entry after its count: deleted, the fields, the 0.
  void AppendMasterRest(std::string* lp) const;

  std::string* const out_;
  const bool compress_;
  const uint64_t node_max_bytes_;
  const int64_t node_max_entries_;
  size_t nodes_at_;  // where the node count goes
  uint64_t nodes_ = 0;
  size_t groups_at_ = 0;
  uint64_t groups_ = 0;
  // The open node: its master ID and fields, its entries' listpack bytes
  // (after the master entry), and their number.
  Id master_;
  std::vector<std::string> master_fields_;
  size_t master_rest_ = 0;  // AppendMasterRest's bytes
  std::string entries_;
  uint64_t count_ = 0;
  uint64_t items_ = 0;  // listpack entries after the master entry
};

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_STREAM_ENCODER_H_
