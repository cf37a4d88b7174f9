// Data blocks: building one (prefix compression, restarts) and seeking in it.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "table/block.h"
#include "table/block_builder.h"
#include "util/comparator.h"

namespace {

std::vector<std::string> SortedKeys(size_t n) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < n; i++) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "%016zu", i * 7);
    keys.push_back(buf);
  }
  return keys;
}

// Keys of 16 bytes and values of range(0) bytes, until the block holds
// about 4 KiB (the default block size); one block per iteration.
void BM_BlockBuild(benchmark::State& state) {
  const std::string value(static_cast<size_t>(state.range(0)), 'v');
  const std::vector<std::string> keys = SortedKeys(4096);
  shale::BlockBuilder builder(16);
  int64_t entries = 0, bytes = 0;
  for (auto _ : state) {
    builder.Reset();
    size_t i = 0;
    while (builder.CurrentSizeEstimate() < 4096 && i < keys.size()) {
      builder.Add(keys[i++], value);
    }
    std::string_view block = builder.Finish();
    benchmark::DoNotOptimize(block.data());
    entries += static_cast<int64_t>(i);
    bytes += static_cast<int64_t>(block.size());
  }
  state.SetItemsProcessed(entries);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_BlockBuild)->Arg(16)->Arg(100)->Arg(1000);

// Seeks to every key of one ~4 KiB block in turn.
void BM_BlockSeek(benchmark::State& state) {
  const std::string value(static_cast<size_t>(state.range(0)), 'v');
  const std::vector<std::string> keys = SortedKeys(4096);
  shale::BlockBuilder builder(16);
  size_t n = 0;
  while (builder.CurrentSizeEstimate() < 4096 && n < keys.size()) {
    builder.Add(keys[n++], value);
  }
  std::string_view raw = builder.Finish();
  shale::BlockContents contents;
  contents.owned = std::make_unique<char[]>(raw.size());
  std::memcpy(contents.owned.get(), raw.data(), raw.size());
  contents.data = std::string_view(contents.owned.get(), raw.size());
  shale::Block block(std::move(contents));
  shale::BlockIter it;
  it.Init(shale::BytewiseComparator(), &block, "bench");
  size_t i = 0;
  for (auto _ : state) {
    it.Seek(keys[i]);
    benchmark::DoNotOptimize(it.Valid());
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["entries"] = static_cast<double>(n);
}
BENCHMARK(BM_BlockSeek)->Arg(16)->Arg(100)->Arg(1000);

}  // namespace
