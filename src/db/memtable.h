// MemTable: the in-memory, ordered buffer of recent writes.
//
// Each entry is laid out in the arena as
//   varint32(internal_key.size()) | internal_key | varint32(value.size()) |
//   value
// right behind its SkipList node (SkipList::AllocateKey), so a search reads
// a node and the key it compares in one place. A value of
// kOutOfLineValueBytes or more is kept apart, in a second arena, and the
// entry holds its address instead:
//   ... | varint32(value.size()) | fixed64(address of the value)
// so that nodes and keys stay packed: a 64 MiB memtable of 4 KiB values has
// its 16k nodes in about a megabyte, which the caches hold, instead of one
// node per 4 KiB, each search step a cache miss (and the insert's search,
// done by the one writer, is on the write path).
//
// Thread safety: Add needs external synchronization (one writer at a time);
// Get, NewIterator and ApproximateMemoryUsage may run concurrently with it
// and each other. Lifetime is shared (std::shared_ptr): iterators keep their
// memtable alive.
#ifndef SHALE_DB_MEMTABLE_H_
#define SHALE_DB_MEMTABLE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "db/dbformat.h"
#include "db/skiplist.h"
#include "table/internal_iterator.h"
#include "util/arena.h"

namespace shale {

class MemTable {
 public:
  // arena_block_size: see Arena; the DB uses an eighth of the write buffer
  // (at most 64 KiB) so a small buffer is not filled by one reservation.
  // pool (may be null): where the arenas take huge-page regions from and
  // give them back to (ArenaRegionPool).
  explicit MemTable(const InternalKeyComparator& cmp,
                    size_t arena_block_size = 64 * 1024,
                    std::shared_ptr<ArenaRegionPool> pool = nullptr);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // Adds an entry. For kTypeValueWithExpiry the stored value becomes
  // fixed64(expire_at_ms) | value; otherwise expire_at_ms is ignored.
  // REQUIRES: external synchronization; (key, seq) not present yet.
  void Add(SequenceNumber seq, ValueType type, std::string_view key,
           std::string_view value, uint64_t expire_at_ms = 0);

  // The entries of one write group, added at once: Stage each (as Add
  // takes it), then AddStaged. The result is that of Add for each in turn,
  // but the skiplist searches of the group run interleaved
  // (SkipList::InsertMany), so their cache misses overlap. A staged entry
  // is invisible to readers until AddStaged returns.
  // REQUIRES: as Add; no two staged entries with the same (key, seq).
  void Stage(SequenceNumber seq, ValueType type, std::string_view key,
             std::string_view value, uint64_t expire_at_ms = 0);
  void AddStaged();

  // Finds the newest entry for key.user_key() with sequence <= the key's.
  // Returns false if the memtable holds none; else sets *type and *value
  // (the stored value, pointing into the arena: valid while this memtable
  // lives).
  bool Get(const LookupKey& key, ValueType* type,
           std::string_view* value) const {
    return Get(key, HashUserKey(key.user_key()), type, value);
  }
  // Get for a key whose HashUserKey is hash.
  bool Get(const LookupKey& key, uint64_t hash, ValueType* type,
           std::string_view* value) const;
  // Starts loading what Get(..., hash, ...) reads first, so that the cache
  // misses of a batch of lookups overlap (DB::MultiGet).
  void PrefetchGet(uint64_t hash) const { index_.PrefetchFind(hash); }
  // The hash of user keys the lookups above take (XXH3-64, the hash bloom
  // filters use too: BloomHash).
  static uint64_t HashUserKey(std::string_view user_key);

  // Iterates internal keys; values are the stored values.
  std::unique_ptr<InternalIterator> NewIterator() const;

  // The arenas' bytes. The key index (KeyIndex below) is not counted, so
  // that a memtable fills at the same size as without it.
  size_t ApproximateMemoryUsage() const {
    return arena_.MemoryUsage() + value_arena_.MemoryUsage();
  }

  // Stored values of at least this many bytes live outside their entries
  // (see the layout above).
  static constexpr uint32_t kOutOfLineValueBytes = 256;
  uint64_t num_entries() const {
    return num_entries_.load(std::memory_order_relaxed);
  }
  uint64_t num_deletes() const {
    return num_deletes_.load(std::memory_order_relaxed);
  }
  bool empty() const { return num_entries() == 0; }

  // Makes Get search the skiplist for every key, as when an entry could not
  // be indexed (KeyIndex::Add). Tests only.
  void TEST_DisableKeyIndex() {
    index_complete_.store(false, std::memory_order_release);
  }

  // The WAL whose records fill this memtable (set once by the DB).
  uint64_t log_number() const { return log_number_; }
  void set_log_number(uint64_t n) { log_number_ = n; }

 private:
  struct KeyComparator {
    const InternalKeyComparator comparator;
    // The user comparator is BytewiseComparator(): compare inline (memcmp,
    // then the tag) instead of through two virtual calls.
    const bool bytewise;
    explicit KeyComparator(const InternalKeyComparator& c);
    int operator()(const char* a, const char* b) const;
  };
  using Table = SkipList<const char*, KeyComparator>;
  friend class MemTableIterator;

  // A hash index of the user keys added: for each, the entry of its newest
  // version. A Get finds that entry in about one cache line per segment
  // below, and answers from it when its sequence is visible to the reader
  // (the common case: no snapshot, no write racing the read), instead of a
  // skiplist search that misses the cache at nearly every node; a key the
  // memtable does not hold (most Gets, once a DB outgrows its memtable) is
  // answered without the skiplist and, unlike with a bloom filter, without
  // false positives.
  //
  // Open addressing with linear probing, in segments of doubling capacity
  // (8192 slots, 16384, ...: 7 for a 64 MiB memtable of 100-byte values)
  // because the number of entries is not known ahead; a segment takes keys
  // until it is 3/4 full, then the next one is made. A key goes into the
  // newest segment: its slot there is replaced by each newer version, and
  // copies in older segments are older versions, so a lookup probing the
  // segments newest first stops at the first slot of its key. A slot is
  // one word: the high 16 bits of the key's hash over a 48-bit entry
  // address (0: empty), so a probe compares user keys only when those bits
  // match. 11 to 21 bytes per key (slots at most 3/4 full; the segments
  // together have about twice the last one's slots), outside
  // ApproximateMemoryUsage (so memtables fill at the same size as without
  // the index).
  //
  // Thread safety: Add by the single writer; Find concurrently with it. An
  // entry is fully written before the release store that puts it in a
  // slot, and a slot is never emptied, only replaced by a newer version of
  // its key; the DB publishes a sequence only after its entries are added.
  // So a reader whose sequence covers an entry finds that entry or a newer
  // version of its key.
  class KeyIndex {
   public:
    KeyIndex() = default;
    KeyIndex(const KeyIndex&) = delete;
    KeyIndex& operator=(const KeyIndex&) = delete;
    // Records entry (written by MemTable::Add) as the newest version of
    // user_key. False, and the index stays as it was, if the entry's
    // address does not fit in 48 bits.
    bool Add(uint64_t hash, std::string_view user_key, const char* entry);
    // Starts loading the slot Add(hash, ...) will probe first, so that its
    // cache miss overlaps the skiplist insert. REQUIRES: the writer.
    void Prefetch(uint64_t hash) const;
    // Starts loading the slot of every segment Find(hash, ...) probes
    // first. Any thread.
    void PrefetchFind(uint64_t hash) const;
    // The entry of the newest version of user_key added, nullptr if none.
    const char* Find(uint64_t hash, std::string_view user_key) const;

   private:
    static constexpr int kMaxSegments = 40;
    struct FreeDeleter {
      void operator()(std::atomic<uint64_t>* p) const;
    };
    struct Segment {
      uint64_t mask = 0;                                            // slots - 1
      std::unique_ptr<std::atomic<uint64_t>[], FreeDeleter> slots;  // 0: empty
    };
    // segments_[0, num_segments_) are published; the writer fills the last.
    Segment segments_[kMaxSegments];
    std::atomic<int> num_segments_{0};
    uint64_t in_last_ = 0;  // writer only: keys in the last segment
  };
  // Writes the entry behind a new, unlinked skiplist node; returns the
  // entry.
  char* Encode(SequenceNumber seq, ValueType type, std::string_view key,
               std::string_view value, uint64_t expire_at_ms,
               Table::Reservation* node);
  // Records an entry linked into the skiplist in the index and counters.
  void Indexed(uint64_t hash, std::string_view key, const char* entry,
               ValueType type);

  const KeyComparator comparator_;
  Arena arena_;        // skiplist nodes, entries
  Arena value_arena_;  // values of kOutOfLineValueBytes or more
  Table table_;
  KeyIndex index_;
  // False once an entry could not be indexed: Get then searches the
  // skiplist for every key. Written by the writer before that entry can be
  // published.
  std::atomic<bool> index_complete_{true};
  std::atomic<uint64_t> num_entries_{0};
  std::atomic<uint64_t> num_deletes_{0};
  uint64_t log_number_ = 0;

  // Writer only: what Stage collected for AddStaged: the entries in Stage's
  // (sequence) order, and their nodes, which InsertMany sorts by key.
  struct StagedEntry {
    uint64_t hash;
    std::string_view key;
    const char* entry;
    ValueType type;
  };
  std::vector<StagedEntry> staged_;
  std::vector<Table::Reservation> staged_nodes_;
};

}  // namespace shale

#endif  // SHALE_DB_MEMTABLE_H_
