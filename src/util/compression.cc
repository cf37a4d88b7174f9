#include "util/compression.h"

#include <lz4.h>
#include <snappy-c.h>
#include <zstd.h>

#include <cassert>
#include <cstring>
#include <memory>

#include "util/coding.h"

namespace shale {

namespace {

// The most each codec can expand a buffer of n bytes to (the format's
// limit, with slack): an LZ4 byte yields at most 255 bytes, a 3-byte snappy
// copy at most 64. Declared lengths above this are lies.
constexpr uint64_t kLz4MaxRatio = 256;
constexpr uint64_t kSnappyMaxRatio = 22;

Status CheckBound(uint64_t length, uint64_t input_size, uint64_t max_ratio) {
  if (length > kMaxUncompressedSize) {
    return Status::Corruption("compressed block declares " +
                              std::to_string(length) +
                              " bytes, more than the 64 MiB limit");
  }
  if (max_ratio != 0 && length > max_ratio * input_size + 64) {
    return Status::Corruption("compressed block declares " +
                              std::to_string(length) + " bytes from " +
                              std::to_string(input_size));
  }
  return Status::OK();
}

// Zstd contexts are large and costly to create: one of each per thread,
// freed when the thread exits.
struct ZstdContexts {
  ZSTD_CCtx* cctx = nullptr;
  ZSTD_DCtx* dctx = nullptr;
  ZstdContexts() = default;
  ZstdContexts(const ZstdContexts&) = delete;
  ZstdContexts& operator=(const ZstdContexts&) = delete;
  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
  }
};

ZstdContexts& ThreadZstd() {
  thread_local ZstdContexts contexts;
  return contexts;
}

bool CompressLz4(std::string_view input, std::string* output) {
  const int n = static_cast<int>(input.size());
  const int bound = LZ4_compressBound(n);
  if (bound <= 0) return false;
  char header[5];
  const size_t header_size =
      EncodeVarint32(header, static_cast<uint32_t>(n)) - header;
  output->resize(header_size + static_cast<size_t>(bound));
  std::memcpy(output->data(), header, header_size);
  const int written = LZ4_compress_default(
      input.data(), output->data() + header_size, n, bound);
  if (written <= 0) return false;
  output->resize(header_size + static_cast<size_t>(written));
  return true;
}

bool CompressZstd(std::string_view input, std::string* output) {
  ZstdContexts& z = ThreadZstd();
  if (z.cctx == nullptr && (z.cctx = ZSTD_createCCtx()) == nullptr) {
    return false;
  }
  output->resize(ZSTD_compressBound(input.size()));
  // ZSTD_compressCCtx writes the content size into the frame header, which
  // the reader relies on.
  const size_t written =
      ZSTD_compressCCtx(z.cctx, output->data(), output->size(), input.data(),
                        input.size(), kZstdLevel);
  if (ZSTD_isError(written)) return false;
  output->resize(written);
  return true;
}

bool CompressSnappy(std::string_view input, std::string* output) {
  size_t written = snappy_max_compressed_length(input.size());
  output->resize(written);
  if (snappy_compress(input.data(), input.size(), output->data(), &written) !=
      SNAPPY_OK) {
    return false;
  }
  output->resize(written);
  return true;
}

}  // namespace

std::string_view CompressionTypeName(CompressionType type) {
  switch (type) {
    case CompressionType::kNone:
      return "none";
    case CompressionType::kLZ4:
      return "lz4";
    case CompressionType::kZstd:
      return "zstd";
    case CompressionType::kSnappy:
      return "snappy";
  }
  return "unknown";
}

bool IsKnownCompressionType(uint8_t type) {
  return type <= static_cast<uint8_t>(CompressionType::kSnappy);
}

bool Compress(CompressionType type, std::string_view input,
              std::string* output) {
  if (input.size() > kMaxUncompressedSize) return false;
  switch (type) {
    case CompressionType::kLZ4:
      return CompressLz4(input, output);
    case CompressionType::kZstd:
      return CompressZstd(input, output);
    case CompressionType::kSnappy:
      return CompressSnappy(input, output);
    case CompressionType::kNone:
      break;
  }
  return false;
}

Status UncompressedLength(CompressionType type, std::string_view input,
                          size_t* length) {
  *length = 0;
  switch (type) {
    case CompressionType::kLZ4: {
      uint32_t n;
      std::string_view rest = input;
      if (!GetVarint32(&rest, &n)) {
        return Status::Corruption("bad lz4 length prefix");
      }
      Status s = CheckBound(n, rest.size(), kLz4MaxRatio);
      if (s.ok()) *length = n;
      return s;
    }
    case CompressionType::kZstd: {
      const unsigned long long n =
          ZSTD_getFrameContentSize(input.data(), input.size());
      if (n == ZSTD_CONTENTSIZE_ERROR) {
        return Status::Corruption("bad zstd frame header");
      }
      if (n == ZSTD_CONTENTSIZE_UNKNOWN) {
        return Status::Corruption("zstd frame without a content size");
      }
      Status s = CheckBound(n, input.size(), 0);
      if (s.ok()) *length = static_cast<size_t>(n);
      return s;
    }
    case CompressionType::kSnappy: {
      size_t n;
      if (snappy_uncompressed_length(input.data(), input.size(), &n) !=
          SNAPPY_OK) {
        return Status::Corruption("bad snappy length header");
      }
      Status s = CheckBound(n, input.size(), kSnappyMaxRatio);
      if (s.ok()) *length = n;
      return s;
    }
    case CompressionType::kNone:
      break;
  }
  return Status::InvalidArgument("not a compression type");
}

Status UncompressInto(CompressionType type, std::string_view input,
                      char* output, size_t length) {
  // Libraries may reject a null destination even for zero bytes.
  char dummy;
  if (length == 0) output = &dummy;
  switch (type) {
    case CompressionType::kLZ4: {
      uint32_t n;
      std::string_view rest = input;
      if (!GetVarint32(&rest, &n) || n != length) {
        return Status::Corruption("bad lz4 length prefix");
      }
      const int got = LZ4_decompress_safe(rest.data(), output,
                                          static_cast<int>(rest.size()),
                                          static_cast<int>(length));
      if (got < 0 || static_cast<size_t>(got) != length) {
        return Status::Corruption("corrupt lz4 block");
      }
      return Status::OK();
    }
    case CompressionType::kZstd: {
      ZstdContexts& z = ThreadZstd();
      if (z.dctx == nullptr && (z.dctx = ZSTD_createDCtx()) == nullptr) {
        return Status::IOError("cannot allocate a zstd context");
      }
      const size_t got = ZSTD_decompressDCtx(z.dctx, output, length,
                                             input.data(), input.size());
      if (ZSTD_isError(got) || got != length) {
        return Status::Corruption("corrupt zstd block");
      }
      return Status::OK();
    }
    case CompressionType::kSnappy: {
      size_t got = length;
      if (snappy_uncompress(input.data(), input.size(), output, &got) !=
              SNAPPY_OK ||
          got != length) {
        return Status::Corruption("corrupt snappy block");
      }
      return Status::OK();
    }
    case CompressionType::kNone:
      break;
  }
  return Status::InvalidArgument("not a compression type");
}

Status Uncompress(CompressionType type, std::string_view input,
                  std::string* output) {
  output->clear();
  size_t length;
  Status s = UncompressedLength(type, input, &length);
  if (!s.ok()) return s;
  output->resize(length);
  s = UncompressInto(type, input, output->data(), length);
  if (!s.ok()) output->clear();
  return s;
}

}  // namespace shale
