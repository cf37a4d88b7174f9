// Stream: a stream key's entries and typefields over its Collection
// (docs/format/server_keys.md §3 and §4.5):
//
//   entry     0x03 ... ms:u64 seq:u64 -> fields
//   fields    n:varint64 (len:varint64 bytes){2n}
//   metadata  ... count last:id first:id max_deleted:id
//             entries_added:varint64 groups:varint64
//
// Entries sort by ID, so a range from any ID is one seek either way. The
// metadata keeps `first` exact (the first live entry, 0-0 when empty), and
// every read starts there.
//
// Trimming: MAXLEN and MINID delete nothing. They find the new first entry
// (MAXLEN 0 without a read, MAXLEN n by walking back n entries from the
// last when fewer stay than go, otherwise by walking forward over the
// entries that go), then move `first` and the count: O(min(removed, kept))
// reads and one metadata write, whatever the number removed. From then on
// the entries below `first`, and every entry of an empty stream, are
// garbage: no read reaches them (seeks start at `first`, point reads check
// Live), and the server's compaction filter drops them (server_filter.h).
// XDEL deletes its entries (they may lie anywhere). So that garbage never
// comes back, `first` only moves up while the stream has entries, new
// entries come after `last`, and XSETID lowering `last` of an emptied
// stream deletes the garbage above the new `last` (SetState).
//
// Also the ID grammar of Redis 7.0's stream commands (parse, format,
// increment, decrement) and the field codec.
//
// REQUIRES for every write: the Tx holds the key's lock, and the caller
// calls Collection::Finish afterwards (metadata).
//
// Thread safety: none (one command's).
#ifndef SHALE_SERVER_KEYSPACE_STREAM_H_
#define SHALE_SERVER_KEYSPACE_STREAM_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/keyspace/collection.h"

namespace shale::server {

inline constexpr StreamId kMaxStreamId{UINT64_MAX, UINT64_MAX};

// --- IDs -----------------------------------------------------------------

// Parses an ID argument as Redis 7.0's streamGenericParseIDOrReply: an
// argument of at most 127 bytes, read as a C string (up to its first NUL);
// "-" is 0-0 and "+" the maximum ID unless strict; "ms" or "ms-seq", each
// part read by Redis's string2ull (a strict int64 that must not be
// negative, else strtoull: blanks, a sign, leading zeros allowed, no
// overflow); a missing seq is missing_seq. If seq_given is non-null,
// "ms-*" is accepted with seq 0 and *seq_given false (XADD); else
// *seq_given (when non-null) is true. False if the argument is invalid.
bool ParseStreamId(std::string_view arg, uint64_t missing_seq, bool strict,
                   StreamId* id, bool* seq_given = nullptr);
// "ms-seq".
std::string FormatStreamId(StreamId id);
void AppendStreamId(std::string* out, StreamId id);
// The next (previous) ID; false (and 0-0 for Incr, as Redis) at the end.
bool IncrStreamId(StreamId* id);
bool DecrStreamId(StreamId* id);

// An entry's sub-key: ms:u64 seq:u64.
void AppendIdSub(std::string* out, StreamId id);
std::string IdSub(StreamId id);
// False if sub is not exactly 16 bytes.
bool ParseIdSub(std::string_view sub, StreamId* id);

// --- fields ----------------------------------------------------------------

// Encodes field, value, field, value ... (REQUIRES: an even, non-zero
// number of strings).
void EncodeStreamFields(std::span<const std::string> pairs, std::string* out);
// Decodes an entry's value into views of its field and value strings
// (into *out, cleared first). False if the value is corrupt.
bool DecodeStreamFields(std::string_view value,
                        std::vector<std::string_view>* out);

// --- the stream ----------------------------------------------------------

class Stream {
 public:
  // c: opened with KeyType::kStream and not of the wrong type. Not owned.
  explicit Stream(Collection* c);

  Collection* coll() const { return c_; }
  uint64_t length() const { return c_->found() ? c_->count() : 0; }
  const StreamState& state() const { return st_; }

  // Appends an entry (REQUIRES: id > state().last; fields as
  // EncodeStreamFields). Creates the stream if it is absent.
  void Append(StreamId id, std::span<const std::string> pairs);
  // Whether id may name a live entry: the stream has entries and id lies
  // between first and last (trimmed entries are garbage below first).
  bool Live(StreamId id) const;
  // Reads the entry id: NotFound if it is not live.
  Status GetEntry(StreamId id, std::string* value);
  // Deletes the entry id if it exists (*deleted); XDEL's bookkeeping:
  // max_deleted grows to id, first moves past it.
  Status Delete(StreamId id, bool* deleted);
  // Removes entries from the first while more than maxlen remain (MAXLEN)
  // or while their ID is below min (MINID), at most limit of them (0: no
  // limit); *removed says how many. Moves first over them (the header's
  // "Trimming": nothing is deleted).
  Status TrimMaxLen(uint64_t maxlen, uint64_t limit, uint64_t* removed);
  Status TrimMinId(StreamId min, uint64_t limit, uint64_t* removed);
  // The last live entry's ID (Redis's streamLastValidID): *found false if
  // the stream is empty.
  Status LastEntryId(StreamId* id, bool* found);
  // Creates the stream if absent (XGROUP CREATE MKSTREAM).
  void CreateIfAbsent();
  // XSETID (and RESTORE): sets last, entries_added and max_deleted.
  // Lowering last of an emptied stream deletes its trimmed entries above
  // the new last: O(them).
  Status SetState(const StreamState& st);

  // An iterator over the entries (sub(): ParseIdSub; value():
  // DecodeStreamFields). Position it with SeekFrom / SeekBackFrom.
  std::unique_ptr<ElementIterator> NewIterator() { return c_->NewIterator(); }
  // Positions it at the first entry with ID >= start (starting no lower
  // than first), or the last entry with ID <= end; at none when the stream
  // is empty. A walk back must stop below first itself.
  void SeekFrom(ElementIterator* it, StreamId start);
  void SeekBackFrom(ElementIterator* it, StreamId end);

 private:
  // Deletes entries from the first while keep_going(id) and under limit.
  template <typename Pred>
  Status TrimFront(Pred keep_going, uint64_t limit, uint64_t* removed);
  // Sets first to the first live entry at or after from (0-0 if none).
  Status RefreshFirst(StreamId from);
  // After a trim of removed entries: first becomes first (0-0 if none is
  // left), the count goes down.
  void SetFirst(uint64_t removed, StreamId first);
  void Save() { c_->SetStream(st_); }

  Collection* const c_;
  StreamState st_;
  std::string buf_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_KEYSPACE_STREAM_H_
