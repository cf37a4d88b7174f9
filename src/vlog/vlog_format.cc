#include "vlog/vlog_format.h"

#include "util/checksum.h"
#include "util/coding.h"

namespace shale {

void ValuePointer::EncodeTo(std::string* dst) const {
  PutVarint64(dst, file_number);
  PutVarint64(dst, offset);
  PutVarint32(dst, value_size);
}

bool ValuePointer::DecodeFrom(std::string_view input) {
  return GetVarint64(&input, &file_number) && GetVarint64(&input, &offset) &&
         GetVarint32(&input, &value_size) && input.empty() &&
         value_size <= kVlogMaxValueSize;
}

std::string EncodeVlogHeader() {
  std::string h;
  PutFixed64(&h, kVlogMagic);
  PutFixed32(&h, kVlogFormatVersion);
  PutFixed32(&h, MaskChecksum(Checksum(h)));
  return h;
}

Status CheckVlogHeader(std::string_view header, const std::string& file_name) {
  if (header.size() < kVlogHeaderSize ||
      DecodeFixed64(header.data()) != kVlogMagic) {
    return Status::Corruption(file_name, "not a vlog file (bad magic)");
  }
  if (UnmaskChecksum(DecodeFixed32(header.data() + 12)) !=
      Checksum(header.data(), 12)) {
    return Status::Corruption(file_name, "vlog header checksum mismatch");
  }
  uint32_t version = DecodeFixed32(header.data() + 8);
  if (version != kVlogFormatVersion) {
    return Status::NotSupported(
        file_name, "vlog format version " + std::to_string(version));
  }
  return Status::OK();
}

}  // namespace shale
