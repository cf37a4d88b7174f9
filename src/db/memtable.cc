#include "db/memtable.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "db/stored_value.h"
#include "util/comparator.h"

namespace shale {
namespace {

// Reads the length-prefixed slice at p. Entries were written by Add, so the
// bounds are trusted.
std::string_view GetLengthPrefixedAt(const char* p) {
  uint32_t len;
  const char* q = GetVarint32Ptr(p, p + kMaxVarint32Bytes, &len);
  return {q, len};
}

// The stored value whose encoding starts at p, right after an entry's
// internal key (see the layout in memtable.h).
std::string_view EntryValueAt(const char* p) {
  uint32_t len;
  const char* q = GetVarint32Ptr(p, p + kMaxVarint32Bytes, &len);
  if (len < MemTable::kOutOfLineValueBytes) return {q, len};
  return {reinterpret_cast<const char*>(DecodeFixed64(q)), len};
}

}  // namespace

MemTable::KeyComparator::KeyComparator(const InternalKeyComparator& c)
    : comparator(c), bytewise(c.user_comparator() == BytewiseComparator()) {}

int MemTable::KeyComparator::operator()(const char* a, const char* b) const {
  std::string_view ka = GetLengthPrefixedAt(a);
  std::string_view kb = GetLengthPrefixedAt(b);
  if (!bytewise) return comparator.Compare(ka, kb);
  // InternalKeyComparator over BytewiseComparator, inlined: user keys in
  // byte order, then the tag (sequence, type) descending.
  const size_t ua = ka.size() - 8, ub = kb.size() - 8;
  int r = std::memcmp(ka.data(), kb.data(), ua < ub ? ua : ub);
  if (r != 0) return r;
  if (ua != ub) return ua < ub ? -1 : 1;
  const uint64_t ta = DecodeFixed64(ka.data() + ua);
  const uint64_t tb = DecodeFixed64(kb.data() + ub);
  return ta > tb ? -1 : (ta < tb ? 1 : 0);
}

uint64_t MemTable::HashUserKey(std::string_view user_key) {
  return XXH3_64bits(user_key.data(), user_key.size());
}

namespace {
constexpr uint64_t kIndexFirstSlots = 8192;  // of segment 0; a power of 2
constexpr int kTagShift = 48;
constexpr uint64_t kAddressMask = (uint64_t{1} << kTagShift) - 1;

uint64_t TagOf(uint64_t hash) { return hash >> kTagShift; }

// The user key of the entry at p (see the layout in memtable.h).
std::string_view EntryUserKey(const char* p) {
  return ExtractUserKey(GetLengthPrefixedAt(p));
}
}  // namespace

void MemTable::KeyIndex::FreeDeleter::operator()(
    std::atomic<uint64_t>* p) const {
  std::free(p);
}

void MemTable::KeyIndex::Prefetch(uint64_t hash) const {
  const int n = num_segments_.load(std::memory_order_relaxed);
  if (n == 0) return;
  const Segment& seg = segments_[n - 1];
  __builtin_prefetch(&seg.slots[hash & seg.mask]);
}

bool MemTable::KeyIndex::Add(uint64_t hash, std::string_view user_key,
                             const char* entry) {
  const uint64_t address = reinterpret_cast<uintptr_t>(entry);
  if ((address & ~kAddressMask) != 0) return false;
  const uint64_t word = (TagOf(hash) << kTagShift) | address;
  int n = num_segments_.load(std::memory_order_relaxed);
  if (n == 0 || in_last_ >= (segments_[n - 1].mask + 1) / 4 * 3) {
    if (n == kMaxSegments) {
      // 2^51 slots: unreachable. Probing a full segment would not end.
      return false;
    }
    Segment& seg = segments_[n];
    const uint64_t slots = kIndexFirstSlots << n;
    const size_t bytes = slots * sizeof(std::atomic<uint64_t>);
    // Every probe is a random access: big segments go on huge pages.
    constexpr size_t kHuge = ArenaRegionPool::kRegionBytes;
    auto* words = reinterpret_cast<std::atomic<uint64_t>*>(
        AllocateForRandomAccess(bytes, bytes >= kHuge ? kHuge : 64));
    for (uint64_t i = 0; i < slots; i++)
      new (&words[i]) std::atomic<uint64_t>(0);
    seg.mask = slots - 1;
    seg.slots.reset(words);
    in_last_ = 0;
    // Publishes the segment (a reader reads no further than the count).
    num_segments_.store(++n, std::memory_order_release);
  }
  Segment& seg = segments_[n - 1];
  for (uint64_t i = hash & seg.mask;; i = (i + 1) & seg.mask) {
    const uint64_t old = seg.slots[i].load(std::memory_order_relaxed);
    if (old == 0) {
      in_last_++;
    } else if (TagOf(old) != TagOf(hash) ||
               EntryUserKey(reinterpret_cast<const char*>(
                   old & kAddressMask)) != user_key) {
      continue;
    }
    // Release: a reader that loads the word sees the whole entry.
    seg.slots[i].store(word, std::memory_order_release);
    return true;
  }
}

void MemTable::KeyIndex::PrefetchFind(uint64_t hash) const {
  const int n = num_segments_.load(std::memory_order_acquire);
  for (int s = n - 1; s >= 0; s--) {
    __builtin_prefetch(&segments_[s].slots[hash & segments_[s].mask]);
  }
}

const char* MemTable::KeyIndex::Find(uint64_t hash,
                                     std::string_view user_key) const {
  // A key the memtable does not hold is looked for in every segment: start
  // all their cache misses at once rather than one after the other.
  PrefetchFind(hash);
  const int n = num_segments_.load(std::memory_order_acquire);
  for (int s = n - 1; s >= 0; s--) {
    const Segment& seg = segments_[s];
    for (uint64_t i = hash & seg.mask;; i = (i + 1) & seg.mask) {
      const uint64_t word = seg.slots[i].load(std::memory_order_acquire);
      if (word == 0) break;  // not in this segment
      if (TagOf(word) != TagOf(hash)) continue;
      const char* entry = reinterpret_cast<const char*>(word & kAddressMask);
      if (EntryUserKey(entry) == user_key) return entry;
    }
  }
  return nullptr;
}

MemTable::MemTable(const InternalKeyComparator& cmp, size_t arena_block_size,
                   std::shared_ptr<ArenaRegionPool> pool)
    : comparator_(cmp),
      arena_(arena_block_size, pool),
      value_arena_(arena_block_size, std::move(pool)),
      table_(comparator_, &arena_) {}

char* MemTable::Encode(SequenceNumber seq, ValueType type, std::string_view key,
                       std::string_view value, uint64_t expire_at_ms,
                       Table::Reservation* node) {
  size_t ikey_size = key.size() + 8;
  const StoredValue stored_value{HasExpiry(type), expire_at_ms, value};
  size_t stored_size = stored_value.EncodedSize();
  const bool out_of_line = stored_size >= kOutOfLineValueBytes;
  size_t encoded_len = VarintLength(ikey_size) + ikey_size +
                       VarintLength(stored_size) +
                       (out_of_line ? 8 : stored_size);
  char* buf = table_.AllocateKey(encoded_len, node);
  char* p = EncodeVarint32(buf, static_cast<uint32_t>(ikey_size));
  std::memcpy(p, key.data(), key.size());
  p += key.size();
  EncodeFixed64(p, PackSequenceAndType(seq, type));
  p += 8;
  p = EncodeVarint32(p, static_cast<uint32_t>(stored_size));
  if (out_of_line) {
    char* stored = value_arena_.Allocate(stored_size);
    EncodeFixed64(p, reinterpret_cast<uintptr_t>(stored));
    p = stored;
  }
  stored_value.EncodeTo(p);
  return buf;
}

void MemTable::Indexed(uint64_t hash, std::string_view key, const char* entry,
                       ValueType type) {
  // Either order with the skiplist insert is safe: readers look only for
  // entries whose sequence the DB publishes after the writer is done.
  if (index_complete_.load(std::memory_order_relaxed) &&
      !index_.Add(hash, key, entry)) {
    index_complete_.store(false, std::memory_order_release);
  }
  num_entries_.fetch_add(1, std::memory_order_relaxed);
  if (type == kTypeDeletion)
    num_deletes_.fetch_add(1, std::memory_order_relaxed);
}

void MemTable::Add(SequenceNumber seq, ValueType type, std::string_view key,
                   std::string_view value, uint64_t expire_at_ms) {
  const uint64_t hash = HashUserKey(key);
  index_.Prefetch(hash);
  Table::Reservation node;
  const char* entry = Encode(seq, type, key, value, expire_at_ms, &node);
  table_.Insert(node);
  // After the insert, whose search hides the miss Prefetch started.
  Indexed(hash, key, entry, type);
}

void MemTable::Stage(SequenceNumber seq, ValueType type, std::string_view key,
                     std::string_view value, uint64_t expire_at_ms) {
  Table::Reservation node;
  const char* entry = Encode(seq, type, key, value, expire_at_ms, &node);
  // The key as stored in the arena: the caller's may not outlive Stage.
  std::string_view stored_key(entry + VarintLength(key.size() + 8), key.size());
  staged_.push_back({HashUserKey(key), stored_key, entry, type});
  staged_nodes_.push_back(node);
}

void MemTable::AddStaged() {
  for (const StagedEntry& e : staged_) index_.Prefetch(e.hash);
  table_.InsertMany(staged_nodes_.data(), staged_nodes_.size());
  // In Stage's order, which is sequence order: of two versions of a key in
  // one group, the index keeps the newer.
  for (const StagedEntry& e : staged_) Indexed(e.hash, e.key, e.entry, e.type);
  staged_.clear();
  staged_nodes_.clear();
}

bool MemTable::Get(const LookupKey& key, uint64_t hash, ValueType* type,
                   std::string_view* value) const {
  if (index_complete_.load(std::memory_order_acquire)) {
    const char* entry = index_.Find(hash, key.user_key());
    if (entry == nullptr) return false;
    std::string_view ikey = GetLengthPrefixedAt(entry);
    const uint64_t tag = ExtractTag(ikey);
    if ((tag >> 8) <= (ExtractTag(key.internal_key()) >> 8)) {
      // The newest version is visible to the reader: it is the answer.
      *type = static_cast<ValueType>(tag & 0xff);
      *value = EntryValueAt(ikey.data() + ikey.size());
      return true;
    }
    // Newer than the reader's sequence (a snapshot, or a write racing the
    // read): the skiplist orders the versions.
  }
  Table::Iterator iter(&table_);
  iter.Seek(key.memtable_key().data());
  if (!iter.Valid()) return false;
  std::string_view ikey = GetLengthPrefixedAt(iter.key());
  if (ExtractUserKey(ikey) != key.user_key()) return false;
  *type = static_cast<ValueType>(ExtractTag(ikey) & 0xff);
  *value = EntryValueAt(ikey.data() + ikey.size());
  return true;
}

class MemTableIterator final : public InternalIterator {
 public:
  explicit MemTableIterator(const MemTable::Table* table) : iter_(table) {}

  bool Valid() const override { return iter_.Valid(); }
  void Seek(std::string_view target) override {
    tmp_.clear();
    PutVarint32(&tmp_, static_cast<uint32_t>(target.size()));
    tmp_.append(target);
    iter_.Seek(tmp_.data());
  }
  void SeekToFirst() override { iter_.SeekToFirst(); }
  void SeekToLast() override { iter_.SeekToLast(); }
  void Next() override { iter_.Next(); }
  void Prev() override { iter_.Prev(); }
  std::string_view key() const override {
    return GetLengthPrefixedAt(iter_.key());
  }
  std::string_view value() const override {
    std::string_view k = key();
    return EntryValueAt(k.data() + k.size());
  }
  Status status() const override { return Status::OK(); }

 private:
  MemTable::Table::Iterator iter_;
  std::string tmp_;  // encoded seek target
};

std::unique_ptr<InternalIterator> MemTable::NewIterator() const {
  return std::make_unique<MemTableIterator>(&table_);
}

}  // namespace shale
