// WAL appends: record framing and checksums, into memory and into a file.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "db/log_writer.h"
#include "shale/env.h"

namespace {

// A file that only counts: what is left is the writer's own work.
class NullFile final : public shale::WritableFile {
 public:
  shale::Status Append(std::string_view data) override {
    size_ += data.size();
    return shale::Status::OK();
  }
  shale::Status Flush() override { return shale::Status::OK(); }
  shale::Status Sync() override { return shale::Status::OK(); }
  shale::Status Close() override { return shale::Status::OK(); }
  uint64_t Size() const override { return size_; }

 private:
  uint64_t size_ = 0;
};

// Appends records of range(0) bytes. range(1) = 0 writes to a NullFile
// (framing and checksum only), 1 to a file under /tmp through the POSIX
// Env (no sync: the cost of getting the record to the OS).
void BM_WalAppend(benchmark::State& state) {
  const std::string payload(static_cast<size_t>(state.range(0)), 'p');
  const std::string path = "/tmp/shale-microbench-wal.log";
  shale::Env* env = shale::Env::Default();
  std::unique_ptr<shale::WritableFile> file;
  if (state.range(1) == 0) {
    file = std::make_unique<NullFile>();
  } else if (!env->NewWritableFile(path, &file).ok()) {
    state.SkipWithError("cannot create the WAL file");
    return;
  }
  auto writer = std::make_unique<shale::log::Writer>(file.get(), 0, 1);
  for (auto _ : state) {
    if (!writer->AddRecord(payload).ok()) {
      state.SkipWithError("AddRecord failed");
      break;
    }
    if (state.range(1) && writer->offset() > (256u << 20)) {  // bound the file
      state.PauseTiming();
      writer.reset();
      (void)file->Close();
      (void)env->NewWritableFile(path, &file);
      writer = std::make_unique<shale::log::Writer>(file.get(), 0, 1);
      state.ResumeTiming();
    }
  }
  writer.reset();
  (void)file->Close();
  if (state.range(1)) (void)env->RemoveFile(path);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WalAppend)
    ->Args({100, 0})
    ->Args({4096, 0})
    ->Args({100, 1})
    ->Args({4096, 1});

}  // namespace
