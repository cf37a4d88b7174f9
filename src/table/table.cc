#include "table/table.h"

#include <algorithm>
#include <cassert>

#include "db/dbformat.h"
#include "shale/env.h"
#include "table/table_iterator.h"
#include "util/comparator.h"

namespace shale {

Table::Table(const TableOptions& options, std::string file_name,
             std::unique_ptr<RandomAccessFile> file, uint64_t file_size)
    : options_(options),
      file_name_(std::move(file_name)),
      file_(std::move(file)),
      file_size_(file_size) {}

Table::~Table() = default;

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
  s = ReadBlock(t->file_.get(), name, file_size, footer.properties_handle,
                &contents);
  if (!s.ok()) return s;
  s = t->properties_.DecodeFrom(contents.data, name);
  if (!s.ok()) return s;
  if (t->properties_.comparator_name != options.comparator->Name()) {
    return Status::InvalidArgument(
        name, "comparator mismatch: the table uses " +
                  t->properties_.comparator_name + ", the options " +
                  options.comparator->Name());
  }

  s = ReadBlock(t->file_.get(), name, file_size, footer.index_handle,
                &contents);
  if (!s.ok()) return s;
  t->index_block_ = std::make_unique<Block>(std::move(contents));
  if (!t->index_block_->well_formed()) {
    return Status::Corruption(name, "bad index block");
  }

  t->data_end_offset_ = footer.index_handle.offset();
  if (footer.filter_handle.size() > 0) {
    t->data_end_offset_ =
        std::min(t->data_end_offset_, footer.filter_handle.offset());
    // A filter that cannot be read or parsed only costs reads: drop it.
    if (ReadBlock(t->file_.get(), name, file_size, footer.filter_handle,
                  &contents)
            .ok()) {
      auto filter = std::make_unique<BloomFilterReader>(contents.data);
      if (filter->valid()) t->filter_ = std::move(filter);
    }
  }

  *table = std::move(t);
  return Status::OK();
}

std::unique_ptr<InternalIterator> Table::NewIterator(
    bool /*fill_cache*/) const {
  return NewTableIterator(this);
}

Status Table::ReadDataBlock(const BlockHandle& handle,
                            std::shared_ptr<const Block>* block) const {
  BlockContents contents;
  Status s = ReadBlock(file_.get(), file_name_, file_size_, handle, &contents);
  if (!s.ok()) return s;
  *block = std::make_shared<const Block>(std::move(contents));
  return Status::OK();
}

Status Table::Get(std::string_view internal_key,
                  const std::function<void(std::string_view, std::string_view)>&
                      handle_result) const {
  assert(internal_key.size() >= 8);
  const std::string_view user_key = ExtractUserKey(internal_key);
  if (filter_ != nullptr) {
    filter_checks_.fetch_add(1, std::memory_order_relaxed);
    if (!filter_->KeyMayMatch(user_key)) {
      filter_negatives_.fetch_add(1, std::memory_order_relaxed);
      return Status::OK();
    }
  }

  BlockIter index_iter;
  index_iter.Init(options_.comparator, index_block_.get(), file_name_,
                  kMinKeySize);
  index_iter.Seek(internal_key);
  bool found_user_key = false;
  Status s;
  if (index_iter.Valid()) {
    std::string_view encoded = index_iter.value();
    BlockHandle handle;
    if (!handle.DecodeFrom(&encoded)) {
      return Status::Corruption(file_name_, "bad block handle in index");
    }
    std::shared_ptr<const Block> block;
    s = ReadDataBlock(handle, &block);
    if (!s.ok()) return s;
    BlockIter block_iter;
    block_iter.Init(options_.comparator, block.get(), file_name_, kMinKeySize);
    block_iter.Seek(internal_key);
    if (block_iter.Valid()) {
      found_user_key = ExtractUserKey(block_iter.key()) == user_key;
      handle_result(block_iter.key(), block_iter.value());
    }
    s = block_iter.status();
  } else {
    s = index_iter.status();
  }
  if (filter_ != nullptr && s.ok() && !found_user_key) {
    filter_false_positives_.fetch_add(1, std::memory_order_relaxed);
  }
  return s;
}

uint64_t Table::ApproximateOffsetOf(std::string_view internal_key) const {
  BlockIter index_iter;
  index_iter.Init(options_.comparator, index_block_.get(), file_name_,
                  kMinKeySize);
  index_iter.Seek(internal_key);
  if (index_iter.Valid()) {
    std::string_view encoded = index_iter.value();
    BlockHandle handle;
    if (handle.DecodeFrom(&encoded)) return handle.offset();
  }
  return data_end_offset_;
}

}  // namespace shale
