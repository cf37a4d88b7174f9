#include "db/memtable.h"

#include <cstring>

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
  table_.Insert(node);
  num_entries_.fetch_add(1, std::memory_order_relaxed);
  if (type == kTypeDeletion)
    num_deletes_.fetch_add(1, std::memory_order_relaxed);
}

bool MemTable::Get(const LookupKey& key, ValueType* type,
                   std::string_view* value) const {
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
