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

std::string EncodeVlogFooter(const VlogFooter& footer) {
  std::string f;
  PutFixed64(&f, footer.records);
  PutFixed64(&f, footer.data_bytes);
  PutFixed64(&f, kVlogMagic);
  PutFixed32(&f, MaskChecksum(Checksum(f)));
  return f;
}

Status DecodeVlogFooter(std::string_view footer, const std::string& file_name,
                        VlogFooter* result) {
  if (footer.size() != kVlogFooterSize ||
      DecodeFixed64(footer.data() + 16) != kVlogMagic) {
    return Status::Corruption(file_name, "no vlog footer (bad magic)");
  }
  if (UnmaskChecksum(DecodeFixed32(footer.data() + 24)) !=
      Checksum(footer.data(), 24)) {
    return Status::Corruption(file_name, "vlog footer checksum mismatch");
  }
  result->records = DecodeFixed64(footer.data());
  result->data_bytes = DecodeFixed64(footer.data() + 8);
  return Status::OK();
}

}  // namespace shale
