// libFuzzer target: any bytes as a WAL or MANIFEST file, read back by
// log::Reader (db/log_reader.h) in each recovery mode, with and without a
// log number, every record then
// parsed as a WAL payload (a WriteBatch), as recovery does. Must never
// crash, never loop, and must tell damage as Corruption.
#include <cstdint>
#include <optional>
#include <string>

#include "db/log_reader.h"
#include "db/write_batch_internal.h"
#include "fuzz/fuzz_util.h"
#include "shale/write_batch.h"

namespace {

struct Reporter : public shale::log::Reader::Reporter {
  size_t dropped = 0;
  void Corruption(size_t bytes, const shale::Status&) override {
    dropped += bytes;
  }
};

struct Counter : public shale::WriteBatch::Handler {
  size_t bytes = 0;
  void Put(std::string_view k, std::string_view v, uint64_t) override {
    bytes += k.size() + v.size();
  }
  void Delete(std::string_view k) override { bytes += k.size(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  shale::fuzz::Input in(data, size);
  const uint8_t mode = in.Byte();
  shale::fuzz::StringFile file{std::string(in.rest())};
  Reporter reporter;
  const shale::WalRecoveryMode modes[] = {
      shale::WalRecoveryMode::kTolerateCorruptedTail,
      shale::WalRecoveryMode::kSkipAnyCorruptedRecords,
      shale::WalRecoveryMode::kAbsoluteConsistency};
  // Bit 2 of the mode byte: read as a WAL whose number is the next byte
  // (the WAL framing, types 5-8, and another log's fragments ending it),
  // else as the MANIFEST (types 1-4 only).
  std::optional<uint64_t> log_number;
  if (mode & 4) log_number = in.Byte();
  shale::log::Reader reader(&file, &reporter, "fuzz.log", modes[mode % 3],
                            log_number);
  std::string scratch;
  std::string_view record;
  Counter counter;
  size_t records = 0;
  while (reader.ReadRecord(&record, &scratch)) {
    if (++records > 100000) __builtin_trap();  // a reader that never ends
    shale::WriteBatch batch;
    if (record.size() >= shale::WriteBatchInternal::kHeaderSize &&
        shale::WriteBatchInternal::SetContents(&batch, record).ok()) {
      batch.Iterate(&counter).PermitUncheckedError();
    }
  }
  (void)reader.status();
  shale::fuzz::Sink(counter.bytes + reporter.dropped);
  return 0;
}
