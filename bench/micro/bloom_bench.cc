// The table bloom filter: building, and probing for present and absent keys.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "table/bloom.h"

namespace {

std::vector<std::string> Keys(size_t n, size_t offset) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < n; i++) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "%016zu", i + offset);
    keys.push_back(buf);
  }
  return keys;
}

// A filter over range(0) keys at 10 bits per key, per iteration.
void BM_BloomBuild(benchmark::State& state) {
  const std::vector<std::string> keys = Keys(state.range(0), 0);
  for (auto _ : state) {
    shale::BloomFilterBuilder builder(10);
    for (const std::string& k : keys) builder.AddKey(k);
    std::string filter = builder.Finish();
    benchmark::DoNotOptimize(filter.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_BloomBuild)->Arg(1000)->Arg(100000);

// Probes of a 1M-key filter; range(0) = 1 probes present keys, 0 absent.
void BM_BloomProbe(benchmark::State& state) {
  const size_t n = 1 << 20;
  shale::BloomFilterBuilder builder(10);
  for (const std::string& k : Keys(n, 0)) builder.AddKey(k);
  shale::BloomFilterReader reader(builder.Finish());
  const std::vector<std::string> probes = Keys(n, state.range(0) ? 0 : n);
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += reader.KeyMayMatch(probes[i]);
    if (++i == probes.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["match_rate"] =
      static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_BloomProbe)->Arg(1)->Arg(0);

}  // namespace
