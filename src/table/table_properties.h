// TableProperties: statistics about a table, stored in its properties block.
//
// The properties block is an ordinary block (table/block_builder.h) with a
// restart interval of 1, whose keys are property names in bytewise order
// and whose values are a varint64 (numbers) or raw bytes (strings). Readers
// skip names they do not know, so properties can be added without a format
// change. The names are listed in docs/format/sstable.md.
#ifndef SHALE_TABLE_TABLE_PROPERTIES_H_
#define SHALE_TABLE_TABLE_PROPERTIES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "shale/status.h"

namespace shale {

struct TableProperties {
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;  // entries of type kTypeDeletion
  uint64_t num_data_blocks = 0;
  uint64_t raw_key_size = 0;    // sum of the internal keys' sizes
  uint64_t raw_value_size = 0;  // sum of the values' sizes
  uint64_t data_size = 0;       // bytes of data blocks as stored, with trailers
  uint64_t raw_data_size = 0;   // what data_size would be uncompressed
  uint64_t index_size = 0;      // bytes of the index block (contents)
  uint64_t filter_size = 0;     // bytes of the filter block (contents)
  uint64_t smallest_seqno = 0;  // over all entries; 0 if none
  uint64_t largest_seqno = 0;
  std::string comparator_name;
  // The compression the table was written with (CompressionTypeName):
  // "none", "lz4", "zstd", "snappy". Blocks that did not shrink enough are
  // stored raw whatever it says. Empty for tables written before it was
  // recorded.
  std::string compression_name;

  // Returns the contents of a properties block.
  std::string Encode() const;
  // Parses a properties block; Corruption (naming file_name) if malformed.
  Status DecodeFrom(std::string_view block_contents,
                    const std::string& file_name);
};

}  // namespace shale

#endif  // SHALE_TABLE_TABLE_PROPERTIES_H_
