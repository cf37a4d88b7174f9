#include "table/table_iterator.h"

#include <cassert>
#include <cstdint>

#include "table/block.h"
#include "table/format.h"
#include "table/table.h"

namespace shale {

namespace {

class TableIterator final : public InternalIterator {
 public:
  // Init must succeed before any other call.
  TableIterator(const Table* table, const ReadOptions& options)
      : table_(table) {
    read_options_.fill_cache = options.fill_cache;
    read_options_.verify_checksums = options.verify_checksums;
  }

  // Pins the index; false (with the error in *s) if it cannot be read.
  bool Init(Status* s) {
    *s = table_->GetIndexBlock(read_options_, &index_);
    if (!s->ok()) return false;
    index_iter_.Init(table_->comparator(), index_.get(), table_->file_name(),
                     Table::kMinKeySize);
    return true;
  }

  bool Valid() const override { return data_iter_.Valid(); }
  std::string_view key() const override { return data_iter_.key(); }
  std::string_view value() const override { return data_iter_.value(); }

  Status status() const override {
    if (!index_iter_.status().ok()) return index_iter_.status();
    if (!status_.ok()) return status_;
    return data_iter_.status();
  }

  void Seek(std::string_view target) override {
    status_ = Status::OK();
    index_iter_.Seek(target);
    if (!LoadBlock()) return;
    data_iter_.Seek(target);
    SkipEmptyBlocksForward();
  }

  void SeekToFirst() override {
    status_ = Status::OK();
    index_iter_.SeekToFirst();
    if (!LoadBlock()) return;
    data_iter_.SeekToFirst();
    SkipEmptyBlocksForward();
  }

  void SeekToLast() override {
    status_ = Status::OK();
    index_iter_.SeekToLast();
    if (!LoadBlock()) return;
    data_iter_.SeekToLast();
    SkipEmptyBlocksBackward();
  }

  void Next() override {
    assert(Valid());
    data_iter_.Next();
    SkipEmptyBlocksForward();
  }

  void Prev() override {
    assert(Valid());
    data_iter_.Prev();
    SkipEmptyBlocksBackward();
  }

 private:
  // Makes data_iter_ cover the block index_iter_ points at (unpositioned,
  // unless it is the block already held). False at the index's end or on
  // an error (kept in status_).
  bool LoadBlock() {
    if (!index_iter_.Valid()) {
      ClearBlock();
      return false;
    }
    std::string_view encoded = index_iter_.value();
    BlockHandle handle;
    if (!handle.DecodeFrom(&encoded)) {
      status_ =
          Status::Corruption(table_->file_name(), "bad block handle in index");
      ClearBlock();
      return false;
    }
    if (block_.get() != nullptr && handle.offset() == block_offset_) {
      return true;
    }
    // The held block is released first: an iterator never pins two.
    ClearBlock();
    Status s = table_->ReadDataBlock(read_options_, handle, &block_);
    if (!s.ok()) {
      status_ = std::move(s);
      ClearBlock();
      return false;
    }
    block_offset_ = handle.offset();
    data_iter_.Init(table_->comparator(), block_.get(), table_->file_name(),
                    Table::kMinKeySize);
    return true;
  }

  void ClearBlock() {
    data_iter_.Init(nullptr, nullptr, {});
    block_.Reset();
  }

  // After data_iter_ ran off its block: moves on to the next non-empty
  // block, or stops on an error (never skipping a damaged block).
  void SkipEmptyBlocksForward() {
    while (!data_iter_.Valid()) {
      if (!data_iter_.status().ok()) {
        status_ = data_iter_.status();
        ClearBlock();
        return;
      }
      if (block_.get() == nullptr) return;
      index_iter_.Next();
      if (!LoadBlock()) return;
      data_iter_.SeekToFirst();
    }
  }

  void SkipEmptyBlocksBackward() {
    while (!data_iter_.Valid()) {
      if (!data_iter_.status().ok()) {
        status_ = data_iter_.status();
        ClearBlock();
        return;
      }
      if (block_.get() == nullptr) return;
      index_iter_.Prev();
      if (!LoadBlock()) return;
      data_iter_.SeekToLast();
    }
  }

  const Table* const table_;
  ReadOptions read_options_;  // fill_cache and verify_checksums only
  // Declared before the iterators over them, so destroyed after them.
  BlockRef index_;
  BlockRef block_;  // the block data_iter_ walks
  BlockIter index_iter_;
  BlockIter data_iter_;
  uint64_t block_offset_ = 0;  // block_'s offset; meaningful if it is set
  Status status_;              // a failed block read or a damaged block
};

}  // namespace

std::unique_ptr<InternalIterator> NewTableIterator(const Table* table,
                                                   const ReadOptions& options) {
  auto iter = std::make_unique<TableIterator>(table, options);
  Status s;
  if (!iter->Init(&s)) return NewEmptyIterator(std::move(s));
  return iter;
}

}  // namespace shale
