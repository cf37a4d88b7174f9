// libFuzzer target: any bytes as a value log file (vlog/vlog_format.h),
// read through VlogReader with pointers that walk the records the file
// claims to hold, and with pointers made up from the input. A read must
// return the value or a Corruption, never crash or read out of bounds.
//
// Pointers are bounded by the file's size: in a DB they come from table
// entries that passed their block checksum, so a made-up 4 GiB value size
// is not an input the reader has to survive cheaply.
#include <cstdint>
#include <string>

#include "db/filename.h"
#include "fuzz/fuzz_util.h"
#include "util/coding.h"
#include "util/mem_env.h"
#include "vlog/vlog_format.h"
#include "vlog/vlog_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  shale::fuzz::Input in(data, size);
  const uint8_t mode = in.Byte();
  const uint32_t extra_offset = in.U32();
  const uint32_t extra_size = in.U32();
  std::string_view ptr_bytes = in.Take(in.Byte() % 24);
  const std::string file(in.rest());

  shale::MemEnv env;
  const std::string path = shale::VlogFileName("/db", 7);
  {
    std::unique_ptr<shale::WritableFile> f;
    if (!env.NewWritableFile(path, &f).ok() || !f->Append(file).ok() ||
        !f->Close().ok()) {
      return 0;
    }
  }
  shale::CheckVlogHeader(std::string_view(file).substr(0, 16), path)
      .PermitUncheckedError();
  shale::ValuePointer decoded;
  (void)decoded.DecodeFrom(ptr_bytes);

  shale::VlogReader reader("/db", &env, 2);
  shale::VlogReadahead readahead;
  std::string value;
  size_t sum = 0;
  // Walk the records as a scan would, trusting each header's sizes only as
  // far as the file reaches.
  uint64_t off = shale::kVlogHeaderSize;
  for (int i = 0; i < 1000 && off + shale::kVlogRecordHeaderSize <= file.size();
       i++) {
    uint32_t key_size = shale::DecodeFixed32(file.data() + off + 4);
    uint32_t value_size = shale::DecodeFixed32(file.data() + off + 8);
    uint64_t end = off + shale::kVlogRecordHeaderSize +
                   static_cast<uint64_t>(key_size) + value_size;
    if (end > file.size()) break;
    std::string key = file.substr(off + shale::kVlogRecordHeaderSize, key_size);
    shale::ValuePointer ptr{7, off, value_size};
    if (reader.Read(ptr, key, &value, (mode & 1) ? &readahead : nullptr).ok()) {
      sum += value.size();
    }
    off = end;
  }
  // One made-up pointer, bounded by the file.
  if (!file.empty()) {
    shale::ValuePointer ptr{
        7, extra_offset % file.size(),
        static_cast<uint32_t>(extra_size % (file.size() + 1))};
    std::string key(ptr_bytes);
    reader.Read(ptr, key, &value, (mode & 2) ? &readahead : nullptr)
        .PermitUncheckedError();
  }
  shale::fuzz::Sink(sum);
  return 0;
}
