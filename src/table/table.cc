#include "table/table.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "db/dbformat.h"
#include "shale/env.h"
#include "table/table_iterator.h"
#include "util/checksum.h"
#include "util/coding.h"
#include "util/comparator.h"

namespace shale {

namespace {

// Block cache keys (never on disk): fixed64 cache_id | fixed64 offset for
// data and index blocks (values: CachedBlock), plus a trailing 'f' for the
// filter (value: BloomFilterReader), so that no damaged handle can make a
// filter be read as a block.
constexpr size_t kBlockKeySize = 16;
constexpr size_t kFilterKeySize = 17;

struct CacheKey {
  char bytes[kFilterKeySize];
  size_t size;

  CacheKey(uint64_t id, uint64_t offset, bool filter) {
    EncodeFixed64(bytes, id);
    EncodeFixed64(bytes + 8, offset);
    bytes[16] = 'f';
    size = filter ? kFilterKeySize : kBlockKeySize;
  }
  std::string_view view() const { return std::string_view(bytes, size); }
};

// A block in the cache, with the checksum of its uncompressed contents.
struct CachedBlock {
  explicit CachedBlock(BlockContents contents)
      : block(std::move(contents)), checksum(Checksum(block.data())) {}
  // What it costs the cache: the contents are always owned.
  size_t charge() const { return sizeof(CachedBlock) + block.size(); }

  Block block;
  const uint32_t checksum;
};

void DeleteCachedBlock(std::string_view, void* value) {
  delete static_cast<CachedBlock*>(value);
}

void DeleteCachedFilter(std::string_view, void* value) {
  delete static_cast<BloomFilterReader*>(value);
}

// A cache entry may outlive the table and its file: it must own its bytes.
void MakeOwned(BlockContents* contents) {
  if (contents->owned != nullptr) return;
  const size_t n = contents->data.size();
  auto copy = std::make_unique_for_overwrite<char[]>(n == 0 ? 1 : n);
  if (n > 0) std::memcpy(copy.get(), contents->data.data(), n);
  contents->data = std::string_view(copy.get(), n);
  contents->owned = std::move(copy);
}

// True when comparator orders internal keys whose user keys compare
// bytewise: an IndexPrefixes digest of the index is then valid.
bool UserKeysAreBytewise(const Comparator* comparator) {
  const auto* icmp = dynamic_cast<const InternalKeyComparator*>(comparator);
  return icmp != nullptr && icmp->user_comparator() == BytewiseComparator();
}

// Releases a cache handle at the end of a scope.
class ScopedPin {
 public:
  explicit ScopedPin(Cache* cache) : cache_(cache) {}
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;
  ~ScopedPin() {
    if (handle_ != nullptr) cache_->Release(handle_);
  }
  Cache::Handle** slot() { return &handle_; }

 private:
  Cache* const cache_;
  Cache::Handle* handle_ = nullptr;
};

}  // namespace

void BlockRef::Reset() {
  if (handle_ != nullptr) {
    cache_->Release(handle_);
    handle_ = nullptr;
    cache_ = nullptr;
  }
  if (block_ == &owned_) owned_.Reset(BlockContents());
  block_ = nullptr;
}

Table::Table(const TableOptions& options, std::string file_name,
             std::unique_ptr<RandomAccessFile> file, uint64_t file_size)
    : options_(options),
      file_name_(std::move(file_name)),
      file_(std::move(file)),
      file_size_(file_size) {}

Table::~Table() {
  if (cache_meta_blocks_) {
    Cache* cache = options_.block_cache;
    cache->Erase(CacheKey(cache_id_, index_handle_.offset(), false).view());
    if (has_filter_) {
      cache->Erase(CacheKey(cache_id_, filter_handle_.offset(), true).view());
    }
  }
}

Status Table::Open(const TableOptions& options, std::string file_name,
                   std::unique_ptr<RandomAccessFile> file, uint64_t file_size,
                   std::unique_ptr<Table>* table) {
  table->reset();
  if (options.comparator == nullptr) {
    return Status::InvalidArgument(file_name, "no comparator");
  }
  if (file_size < kFooterSize) {
    return Status::Corruption(file_name, "file too short to be an sstable");
  }
  char footer_space[kFooterSize];
  std::string_view footer_input;
  Status s = file->Read(file_size - kFooterSize, kFooterSize, &footer_input,
                        footer_space);
  if (!s.ok()) return s;
  if (footer_input.size() != kFooterSize) {
    return Status::Corruption(file_name, "truncated footer read");
  }
  Footer footer;
  s = footer.DecodeFrom(footer_input, file_name);
  if (!s.ok()) return s;

  std::unique_ptr<Table> t(
      new Table(options, std::move(file_name), std::move(file), file_size));
  const std::string& name = t->file_name_;

  BlockContents contents;
  s = t->ReadFromFile(footer.properties_handle, &contents);
  if (!s.ok()) return s;
  s = t->properties_.DecodeFrom(contents.data, name);
  if (!s.ok()) return s;
  if (t->properties_.comparator_name != options.comparator->Name()) {
    return Status::InvalidArgument(
        name, "comparator mismatch: the table uses " +
                  t->properties_.comparator_name + ", the options " +
                  options.comparator->Name());
  }

  s = t->ReadFromFile(footer.index_handle, &contents);
  if (!s.ok()) return s;
  Cache* const cache = options.block_cache;
  if (cache != nullptr) {
    t->cache_id_ = cache->NewId();
    t->cache_meta_blocks_ = options.cache_index_and_filter_blocks;
  }
  // The index, parsed where it will live: in the table or in the cache.
  const Block* index;
  std::unique_ptr<CachedBlock> cached_index;
  if (t->cache_meta_blocks_) {
    MakeOwned(&contents);
    cached_index = std::make_unique<CachedBlock>(std::move(contents));
    index = &cached_index->block;
  } else {
    t->index_block_ = std::make_unique<Block>(std::move(contents));
    index = t->index_block_.get();
  }
  if (!index->well_formed()) {
    return Status::Corruption(name, "bad index block");
  }
  // The digest is derived from the index and lives as long as the table;
  // an index in the cache is re-read when evicted and is searched whole.
  if (!t->cache_meta_blocks_ && UserKeysAreBytewise(options.comparator)) {
    t->index_prefixes_ = IndexPrefixes::Build(*index);
  }
  t->index_handle_ = footer.index_handle;

  t->data_end_offset_ = footer.index_handle.offset();
  std::unique_ptr<BloomFilterReader> filter;
  if (footer.filter_handle.size() > 0) {
    t->filter_handle_ = footer.filter_handle;
    t->data_end_offset_ =
        std::min(t->data_end_offset_, footer.filter_handle.offset());
    // A filter that cannot be read or parsed only costs reads: drop it.
    filter = t->ReadFilter();
  }
  t->has_filter_ = filter != nullptr;

  if (t->cache_meta_blocks_) {
    // Handed to the cache, unpinned: the first reader finds them there.
    const size_t charge = cached_index->charge();
    cache->Release(cache->Insert(
        CacheKey(t->cache_id_, t->index_handle_.offset(), false).view(),
        cached_index.release(), charge, &DeleteCachedBlock));
    if (filter != nullptr) cache->Release(t->InsertFilter(std::move(filter)));
  } else {
    t->filter_ = std::move(filter);
  }

  *table = std::move(t);
  return Status::OK();
}

Status Table::ReadFromFile(const BlockHandle& handle,
                           BlockContents* contents) const {
  if (TableReadStats* stats = options_.read_stats; stats != nullptr) {
    stats->block_reads.fetch_add(1, std::memory_order_relaxed);
    stats->bytes_read.fetch_add(handle.size() + kBlockTrailerSize,
                                std::memory_order_relaxed);
  }
  return ReadBlock(file_.get(), file_name_, file_size_, handle, contents);
}

std::unique_ptr<BloomFilterReader> Table::ReadFilter() const {
  BlockContents contents;
  if (!ReadFromFile(filter_handle_, &contents).ok()) return nullptr;
  auto filter = std::make_unique<BloomFilterReader>(contents.data);
  if (!filter->valid()) return nullptr;
  return filter;
}

Cache::Handle* Table::InsertFilter(
    std::unique_ptr<BloomFilterReader> filter) const {
  const size_t charge = sizeof(BloomFilterReader) + filter_handle_.size();
  return options_.block_cache->Insert(
      CacheKey(cache_id_, filter_handle_.offset(), true).view(),
      filter.release(), charge, &DeleteCachedFilter);
}

void Table::CountCacheLookup(bool hit) const {
  if (TableReadStats* stats = options_.read_stats; stats != nullptr) {
    (hit ? stats->block_cache_hits : stats->block_cache_misses)
        .fetch_add(1, std::memory_order_relaxed);
  }
}

std::unique_ptr<InternalIterator> Table::NewIterator(
    const ReadOptions& options) const {
  return NewTableIterator(this, options);
}

Status Table::ReadDataBlock(const ReadOptions& options,
                            const BlockHandle& handle, BlockRef* block) const {
  // A data block lies wholly before the filter and index: a damaged index
  // must not make a metadata block (or its cache entry) be read as data.
  if (handle.offset() > data_end_offset_ ||
      handle.size() > data_end_offset_ - handle.offset() ||
      data_end_offset_ - handle.offset() - handle.size() < kBlockTrailerSize) {
    block->Reset();
    return Status::Corruption(file_name_, "data block handle out of range");
  }
  return ReadBlockCached(options, handle, block);
}

Status Table::ReadBlockCached(const ReadOptions& options,
                              const BlockHandle& handle,
                              BlockRef* block) const {
  block->Reset();
  Cache* const cache = options_.block_cache;
  if (cache == nullptr) {
    BlockContents contents;
    Status s = ReadFromFile(handle, &contents);
    if (!s.ok()) return s;
    block->owned_.Reset(std::move(contents));
    block->block_ = &block->owned_;
    return Status::OK();
  }

  const CacheKey key(cache_id_, handle.offset(), false);
  if (Cache::Handle* h = cache->Lookup(key.view()); h != nullptr) {
    CountCacheLookup(true);
    const auto* cached = static_cast<const CachedBlock*>(cache->Value(h));
    if (options.verify_checksums &&
        Checksum(cached->block.data()) != cached->checksum) {
      cache->Release(h);
      cache->Erase(key.view());
      return Status::Corruption(file_name_, "cached block checksum mismatch");
    }
    block->cache_ = cache;
    block->handle_ = h;
    block->block_ = &cached->block;
    return Status::OK();
  }
  CountCacheLookup(false);

  BlockContents contents;
  Status s = ReadFromFile(handle, &contents);
  if (!s.ok()) return s;
  if (!options.fill_cache) {
    block->owned_.Reset(std::move(contents));
    block->block_ = &block->owned_;
    return Status::OK();
  }
  MakeOwned(&contents);
  auto* cached = new CachedBlock(std::move(contents));
  block->cache_ = cache;
  block->handle_ =
      cache->Insert(key.view(), cached, cached->charge(), &DeleteCachedBlock);
  block->block_ = &cached->block;
  return Status::OK();
}

Status Table::GetIndexBlock(const ReadOptions& options, BlockRef* block) const {
  if (!cache_meta_blocks_) {
    block->Reset();
    block->block_ = index_block_.get();
    return Status::OK();
  }
  // Every read of the table needs the index: always cache it.
  ReadOptions index_options;
  index_options.verify_checksums = options.verify_checksums;
  return ReadBlockCached(index_options, index_handle_, block);
}

const BloomFilterReader* Table::GetFilter(Cache::Handle** pin) const {
  if (!has_filter_) return nullptr;
  if (!cache_meta_blocks_) return filter_.get();
  Cache* const cache = options_.block_cache;
  const CacheKey key(cache_id_, filter_handle_.offset(), true);
  Cache::Handle* h = cache->Lookup(key.view());
  CountCacheLookup(h != nullptr);
  if (h == nullptr) {
    std::unique_ptr<BloomFilterReader> filter = ReadFilter();
    if (filter == nullptr) return nullptr;  // damaged since Open: no filter
    h = InsertFilter(std::move(filter));
  }
  *pin = h;
  return static_cast<const BloomFilterReader*>(cache->Value(h));
}

void Table::CountFilterCheck(bool negative) const {
  filter_checks_.fetch_add(1, std::memory_order_relaxed);
  if (negative) filter_negatives_.fetch_add(1, std::memory_order_relaxed);
  if (TableReadStats* stats = options_.read_stats; stats != nullptr) {
    stats->bloom_checked.fetch_add(1, std::memory_order_relaxed);
    if (negative) stats->bloom_useful.fetch_add(1, std::memory_order_relaxed);
  }
}

bool Table::LocateBlock(BlockIter* index_iter, std::string_view internal_key,
                        BlockHandle* handle, Status* s) const {
  if (index_prefixes_ != nullptr) {
    uint32_t left, right;
    index_prefixes_->Narrow(ExtractUserKey(internal_key), &left, &right);
    index_iter->SeekBetweenRestarts(internal_key, left, right);
  } else {
    index_iter->Seek(internal_key);
  }
  if (!index_iter->Valid()) {
    *s = index_iter->status();
    return false;
  }
  std::string_view encoded = index_iter->value();
  if (!handle->DecodeFrom(&encoded)) {
    *s = Status::Corruption(file_name_, "bad block handle in index");
    return false;
  }
  return true;
}

bool Table::SearchBlock(
    const Block* block, std::string_view internal_key, Status* s,
    const std::function<void(std::string_view, std::string_view)>&
        handle_result) const {
  BlockIter block_iter;
  block_iter.Init(options_.comparator, block, file_name_, kMinKeySize);
  block_iter.Seek(internal_key);
  bool found_user_key = false;
  if (block_iter.Valid()) {
    found_user_key =
        ExtractUserKey(block_iter.key()) == ExtractUserKey(internal_key);
    handle_result(block_iter.key(), block_iter.value());
  }
  *s = block_iter.status();
  return found_user_key;
}

Status Table::Get(const ReadOptions& options, std::string_view internal_key,
                  const std::function<void(std::string_view, std::string_view)>&
                      handle_result) const {
  assert(internal_key.size() >= 8);
  bool filtered = false;
  {
    ScopedPin filter_pin(options_.block_cache);
    const BloomFilterReader* filter = GetFilter(filter_pin.slot());
    if (filter != nullptr) {
      filtered = true;
      const bool negative = !filter->KeyMayMatch(ExtractUserKey(internal_key));
      CountFilterCheck(negative);
      if (negative) return Status::OK();
    }
  }

  BlockRef index;
  Status s = GetIndexBlock(options, &index);
  if (!s.ok()) return s;
  BlockIter index_iter;
  index_iter.Init(options_.comparator, index.get(), file_name_, kMinKeySize);
  BlockHandle handle;
  bool found_user_key = false;
  if (LocateBlock(&index_iter, internal_key, &handle, &s)) {
    BlockRef block;
    s = ReadDataBlock(options, handle, &block);
    if (!s.ok()) return s;
    found_user_key = SearchBlock(block.get(), internal_key, &s, handle_result);
  }
  if (filtered && s.ok() && !found_user_key) {
    filter_false_positives_.fetch_add(1, std::memory_order_relaxed);
  }
  return s;
}

void Table::MultiGet(
    const ReadOptions& options, std::span<const BatchKey> keys,
    std::span<Status> statuses,
    const std::function<void(size_t, std::string_view, std::string_view)>&
        handle_result) const {
  assert(statuses.size() == keys.size());
  BlockRef index;
  bool index_read = false;
  // Stages, each over a chunk of the batch, so that the loads one stage
  // starts for all keys are in flight together before the next stage
  // needs them.
  constexpr size_t kChunk = 16;
  for (size_t base = 0; base < keys.size(); base += kChunk) {
    const size_t n = std::min(kChunk, keys.size() - base);
    size_t live[kChunk];  // keys the filter lets through
    size_t num_live = 0;
    bool filtered = false;
    {
      ScopedPin filter_pin(options_.block_cache);
      const BloomFilterReader* filter = GetFilter(filter_pin.slot());
      if (filter != nullptr) {
        filtered = true;
        for (size_t i = 0; i < n; i++) filter->Prefetch(keys[base + i].hash);
      }
      for (size_t i = 0; i < n; i++) {
        const bool negative =
            filter != nullptr && !filter->HashMayMatch(keys[base + i].hash);
        if (filter != nullptr) CountFilterCheck(negative);
        if (!negative) live[num_live++] = base + i;
      }
    }
    if (num_live == 0) continue;
    if (!index_read) {
      Status s = GetIndexBlock(options, &index);
      if (!s.ok()) {
        for (size_t j = 0; j < num_live; j++) statuses[live[j]] = s;
        return;
      }
      index_read = true;
    }

    // The data block of each key: first every handle, then the cache
    // slots of all are loaded together, then the blocks are pinned (a key
    // whose block is its predecessor's shares that pin) and their restart
    // arrays loaded together.
    BlockIter index_iter;
    index_iter.Init(options_.comparator, index.get(), file_name_, kMinKeySize);
    BlockHandle handles[kChunk];
    bool located[kChunk];
    for (size_t j = 0; j < num_live; j++) {
      Status s;
      located[j] =
          LocateBlock(&index_iter, keys[live[j]].internal_key, &handles[j], &s);
      if (!s.ok()) statuses[live[j]] = s;
      if (located[j] && options_.block_cache != nullptr) {
        options_.block_cache->Prefetch(
            CacheKey(cache_id_, handles[j].offset(), false).view());
      }
    }
    BlockRef blocks[kChunk];
    int block_of[kChunk];  // index into blocks, -1: no block to search
    size_t num_blocks = 0;
    for (size_t j = 0; j < num_live; j++) {
      block_of[j] = -1;
      if (!located[j]) continue;
      if (num_blocks > 0 && j > 0 && located[j - 1] &&
          handles[j].offset() == handles[j - 1].offset() &&
          block_of[j - 1] >= 0) {
        block_of[j] = block_of[j - 1];
        continue;
      }
      Status s = ReadDataBlock(options, handles[j], &blocks[num_blocks]);
      if (!s.ok()) {
        statuses[live[j]] = s;
        continue;
      }
      blocks[num_blocks].get()->Prefetch();
      block_of[j] = static_cast<int>(num_blocks++);
    }

    for (size_t j = 0; j < num_live; j++) {
      if (block_of[j] < 0) continue;
      const size_t i = live[j];
      Status s;
      const bool found_user_key =
          SearchBlock(blocks[block_of[j]].get(), keys[i].internal_key, &s,
                      [&](std::string_view key, std::string_view value) {
                        handle_result(i, key, value);
                      });
      if (!s.ok()) statuses[i] = s;
      if (filtered && s.ok() && !found_user_key) {
        filter_false_positives_.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
}

uint64_t Table::ApproximateOffsetOf(std::string_view internal_key) const {
  BlockRef index;
  if (!GetIndexBlock(ReadOptions(), &index).ok()) return data_end_offset_;
  BlockIter index_iter;
  index_iter.Init(options_.comparator, index.get(), file_name_, kMinKeySize);
  index_iter.Seek(internal_key);
  if (index_iter.Valid()) {
    std::string_view encoded = index_iter.value();
    BlockHandle handle;
    if (handle.DecodeFrom(&encoded)) return handle.offset();
  }
  return data_end_offset_;
}

}  // namespace shale
