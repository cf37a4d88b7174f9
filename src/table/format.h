// The sstable file format: block handles, block trailers, the footer, and
// reading one block from a file. The full byte-level description lives in
// docs/format/sstable.md; this is its grammar.
//
//   table        := data_block* filter_block? index_block properties_block
//                   footer
//   each block   := contents | trailer
//   trailer      := uint8 compression_type | fixed32 masked_checksum
//                   (kBlockTrailerSize = 5 bytes)
//   checksum     := MaskChecksum(Checksum(contents | compression_type))
//                   (util/checksum.h: low 32 bits of XXH3-64), over the
//                   contents as stored (compressed, if they are)
//   contents     := the block itself (compression_type 0), or the block
//                   compressed and framed as util/compression.h says
//                   (1 lz4, 2 zstd, 3 snappy)
//   block_handle := varint64 offset | varint64 size      (size excludes the
//                   trailer; offset is the first byte of contents)
//   footer       := handles_area (kFooterHandlesSize = 60 bytes: the filter,
//                   index and properties handles, then zero padding)
//                   | fixed32 format_version (1)
//                   | fixed32 masked checksum of the 64 bytes before it
//                   | fixed64 magic (kTableMagicNumber)
//                   (kFooterSize = 76 bytes, the last bytes of the file)
//
// A table without a filter has a filter handle of {0, 0}.
#ifndef SHALE_TABLE_FORMAT_H_
#define SHALE_TABLE_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "shale/options.h"
#include "shale/status.h"

namespace shale {

class RandomAccessFile;

// Where a block's contents sit in the file.
class BlockHandle {
 public:
  // Two varint64s.
  static constexpr size_t kMaxEncodedLength = 20;

  BlockHandle() = default;
  BlockHandle(uint64_t offset, uint64_t size) : offset_(offset), size_(size) {}

  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }
  void set_offset(uint64_t offset) { offset_ = offset; }
  void set_size(uint64_t size) { size_ = size; }

  void EncodeTo(std::string* dst) const;
  // Consumes a handle from the front of *input. False (input unspecified)
  // when it holds no complete handle.
  [[nodiscard]] bool DecodeFrom(std::string_view* input);

 private:
  uint64_t offset_ = 0;
  uint64_t size_ = 0;
};

// The trailer's type byte is a CompressionType (shale/options.h): how the
// contents are stored. Values above kSnappy are Corruption to a reader.

constexpr size_t kBlockTrailerSize = 5;

// "\x8bshale\r\n" read as a little-endian fixed64: a high-bit byte and a
// CR LF catch 7-bit and newline-mangling transfers.
constexpr uint64_t kTableMagicNumber = 0x0a0d656c6168738bull;
constexpr uint32_t kTableFormatVersion = 1;
constexpr size_t kFooterHandlesSize = 3 * BlockHandle::kMaxEncodedLength;
constexpr size_t kFooterSize = kFooterHandlesSize + 4 + 4 + 8;

struct Footer {
  BlockHandle filter_handle;  // {0, 0}: no filter
  BlockHandle index_handle;
  BlockHandle properties_handle;

  // Appends exactly kFooterSize bytes.
  void EncodeTo(std::string* dst) const;
  // Decodes the kFooterSize bytes of input. Errors: Corruption "not an
  // sstable (bad magic number)", Corruption "footer checksum mismatch",
  // Corruption on a bad handle, NotSupported on an unknown format version.
  // file_name prefixes every message.
  Status DecodeFrom(std::string_view input, const std::string& file_name);
};

// The contents of a block read from a file (trailer stripped, uncompressed).
// data either points into `owned` or, when the file served the bytes from
// memory of its own (mmap, in-memory files) and they were stored
// uncompressed, into that memory, which lives as long as the file object.
struct BlockContents {
  std::string_view data;
  std::unique_ptr<char[]> owned;  // null when data borrows the file's memory
};

// Reads the block at handle, verifies its checksum, strips its trailer and
// uncompresses it. The read is bounded by file_size: a handle reaching past
// it is a Corruption, so the read's allocation never exceeds the file (and
// the uncompressed buffer never exceeds the bounds of util/compression.h).
// Errors (each naming file_name): Corruption "block handle past end of
// file", "truncated block read", "block checksum mismatch", "unsupported
// compression type N", "corrupt compressed block: ..."; an IOError from the
// file is returned as is.
Status ReadBlock(const RandomAccessFile* file, const std::string& file_name,
                 uint64_t file_size, const BlockHandle& handle,
                 BlockContents* result);

// Builds the trailer of a block whose contents are `contents`, stored with
// `type`. Writes kBlockTrailerSize bytes at trailer.
void EncodeBlockTrailer(std::string_view contents, CompressionType type,
                        char* trailer);

}  // namespace shale

#endif  // SHALE_TABLE_FORMAT_H_
