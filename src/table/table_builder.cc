#include "table/table_builder.h"

#include <algorithm>
#include <cassert>

#include "db/dbformat.h"
#include "shale/env.h"
#include "util/comparator.h"
#include "util/compression.h"

namespace shale {

TableBuilder::TableBuilder(const TableOptions& options, WritableFile* file)
    : options_(options),
      file_(file),
      data_block_(std::max(options.block_restart_interval, 1)),
      index_block_(1) {
  assert(options_.comparator != nullptr);
  if (options_.bloom_bits_per_key > 0) {
    filter_ = std::make_unique<BloomFilterBuilder>(options_.bloom_bits_per_key);
  }
  props_.comparator_name = options_.comparator->Name();
  props_.compression_name = CompressionTypeName(options_.compression);
}

TableBuilder::~TableBuilder() { assert(closed_); }

void TableBuilder::AddIndexEntry(std::string* separator,
                                 const BlockHandle& handle) {
  handle_scratch_.clear();
  handle.EncodeTo(&handle_scratch_);
  index_block_.Add(*separator, handle_scratch_);
}

void TableBuilder::Add(std::string_view key, std::string_view value) {
  assert(!closed_);
  assert(key.size() >= 8);
  assert(props_.num_entries == 0 ||
         options_.comparator->Compare(last_key_, key) < 0);
  if (!status_.ok()) return;

  if (pending_index_entry_) {
    assert(data_block_.empty());
    index_key_scratch_.assign(last_key_);
    options_.comparator->FindShortestSeparator(&index_key_scratch_, key);
    AddIndexEntry(&index_key_scratch_, pending_handle_);
    pending_index_entry_ = false;
  }

  if (filter_ != nullptr) filter_->AddKey(ExtractUserKey(key));

  const uint64_t tag = ExtractTag(key);
  const uint64_t seq = tag >> 8;
  if (props_.num_entries == 0) {
    props_.smallest_seqno = props_.largest_seqno = seq;
  } else {
    props_.smallest_seqno = std::min(props_.smallest_seqno, seq);
    props_.largest_seqno = std::max(props_.largest_seqno, seq);
  }
  if ((tag & 0xff) == kTypeDeletion) props_.num_deletions++;
  props_.num_entries++;
  props_.raw_key_size += key.size();
  props_.raw_value_size += value.size();

  last_key_.assign(key);
  data_block_.Add(key, value);
  if (data_block_.CurrentSizeEstimate() >= options_.block_size) {
    FlushDataBlock();
  }
}

void TableBuilder::FlushDataBlock() {
  if (data_block_.empty()) return;
  assert(!pending_index_entry_);
  const std::string_view raw = data_block_.Finish();
  std::string_view stored = raw;
  CompressionType type = CompressionType::kNone;
  if (options_.compression != CompressionType::kNone &&
      Compress(options_.compression, raw, &compressed_scratch_) &&
      compressed_scratch_.size() < raw.size() - raw.size() / 8) {
    stored = compressed_scratch_;
    type = options_.compression;
  }
  WriteBlock(stored, type, &pending_handle_);
  props_.raw_data_size += raw.size() + kBlockTrailerSize;
  data_block_.Reset();
  props_.num_data_blocks++;
  pending_index_entry_ = true;
}

void TableBuilder::WriteBlock(std::string_view contents, CompressionType type,
                              BlockHandle* handle) {
  handle->set_offset(offset_);
  handle->set_size(contents.size());
  if (!status_.ok()) return;
  char trailer[kBlockTrailerSize];
  EncodeBlockTrailer(contents, type, trailer);
  status_ = file_->Append(contents);
  if (status_.ok()) {
    status_ = file_->Append(std::string_view(trailer, kBlockTrailerSize));
  }
  if (status_.ok()) offset_ += contents.size() + kBlockTrailerSize;
}

Status TableBuilder::Finish() {
  assert(!closed_);
  FlushDataBlock();
  closed_ = true;
  props_.data_size = offset_;

  Footer footer;
  if (filter_ != nullptr) {
    const std::string filter = filter_->Finish();
    WriteBlock(filter, CompressionType::kNone, &footer.filter_handle);
    props_.filter_size = filter.size();
  }

  if (pending_index_entry_) {
    options_.comparator->FindShortSuccessor(&last_key_);
    AddIndexEntry(&last_key_, pending_handle_);
    pending_index_entry_ = false;
  }
  const std::string_view index = index_block_.Finish();
  WriteBlock(index, CompressionType::kNone, &footer.index_handle);
  props_.index_size = index.size();

  WriteBlock(props_.Encode(), CompressionType::kNone,
             &footer.properties_handle);

  if (status_.ok()) {
    std::string buf;
    footer.EncodeTo(&buf);
    status_ = file_->Append(buf);
    if (status_.ok()) offset_ += buf.size();
  }
  return status_;
}

void TableBuilder::Abandon() {
  assert(!closed_);
  closed_ = true;
}

}  // namespace shale
