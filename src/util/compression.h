// Block compression: one entry point per direction over the codecs of
// CompressionType (shale/options.h), each backed by its Debian library
// (liblz4, libzstd, libsnappy).
//
// Framing of a compressed buffer, per type (docs/format/sstable.md, 1.1):
//
//   kLZ4     := varint32 uncompressed_length | LZ4 block (no frame)
//   kZstd    := one zstd frame, its content-size field present
//   kSnappy  := a snappy buffer (which opens with its own varint length)
//
// Every type therefore tells its uncompressed length before any byte is
// decoded. Readers never trust it blindly: a length above
// kMaxUncompressedSize, or above what the codec could possibly expand the
// input to (LZ4 at most 255x, snappy at most 22x), is Corruption, so a
// damaged header never makes the reader allocate more than a few times the
// input or kMaxUncompressedSize, whichever is smaller. Decoding itself is
// bounds-checked by each library: malformed input is Corruption, never a
// crash or an out-of-bounds write.
//
// Thread safety: all functions may be called concurrently. Zstd keeps one
// compression and one decompression context per thread.
#ifndef SHALE_UTIL_COMPRESSION_H_
#define SHALE_UTIL_COMPRESSION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "shale/options.h"
#include "shale/status.h"

namespace shale {

// No buffer larger than this is compressed, and no decoder accepts a
// declared length above it: a writer stores larger blocks uncompressed.
constexpr size_t kMaxUncompressedSize = size_t{64} << 20;

// The zstd level Compress uses (zstd's own default).
constexpr int kZstdLevel = 3;

// "none", "lz4", "zstd", "snappy"; "unknown" for other values.
std::string_view CompressionTypeName(CompressionType type);

// True for the four types above: every codec is compiled in.
bool IsKnownCompressionType(uint8_t type);

// Replaces *output with input compressed by type, framed as above. Returns
// false (output unspecified) for kNone, an unknown type, an input larger
// than kMaxUncompressedSize, or a library failure. Succeeds even when the
// output is not smaller; the caller decides whether to keep it.
bool Compress(CompressionType type, std::string_view input,
              std::string* output);

// The uncompressed length input declares, after the bounds checks above.
// Corruption (without a file name: callers add their own context) when the
// header is malformed or the length is out of bounds; InvalidArgument for
// kNone or an unknown type.
Status UncompressedLength(CompressionType type, std::string_view input,
                          size_t* length);

// Decodes input into output[0, length), where length came from
// UncompressedLength on the same input. Corruption unless input decodes to
// exactly length bytes.
Status UncompressInto(CompressionType type, std::string_view input,
                      char* output, size_t length);

// UncompressedLength + UncompressInto into *output (replaced).
Status Uncompress(CompressionType type, std::string_view input,
                  std::string* output);

}  // namespace shale

#endif  // SHALE_UTIL_COMPRESSION_H_
