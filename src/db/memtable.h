// MemTable: the in-memory, ordered buffer of recent writes.
//
// Each entry is laid out in the arena as
//   varint32(internal_key.size()) | internal_key | varint32(value.size()) |
//   value
// right behind its SkipList node (SkipList::AllocateKey), so a search reads
// a node and the key it compares in one place.
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

#include "db/dbformat.h"
#include "db/skiplist.h"
#include "table/internal_iterator.h"
#include "util/arena.h"

namespace shale {

class MemTable {
 public:
  // arena_block_size: see Arena; the DB uses an eighth of the write buffer
  // (at most 64 KiB) so a small buffer is not filled by one reservation.
  explicit MemTable(const InternalKeyComparator& cmp,
                    size_t arena_block_size = 64 * 1024);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // Adds an entry. For kTypeValueWithExpiry the stored value becomes
  // fixed64(expire_at_ms) | value; otherwise expire_at_ms is ignored.
  // REQUIRES: external synchronization; (key, seq) not present yet.
  void Add(SequenceNumber seq, ValueType type, std::string_view key,
           std::string_view value, uint64_t expire_at_ms = 0);

  // Finds the newest entry for key.user_key() with sequence <= the key's.
  // Returns false if the memtable holds none; else sets *type and *value
  // (the stored value, pointing into the arena: valid while this memtable
  // lives).
  bool Get(const LookupKey& key, ValueType* type,
           std::string_view* value) const;

  // Iterates internal keys; values are the stored values.
  std::unique_ptr<InternalIterator> NewIterator() const;

  // The arena's bytes. The key filter (about 1.3 bytes per entry) is not
  // counted, so that a memtable fills at the same size as without it.
  size_t ApproximateMemoryUsage() const { return arena_.MemoryUsage(); }
  uint64_t num_entries() const {
    return num_entries_.load(std::memory_order_relaxed);
  }
  uint64_t num_deletes() const {
    return num_deletes_.load(std::memory_order_relaxed);
  }
  bool empty() const { return num_entries() == 0; }

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

  // A bloom filter of the user keys added, so that a Get for a key the
  // memtable does not hold (most Gets, once a DB outgrows its memtable) is
  // answered from a few cache lines instead of a skiplist search that
  // misses the cache at nearly every node. Blocked (every probe of a key in
  // one 64-byte line), 10 bits per key, in segments of doubling capacity
  // (8192 keys, 16384, ...: 6 for a 64 MiB memtable of small entries)
  // because the number of entries is not known ahead; a key goes into the
  // newest segment, a lookup probes them all (about 1% false positives
  // each).
  //
  // Thread safety: Add by the single writer; MayContain concurrently with
  // it. A key's bits are set before its entry is linked into the skiplist,
  // and a reader only looks for entries whose sequence the DB published
  // after linking them, so it never misses one it may see.
  class KeyFilter {
   public:
    KeyFilter() = default;
    KeyFilter(const KeyFilter&) = delete;
    KeyFilter& operator=(const KeyFilter&) = delete;
    void Add(uint64_t hash);
    bool MayContain(uint64_t hash) const;

   private:
    static constexpr int kMaxSegments = 40;
    struct Segment {
      uint64_t num_blocks = 0;
      std::unique_ptr<std::atomic<uint64_t>[]> words;  // 8 per block
    };
    // segments_[0, num_segments_) are published; the writer fills the last.
    Segment segments_[kMaxSegments];
    std::atomic<int> num_segments_{0};
    uint64_t in_last_ = 0;        // writer only: keys in the last segment
    uint64_t last_capacity_ = 0;  // writer only
  };
  static uint64_t HashUserKey(std::string_view user_key);

  const KeyComparator comparator_;
  Arena arena_;
  Table table_;
  KeyFilter filter_;
  std::atomic<uint64_t> num_entries_{0};
  std::atomic<uint64_t> num_deletes_{0};
  uint64_t log_number_ = 0;
};

}  // namespace shale

#endif  // SHALE_DB_MEMTABLE_H_
