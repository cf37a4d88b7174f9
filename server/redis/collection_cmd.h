// What the commands of every collection type (cmd_hash.cc, cmd_set*.cc ...)
// share: opening a key with Redis's WRONGTYPE and "keymiss" rules,
// finishing a write with its events, HSCAN/SSCAN, and random
// picks (HRANDFIELD, SRANDMEMBER, SPOP) with their reply bound.
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_REDIS_COLLECTION_CMD_H_
#define SHALE_SERVER_REDIS_COLLECTION_CMD_H_

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "server/redis/command.h"

namespace shale::server {

// Opens key's collection c for a write; false with the reply written if
// the command is over (an engine error, or WRONGTYPE).
bool OpenColl(CommandContext& ctx, Collection* c, std::string_view key);
// As OpenColl, for a read: an absent key is a "keymiss" event (Redis's
// lookupKeyRead).
bool OpenCollRead(CommandContext& ctx, Collection* c, std::string_view key);
// Finishes a write (metadata and count) and records event (of class cls),
// then "del" if the last element went; false with the error written.
bool FinishColl(CommandContext& ctx, Collection* c, uint32_t cls,
                const char* event);

// HSCAN / SSCAN key cursor [MATCH pattern] [COUNT count] on a collection
// of type: a page of sub-keys (with their values if with_values), with
// Redis's errors. A cursor names the element to resume at (the server's
// cursor table, as SCAN's), so a scan survives any write and never returns
// an element twice; a compact one (listpack, intset: ScansWhole) comes
// whole with cursor 0, as Redis answers.
// format (if given) writes a value as the reply shows it (ZSCAN's scores);
// list_whole (if given) lists a compact collection whole in its encoding's
// order, values as the reply shows them (a listpack sorted set: by score).
struct Element;
void ScanCollection(
    CommandContext& ctx, const Args& a, KeyType type, bool with_values,
    const std::function<std::string(std::string_view)>& format = nullptr,
    const std::function<Status(Collection*, std::vector<Element>*)>&
        list_whole = nullptr);

// --- random picks ------------------------------------------------------------

// The thread's generator (seeded from std::random_device once per thread).
std::mt19937_64& Rng();

struct Element {
  std::string sub, value;
};
// Reads the elements at the sorted, distinct positions idx (0-based, in
// sub-key order) with one pass of an iterator: O(last position) time,
// O(idx) memory. Corruption if the collection has fewer elements.
Status ReadAt(Collection* c, const std::vector<uint64_t>& idx,
              std::vector<Element>* out);
// count distinct positions out of [0, size), sorted, each set of positions
// equally likely (Floyd's sampling). REQUIRES: count <= size.
void SamplePositions(uint64_t size, uint64_t count, std::vector<uint64_t>* idx);

// Replies count random picks with repetition out of the found collection
// c (negative counts of HRANDFIELD and SRANDMEMBER): header(count), then
// item(element) per pick. It reads each distinct picked position once, in
// one pass (the whole collection if count >= its size). The reply is
// bounded by proto-max-bulk-len bytes (docs/protocols.md): a count whose
// picks of at least min_item_bytes each cannot fit is refused before any
// work, and a reply that outgrows the bound is replaced by the error.
void ReplyRepeatPicks(CommandContext& ctx, const char* cmd, Collection* c,
                      uint64_t count, uint64_t min_item_bytes,
                      const std::function<void(uint64_t)>& header,
                      const std::function<void(const Element&)>& item);

// --- encodings (OBJECT ENCODING), by Redis 7.0's rules
// ------------------------ Each write that could move a collection out of its
// compact encoding checks Redis's thresholds (the live hash-max-listpack-*,
// set-max-intset- entries) and marks it big (ValueMeta::big): it never goes
// back.

// After field was written with value (HSET HSETNX HINCRBY HINCRBYFLOAT):
// a field or value longer than hash-max-listpack-value bytes, or more
// fields than hash-max-listpack-entries, leaves listpack for hashtable.
void NoteHashWrite(CommandContext& ctx, Collection* h, std::string_view field,
                   std::string_view value);
// After member was added to a set: a member that is not an integer (as
// Redis's string2ll reads one), or more members than
// set-max-intset-entries, leaves intset for hashtable.
void NoteSetAdd(CommandContext& ctx, Collection* s, std::string_view member);
// OBJECT ENCODING's answer for a hash, a set or a sorted set.
const char* CollectionEncoding(const ValueMeta& meta);
// Whether HSCAN/SSCAN return the collection whole at cursor 0, as Redis
// does for a listpack or intset: compact, and (for metadata written before
// the big bit existed) no longer than the threshold.
bool ScansWhole(CommandContext& ctx, const ValueMeta& meta);

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_COLLECTION_CMD_H_
