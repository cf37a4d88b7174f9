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
  explicit TableIterator(const Table* table) : table_(table) {
    index_iter_.Init(table->comparator(), &table->index_block(),
                     table->file_name(), Table::kMinKeySize);
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
    if (block_ != nullptr && handle.offset() == block_offset_) return true;
    std::shared_ptr<const Block> block;
    Status s = table_->ReadDataBlock(handle, &block);
    if (!s.ok()) {
      status_ = std::move(s);
      ClearBlock();
      return false;
    }
    block_ = std::move(block);
    block_offset_ = handle.offset();
    data_iter_.Init(table_->comparator(), block_.get(), table_->file_name(),
                    Table::kMinKeySize);
    return true;
  }

  void ClearBlock() {
    data_iter_.Init(nullptr, nullptr, {});
    block_.reset();
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
      if (block_ == nullptr) return;
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
      if (block_ == nullptr) return;
      index_iter_.Prev();
      if (!LoadBlock()) return;
      data_iter_.SeekToLast();
    }
  }

  const Table* const table_;
  BlockIter index_iter_;
  BlockIter data_iter_;
  std::shared_ptr<const Block> block_;  // the block data_iter_ walks
  uint64_t block_offset_ = 0;           // its offset; meaningful if block_
  Status status_;  // a failed block read or a damaged block
};

}  // namespace

std::unique_ptr<InternalIterator> NewTableIterator(const Table* table) {
  return std::make_unique<TableIterator>(table);
}

}  // namespace shale
