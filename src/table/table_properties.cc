#include "table/table_properties.h"

#include <string_view>

#include "table/block.h"
#include "table/block_builder.h"
#include "util/coding.h"
#include "util/comparator.h"

namespace shale {

namespace {

// Property names, in the bytewise order they are written in.
constexpr std::string_view kComparator = "shale.comparator";
constexpr std::string_view kCompression = "shale.compression";
constexpr std::string_view kDataSize = "shale.data.size";
constexpr std::string_view kFilterSize = "shale.filter.size";
constexpr std::string_view kIndexSize = "shale.index.size";
constexpr std::string_view kLargestSeqno = "shale.largest.seqno";
constexpr std::string_view kNumDataBlocks = "shale.num.data.blocks";
constexpr std::string_view kNumDeletions = "shale.num.deletions";
constexpr std::string_view kNumEntries = "shale.num.entries";
constexpr std::string_view kRawDataSize = "shale.raw.data.size";
constexpr std::string_view kRawKeySize = "shale.raw.key.size";
constexpr std::string_view kRawValueSize = "shale.raw.value.size";
constexpr std::string_view kSmallestSeqno = "shale.smallest.seqno";

void AddNumber(BlockBuilder* b, std::string_view name, uint64_t v) {
  std::string buf;
  PutVarint64(&buf, v);
  b->Add(name, buf);
}

}  // namespace

std::string TableProperties::Encode() const {
  BlockBuilder b(1);
  b.Add(kComparator, comparator_name);
  b.Add(kCompression, compression_name);
  AddNumber(&b, kDataSize, data_size);
  AddNumber(&b, kFilterSize, filter_size);
  AddNumber(&b, kIndexSize, index_size);
  AddNumber(&b, kLargestSeqno, largest_seqno);
  AddNumber(&b, kNumDataBlocks, num_data_blocks);
  AddNumber(&b, kNumDeletions, num_deletions);
  AddNumber(&b, kNumEntries, num_entries);
  AddNumber(&b, kRawDataSize, raw_data_size);
  AddNumber(&b, kRawKeySize, raw_key_size);
  AddNumber(&b, kRawValueSize, raw_value_size);
  AddNumber(&b, kSmallestSeqno, smallest_seqno);
  return std::string(b.Finish());
}

Status TableProperties::DecodeFrom(std::string_view block_contents,
                                   const std::string& file_name) {
  *this = TableProperties();
  BlockContents contents;
  contents.data = block_contents;  // borrowed for the duration of the call
  Block block(std::move(contents));
  BlockIter it;
  it.Init(BytewiseComparator(), &block, file_name);
  struct {
    std::string_view name;
    uint64_t* field;
  } const numbers[] = {
      {kDataSize, &data_size},
      {kFilterSize, &filter_size},
      {kIndexSize, &index_size},
      {kLargestSeqno, &largest_seqno},
      {kNumDataBlocks, &num_data_blocks},
      {kNumDeletions, &num_deletions},
      {kNumEntries, &num_entries},
      {kRawDataSize, &raw_data_size},
      {kRawKeySize, &raw_key_size},
      {kRawValueSize, &raw_value_size},
      {kSmallestSeqno, &smallest_seqno},
  };
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    if (it.key() == kComparator) {
      comparator_name.assign(it.value());
      continue;
    }
    if (it.key() == kCompression) {
      compression_name.assign(it.value());
      continue;
    }
    for (const auto& n : numbers) {
      if (it.key() != n.name) continue;
      std::string_view v = it.value();
      if (!GetVarint64(&v, n.field) || !v.empty()) {
        return Status::Corruption(file_name, "bad table property");
      }
      break;
    }
  }
  return it.status();
}

}  // namespace shale
