#include "table/format.h"

#include <cstring>

#include "shale/env.h"
#include "util/checksum.h"
#include "util/coding.h"
#include "util/compression.h"

namespace shale {

void BlockHandle::EncodeTo(std::string* dst) const {
  PutVarint64(dst, offset_);
  PutVarint64(dst, size_);
}

bool BlockHandle::DecodeFrom(std::string_view* input) {
  return GetVarint64(input, &offset_) && GetVarint64(input, &size_);
}

void Footer::EncodeTo(std::string* dst) const {
  const size_t start = dst->size();
  filter_handle.EncodeTo(dst);
  index_handle.EncodeTo(dst);
  properties_handle.EncodeTo(dst);
  dst->resize(start + kFooterHandlesSize, '\0');
  PutFixed32(dst, kTableFormatVersion);
  PutFixed32(
      dst, MaskChecksum(Checksum(dst->data() + start, kFooterHandlesSize + 4)));
  PutFixed64(dst, kTableMagicNumber);
}

Status Footer::DecodeFrom(std::string_view input,
                          const std::string& file_name) {
  if (input.size() != kFooterSize) {
    return Status::Corruption(file_name, "bad footer size");
  }
  const char* p = input.data();
  if (DecodeFixed64(p + kFooterSize - 8) != kTableMagicNumber) {
    return Status::Corruption(file_name, "not an sstable (bad magic number)");
  }
  const uint32_t stored = UnmaskChecksum(DecodeFixed32(p + kFooterSize - 12));
  if (stored != Checksum(p, kFooterHandlesSize + 4)) {
    return Status::Corruption(file_name, "footer checksum mismatch");
  }
  const uint32_t version = DecodeFixed32(p + kFooterHandlesSize);
  if (version != kTableFormatVersion) {
    return Status::NotSupported(file_name, "unsupported table format version " +
                                               std::to_string(version));
  }
  std::string_view handles(p, kFooterHandlesSize);
  if (!filter_handle.DecodeFrom(&handles) ||
      !index_handle.DecodeFrom(&handles) ||
      !properties_handle.DecodeFrom(&handles)) {
    return Status::Corruption(file_name, "bad block handle in footer");
  }
  return Status::OK();
}

void EncodeBlockTrailer(std::string_view contents, CompressionType type,
                        char* trailer) {
  trailer[0] = static_cast<char>(type);
  const uint32_t crc = Checksum2(contents, std::string_view(trailer, 1));
  EncodeFixed32(trailer + 1, MaskChecksum(crc));
}

Status ReadBlock(const RandomAccessFile* file, const std::string& file_name,
                 uint64_t file_size, const BlockHandle& handle,
                 BlockContents* result) {
  result->data = {};
  result->owned.reset();
  // Written to not overflow whatever the handle holds.
  if (file_size < kBlockTrailerSize ||
      handle.offset() > file_size - kBlockTrailerSize ||
      handle.size() > file_size - kBlockTrailerSize - handle.offset()) {
    return Status::Corruption(file_name, "block handle past end of file");
  }
  const size_t n = static_cast<size_t>(handle.size());
  auto buf = std::make_unique_for_overwrite<char[]>(n + kBlockTrailerSize);
  std::string_view contents;
  Status s =
      file->Read(handle.offset(), n + kBlockTrailerSize, &contents, buf.get());
  if (!s.ok()) return s;
  if (contents.size() != n + kBlockTrailerSize) {
    return Status::Corruption(file_name, "truncated block read");
  }
  const char* data = contents.data();
  // The checksum covers the contents and the type byte, which are adjacent.
  const uint32_t stored = UnmaskChecksum(DecodeFixed32(data + n + 1));
  if (Checksum(data, n + 1) != stored) {
    return Status::Corruption(file_name, "block checksum mismatch");
  }
  const auto type = static_cast<uint8_t>(data[n]);
  if (type == static_cast<uint8_t>(CompressionType::kNone)) {
    result->data = std::string_view(data, n);
    if (data == buf.get()) result->owned = std::move(buf);
    return Status::OK();
  }
  if (!IsKnownCompressionType(type)) {
    return Status::Corruption(
        file_name, "unsupported compression type " + std::to_string(type));
  }
  // Checksummed, so damage here means a writer bug or an unlucky collision:
  // still an error, never a crash.
  const auto ctype = static_cast<CompressionType>(type);
  const std::string_view compressed(data, n);
  size_t length;
  s = UncompressedLength(ctype, compressed, &length);
  if (s.ok()) {
    auto out = std::make_unique_for_overwrite<char[]>(length == 0 ? 1 : length);
    s = UncompressInto(ctype, compressed, out.get(), length);
    if (s.ok()) {
      result->data = std::string_view(out.get(), length);
      result->owned = std::move(out);
      return Status::OK();
    }
  }
  return Status::Corruption(file_name,
                            "corrupt compressed block: " + s.message());
}

}  // namespace shale
