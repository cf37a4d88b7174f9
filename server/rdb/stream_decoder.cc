// DecodeStream (stream_decoder.h). The object:
//
//   nodes:len (key:string(16) listpack:string){nodes}
//   length:len last:id [first:id max_deleted:id entries_added:len]   (19)
//   groups:len (name:string last:id [entries_read:len]                (19)
//               pel:len (id:16 delivered:u64le deliveries:len){pel}
//               consumers:len (name:string seen:u64le
//                              pel:len id:16{pel}){consumers}){groups}
//   id := ms:len seq:len      id:16 := ms:u64be seq:u64be
//
// A node's listpack (its IDs deltas from the node key):
//   count deleted nfields field{nfields} 0                 (master entry)
//   (flags ms-delta seq-delta (value{nfields} | n (field value){n})
//    lp-count)*
// flags: 1 deleted, 2 SAMEFIELDS (the master's fields: only the values).
#include "server/rdb/stream_decoder.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "server/rdb/compact_readers.h"
#include "server/rdb/le_bytes.h"
#include "server/rdb/rdb_format.h"
#include "server/rdb/rdb_reader.h"
#include "server/rdb/string2ll.h"

namespace shale::server::rdb {
namespace {

using Id = StreamValue::Id;

constexpr int64_t kFlagDeleted = 1;
constexpr int64_t kFlagSameFields = 2;

// The entries of one listpack node, read in order.
class NodeItems {
 public:
  explicit NodeItems(std::vector<std::string> items)
      : items_(std::move(items)) {}
  bool done() const { return pos_ == items_.size(); }
  bool Int(int64_t* v) {
    return pos_ < items_.size() && String2ll(items_[pos_++], v);
  }
  bool Take(std::string* s) {
    if (pos_ == items_.size()) return false;
    *s = std::move(items_[pos_++]);
    return true;
  }

 private:
  std::vector<std::string> items_;
  size_t pos_ = 0;
};

Id RawId(std::string_view b) {  // REQUIRES: 16 bytes
  Id id;
  for (int i = 0; i < 8; i++) {
    id.ms = (id.ms << 8) | static_cast<unsigned char>(b[i]);
    id.seq = (id.seq << 8) | static_cast<unsigned char>(b[8 + i]);
  }
  return id;
}

// Redis reads IDs (and the other stream counters but the counts of what
// follows) without checking for a bad length: Reader::LaxLen.
bool ReadId(Reader* r, Id* id) {
  return r->LaxLen(&id->ms) && r->LaxLen(&id->seq);
}

// One node keyed by master: its live entries appended to *out.
bool ReadNode(Id master, std::string_view lp,
              std::vector<StreamValue::Entry>* out) {
  std::vector<std::string> raw;
  if (!ReadListpackUncounted(
          lp, [&](std::string_view e) { raw.emplace_back(e); })) {
    return false;
  }
  NodeItems n(std::move(raw));
  int64_t live, deleted, nf, zero;
  if (!n.Int(&live) || !n.Int(&deleted) || !n.Int(&nf) || nf < 0) {
    return false;
  }
  auto master_fields = std::make_shared<std::vector<std::string>>();
  for (int64_t j = 0; j < nf; j++) {
    master_fields->emplace_back();
    if (!n.Take(&master_fields->back())) return false;
  }
  if (!n.Int(&zero) || zero != 0) return false;
  // Redis walks live + deleted entries (a negative sum never ends well).
  int64_t total;
  if (__builtin_add_overflow(live, deleted, &total) || total < 0) return false;
  for (int64_t k = 0; k < total; k++) {
    int64_t flags, dms, dseq, lp_count;
    if (!n.Int(&flags) || !n.Int(&dms) || !n.Int(&dseq)) return false;
    StreamValue::Entry e;
    e.id = Id{master.ms + static_cast<uint64_t>(dms),
              master.seq + static_cast<uint64_t>(dseq)};
    int64_t fields = nf, extra = 3;
    if ((flags & kFlagSameFields) != 0) {
      e.fields = master_fields;
      for (int64_t j = 0; j < fields; j++) {
        e.values.emplace_back();
        if (!n.Take(&e.values.back())) return false;
      }
    } else {
      // Its own fields, each followed by its value.
      if (!n.Int(&fields) || fields < 0) return false;
      auto own = std::make_shared<std::vector<std::string>>();
      for (int64_t j = 0; j < fields; j++) {
        own->emplace_back();
        e.values.emplace_back();
        if (!n.Take(&own->back()) || !n.Take(&e.values.back())) return false;
      }
      e.fields = std::move(own);
      extra += fields + 1;
    }
    if (!n.Int(&lp_count) || lp_count != fields + extra) return false;
    if ((flags & kFlagDeleted) != 0) continue;
    if (fields == 0) return false;  // shale holds no entry without fields
    out->push_back(std::move(e));
  }
  return n.done();
}

// The nodes, their entries put in node-key order (as Redis's radix tree
// orders them), which must then be in strictly increasing ID order.
bool ReadNodes(Reader* r, std::vector<StreamValue::Entry>* entries) {
  uint64_t nodes;
  if (!r->PlainLen(&nodes)) return false;
  struct Node {
    Id key;
    size_t begin, end;
  };
  std::vector<Node> index;
  std::vector<StreamValue::Entry> read;
  for (uint64_t i = 0; i < nodes; i++) {
    std::string key, lp;
    if (!r->String(&key) || key.size() != 16) return false;
    if (!r->String(&lp)) return false;
    const size_t begin = read.size();
    if (!ReadNode(RawId(key), lp, &read)) return false;
    index.push_back(Node{RawId(key), begin, read.size()});
  }
  std::stable_sort(index.begin(), index.end(),
                   [](const Node& a, const Node& b) { return a.key < b.key; });
  entries->reserve(read.size());
  for (size_t i = 0; i < index.size(); i++) {
    if (i > 0 && index[i].key == index[i - 1].key) return false;
    for (size_t k = index[i].begin; k < index[i].end; k++) {
      if (!entries->empty() && !(entries->back().id < read[k].id)) {
        return false;
      }
      entries->push_back(std::move(read[k]));
    }
  }
  return true;
}

bool ReadGroup(Reader* r, bool v2, StreamValue::Group* g) {
  if (!r->String(&g->name) || !ReadId(r, &g->last)) return false;
  g->has_entries_read = v2;
  if (v2 && !r->LaxLen(&g->entries_read)) return false;
  uint64_t n;
  if (!r->PlainLen(&n)) return false;
  // Where each pending ID is in g->pel, and whether it has an owner yet.
  std::unordered_map<std::string, size_t> where;
  for (uint64_t i = 0; i < n; i++) {
    std::string_view raw;
    StreamValue::Pending p;
    if (!r->Bytes(16, &raw) || !r->U64LE(&p.delivered_ms) ||
        !r->LaxLen(&p.deliveries)) {
      return false;
    }
    p.id = RawId(raw);
    p.consumer = SIZE_MAX;
    if (!where.emplace(std::string(raw), g->pel.size()).second) return false;
    g->pel.push_back(p);
  }
  if (!r->PlainLen(&n)) return false;
  std::unordered_set<std::string> names;
  for (uint64_t i = 0; i < n; i++) {
    StreamValue::Consumer c;
    uint64_t owned;
    if (!r->String(&c.name) || !names.insert(c.name).second ||
        !r->U64LE(&c.seen_ms) || !r->PlainLen(&owned)) {
      return false;
    }
    for (uint64_t k = 0; k < owned; k++) {
      std::string_view raw;
      if (!r->Bytes(16, &raw)) return false;
      auto it = where.find(std::string(raw));
      if (it == where.end()) return false;
      StreamValue::Pending& p = g->pel[it->second];
      if (p.consumer != SIZE_MAX) return false;  // owned twice
      p.consumer = g->consumers.size();
    }
    g->consumers.push_back(std::move(c));
  }
  for (const StreamValue::Pending& p : g->pel) {
    if (p.consumer == SIZE_MAX) return false;
  }
  std::sort(g->pel.begin(), g->pel.end(),
            [](const StreamValue::Pending& a, const StreamValue::Pending& b) {
              return a.id < b.id;
            });
  return true;
}

}  // namespace

bool DecodeStream(Reader* r, uint8_t type, StreamValue* out) {
  StreamValue& s = *out;
  const bool v2 = type == kTypeStreamListpacks2;
  if (!ReadNodes(r, &s.entries)) return false;
  uint64_t length;
  if (!r->LaxLen(&length) || !ReadId(r, &s.last)) return false;
  if (v2) {
    if (!ReadId(r, &s.first) || !ReadId(r, &s.max_deleted) ||
        !r->LaxLen(&s.entries_added)) {
      return false;
    }
  } else {
    s.first =
        s.entries.empty() ? Id{UINT64_MAX, UINT64_MAX} : s.entries.front().id;
    s.entries_added = length;
  }
  // shale keeps the length, the last ID and the first ID true to the
  // entries (its walks and appends rely on them).
  if (length != s.entries.size()) return false;
  if (!s.entries.empty() &&
      (s.last < s.entries.back().id || s.entries.front().id < s.first)) {
    return false;
  }
  uint64_t groups;
  if (!r->PlainLen(&groups)) return false;
  std::unordered_set<std::string> names;
  for (uint64_t i = 0; i < groups; i++) {
    s.groups.emplace_back();
    if (!ReadGroup(r, v2, &s.groups.back())) return false;
    if (!names.insert(s.groups.back().name).second) return false;
  }
  return true;
}

}  // namespace shale::server::rdb
