#include "db/memtable.h"

#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

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
constexpr uint64_t kFilterFirstCapacity = 8192;  // keys of segment 0
constexpr uint64_t kFilterBitsPerKey = 10;
constexpr int kFilterProbes = 6;

// The 64-byte block of a segment of num_blocks blocks for hash.
uint64_t FilterBlock(uint64_t hash, uint64_t num_blocks) {
  return ((hash >> 32) * num_blocks) >> 32;
}

// Calls f(word, mask) for each probe of hash within its block.
template <typename F>
void ForEachProbe(uint64_t hash, F&& f) {
  uint64_t h = hash * 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < kFilterProbes; i++) {
    uint32_t bit = static_cast<uint32_t>(h & 511);  // of the block's 512
    f(bit >> 6, uint64_t{1} << (bit & 63));
    h >>= 9;
  }
}
}  // namespace

void MemTable::KeyFilter::Add(uint64_t hash) {
  int n = num_segments_.load(std::memory_order_relaxed);
  if (n == 0 || in_last_ >= last_capacity_) {
    if (n == kMaxSegments) {
      // 2^49 keys: unreachable. Keep adding to the last segment: more false
      // positives, never a false negative.
      n--;
    } else {
      last_capacity_ = kFilterFirstCapacity << n;
      Segment& seg = segments_[n];
      seg.num_blocks = (last_capacity_ * kFilterBitsPerKey + 511) / 512;
      seg.words.reset(new std::atomic<uint64_t>[seg.num_blocks * 8]);
      for (uint64_t i = 0; i < seg.num_blocks * 8; i++) {
        seg.words[i].store(0, std::memory_order_relaxed);
      }
      in_last_ = 0;
      // Publishes the segment (a reader reads no further than the count).
      num_segments_.store(++n, std::memory_order_release);
    }
  }
  Segment& seg = segments_[n - 1];
  std::atomic<uint64_t>* block =
      &seg.words[FilterBlock(hash, seg.num_blocks) * 8];
  ForEachProbe(hash, [block](uint32_t word, uint64_t mask) {
    // The writer is alone: no read-modify-write needed.
    block[word].store(block[word].load(std::memory_order_relaxed) | mask,
                      std::memory_order_relaxed);
  });
  in_last_++;
}

bool MemTable::KeyFilter::MayContain(uint64_t hash) const {
  const int n = num_segments_.load(std::memory_order_acquire);
  for (int i = 0; i < n; i++) {
    const Segment& seg = segments_[i];
    const std::atomic<uint64_t>* block =
        &seg.words[FilterBlock(hash, seg.num_blocks) * 8];
    bool all = true;
    ForEachProbe(hash, [block, &all](uint32_t word, uint64_t mask) {
      all &= (block[word].load(std::memory_order_relaxed) & mask) != 0;
    });
    if (all) return true;
  }
  return false;
}

MemTable::MemTable(const InternalKeyComparator& cmp, size_t arena_block_size)
    : comparator_(cmp),
      arena_(arena_block_size),
      table_(comparator_, &arena_) {}

void MemTable::Add(SequenceNumber seq, ValueType type, std::string_view key,
                   std::string_view value, uint64_t expire_at_ms) {
  size_t ikey_size = key.size() + 8;
  size_t prefix = type == kTypeValueWithExpiry ? 8 : 0;
  size_t stored_size = prefix + value.size();
  size_t encoded_len = VarintLength(ikey_size) + ikey_size +
                       VarintLength(stored_size) + stored_size;
  Table::Reservation node;
  char* buf = table_.AllocateKey(encoded_len, &node);
  char* p = EncodeVarint32(buf, static_cast<uint32_t>(ikey_size));
  std::memcpy(p, key.data(), key.size());
  p += key.size();
  EncodeFixed64(p, PackSequenceAndType(seq, type));
  p += 8;
  p = EncodeVarint32(p, static_cast<uint32_t>(stored_size));
  if (prefix != 0) {
    EncodeFixed64(p, expire_at_ms);
    p += 8;
  }
  // An empty value's data() may be null, which memcpy must not be given.
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  filter_.Add(HashUserKey(key));  // before the entry can be found
  table_.Insert(node);
  num_entries_.fetch_add(1, std::memory_order_relaxed);
  if (type == kTypeDeletion)
    num_deletes_.fetch_add(1, std::memory_order_relaxed);
}

bool MemTable::Get(const LookupKey& key, ValueType* type,
                   std::string_view* value) const {
  if (!filter_.MayContain(HashUserKey(key.user_key()))) return false;
  Table::Iterator iter(&table_);
  iter.Seek(key.memtable_key().data());
  if (!iter.Valid()) return false;
  std::string_view ikey = GetLengthPrefixedAt(iter.key());
  if (ExtractUserKey(ikey) != key.user_key()) return false;
  *type = static_cast<ValueType>(ExtractTag(ikey) & 0xff);
  *value = GetLengthPrefixedAt(ikey.data() + ikey.size());
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
    return GetLengthPrefixedAt(k.data() + k.size());
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
