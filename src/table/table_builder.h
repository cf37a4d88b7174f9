// TableBuilder: writes a sorted run of internal keys as an sstable
// (layout in table/format.h and docs/format/sstable.md).
//
// Data blocks are compressed with options.compression and stored raw when
// that does not save at least 1/8 of their size (or fails); the trailer's
// type byte records which. Filter, index and properties blocks are never
// compressed.
//
// Usage: Add every entry in increasing order, then Finish (or Abandon to
// give up). The builder appends to the file and never syncs or closes it;
// the caller does both after a successful Finish.
//
// Thread safety: none; one thread per builder.
#ifndef SHALE_TABLE_TABLE_BUILDER_H_
#define SHALE_TABLE_TABLE_BUILDER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "shale/status.h"
#include "table/block_builder.h"
#include "table/bloom.h"
#include "table/format.h"
#include "table/table_options.h"
#include "table/table_properties.h"

namespace shale {

class WritableFile;

class TableBuilder {
 public:
  // Writes to *file, which must be empty (the table starts at offset 0) and
  // outlive the builder. options.comparator must be set.
  TableBuilder(const TableOptions& options, WritableFile* file);
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;
  // REQUIRES: Finish() or Abandon() was called.
  ~TableBuilder();

  // Appends an entry. REQUIRES: internal_key is a valid internal key that
  // sorts after every key added before; key and value are below 4 GiB;
  // Finish/Abandon not called. After an error (see status()) Add does
  // nothing.
  void Add(std::string_view internal_key, std::string_view value);

  // Writes the remaining data block, the filter, index and properties
  // blocks and the footer. Returns the first error met while building.
  Status Finish();

  // Stops building; what was written stays in the file (the caller deletes
  // it).
  void Abandon();

  // The first error met by Add (an Append failure), or OK.
  Status status() const { return status_; }

  uint64_t NumEntries() const { return props_.num_entries; }
  // Bytes written so far; after Finish, the size of the table file.
  uint64_t FileSize() const { return offset_; }
  // The table's properties; complete after Finish.
  const TableProperties& properties() const { return props_; }

 private:
  void FlushDataBlock();
  // Appends contents plus trailer, stored as type; sets *handle. Records
  // errors in status_.
  void WriteBlock(std::string_view contents, CompressionType type,
                  BlockHandle* handle);
  void AddIndexEntry(std::string* separator, const BlockHandle& handle);

  // Constant after construction.
  const TableOptions options_;
  WritableFile* const file_;

  Status status_;
  uint64_t offset_ = 0;
  bool closed_ = false;  // Finish or Abandon called
  BlockBuilder data_block_;
  BlockBuilder index_block_;
  std::unique_ptr<BloomFilterBuilder> filter_;  // null: no filter
  std::string last_key_;
  TableProperties props_;

  // The index entry of a flushed data block waits for the next key, so that
  // its separator can be shortened against it.
  bool pending_index_entry_ = false;
  BlockHandle pending_handle_;
  std::string index_key_scratch_;
  std::string handle_scratch_;
  std::string compressed_scratch_;
};

}  // namespace shale

#endif  // SHALE_TABLE_TABLE_BUILDER_H_
