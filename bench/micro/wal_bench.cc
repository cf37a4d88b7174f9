// WAL appends: record framing and checksums, into memory and into a file.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "db/log_writer.h"
#include "shale/env.h"
#include "util/mem_env.h"

namespace {

// Appends records of range(0) bytes. range(1) = 0 writes to an in-memory
// file (framing and checksum only), 1 to a file under /tmp through the
// POSIX Env (no sync: the cost of getting the record to the OS).
void BM_WalAppend(benchmark::State& state) {
  const std::string payload(static_cast<size_t>(state.range(0)), 'p');
  shale::MemEnv mem;
  shale::Env* env = state.range(1) ? shale::Env::Default() : &mem;
  const std::string path = "/tmp/shale-microbench-wal.log";
  std::unique_ptr<shale::WritableFile> file;
  if (!env->NewWritableFile(path, &file).ok()) {
    state.SkipWithError("cannot create the WAL file");
    return;
  }
  auto writer = std::make_unique<shale::log::Writer>(file.get());
  for (auto _ : state) {
    if (!writer->AddRecord(payload).ok()) {
      state.SkipWithError("AddRecord failed");
      break;
    }
    if (writer->offset() > (256u << 20)) {  // keep the file bounded
      state.PauseTiming();
      writer.reset();
      (void)file->Close();
      (void)env->NewWritableFile(path, &file);
      writer = std::make_unique<shale::log::Writer>(file.get());
      state.ResumeTiming();
    }
  }
  writer.reset();
  (void)file->Close();
  (void)env->RemoveFile(path);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WalAppend)
    ->Args({100, 0})->Args({4096, 0})->Args({100, 1})->Args({4096, 1});

}  // namespace
