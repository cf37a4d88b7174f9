// The decoder of a stream's RDB value: STREAM_LISTPACKS_2 (type 19, what
// Redis 7.0 writes) and STREAM_LISTPACKS (type 15, Redis 5 and 6), with
// every check Redis 7.0's loader and its deep sanitization
// (sanitize-dump-payload yes) make, and the few more shale needs to hold
// the stream (docs/format/dump_payload.md, "Streams"; the differences:
// docs/protocols.md, RESTORE):
//
//   - every node key is 16 bytes, no two alike; every node's listpack is
//     whole (listpack_reader.cc, its count not compared) and holds a
//     master entry and then as many entries as its live and deleted counts
//     say, each with its lp-count; an integer is an integer entry or text
//     Redis's string2ll reads;
//   - (shale) the live entries, nodes taken in key order as Redis's radix
//     tree takes them, have strictly increasing IDs, each with at least one
//     field; the length is their number; the last ID is at least the
//     greatest; a recorded first ID is at most the first entry's;
//   - groups have distinct names; a group's pending IDs are distinct;
//     consumers have distinct names; a consumer's pending ID is in its
//     group's and owned by no other consumer; every pending entry has an
//     owner.
//
// Memory: what the payload holds, decoded (a node's master fields are
// shared by its SAMEFIELDS entries, never copied per entry).
//
// Thread safety: pure functions.
#ifndef SHALE_SERVER_RDB_STREAM_DECODER_H_
#define SHALE_SERVER_RDB_STREAM_DECODER_H_

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace shale::server::rdb {

class Reader;

struct StreamValue {
  struct Id {
    uint64_t ms = 0, seq = 0;
    friend auto operator<=>(const Id&, const Id&) = default;
  };
  struct Entry {
    Id id;
    // Its field names (shared with the other entries of its node that
    // have the same) and values, one per field.
    std::shared_ptr<const std::vector<std::string>> fields;
    std::vector<std::string> values;
  };
  struct Consumer {
    std::string name;
    uint64_t seen_ms = 0;
  };
  struct Pending {
    Id id;
    uint64_t delivered_ms = 0;
    uint64_t deliveries = 0;
    size_t consumer = 0;  // its owner: an index into the group's consumers
  };
  struct Group {
    std::string name;
    Id last;
    // Type 19 records it (UINT64_MAX: unknown, Redis's -1); type 15 does
    // not (has_entries_read false): the loader estimates it from the
    // stream, as Redis does.
    bool has_entries_read = false;
    uint64_t entries_read = 0;
    std::vector<Pending> pel;  // in ID order
    std::vector<Consumer> consumers;
  };

  std::vector<Entry> entries;  // live ones, in ID order
  Id last;
  // Type 15 records neither: first is then the first entry's ID (the
  // greatest ID when there is none, as Redis), max_deleted 0-0 and
  // entries_added the length.
  Id first, max_deleted;
  uint64_t entries_added = 0;
  std::vector<Group> groups;
};

// Reads the stream object of type (kTypeStreamListpacks or
// kTypeStreamListpacks2) after its type byte. False if the bytes are not a
// stream Redis 7.0 would load, or not one shale holds (above).
bool DecodeStream(Reader* r, uint8_t type, StreamValue* out);

}  // namespace shale::server::rdb

#endif  // SHALE_SERVER_RDB_STREAM_DECODER_H_
