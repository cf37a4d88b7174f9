// The block cache's hit path: Lookup + Release of keys shaped like the
// table's block keys (cache id, block offset), over a cache holding every
// key, from one thread and from two.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string_view>

#include "shale/cache.h"
#include "util/coding.h"
#include "util/random.h"

namespace {

constexpr size_t kBlockCharge = 4096;

std::string_view BlockKey(uint64_t i, char* buf) {
  shale::EncodeFixed64(buf, 7);
  shale::EncodeFixed64(buf + 8, i * kBlockCharge);
  return std::string_view(buf, 16);
}

// Built by thread 0 before the timed loop, whose start is a barrier for all
// threads.
std::shared_ptr<shale::Cache> shared_cache;

// range(0) keys, all cached (the capacity is twice their charges, so that
// no shard, holding its hash's share of the keys, evicts): 16384 is a
// 64 MiB cache of 4 KiB blocks; 262144 spreads the cache's own memory
// beyond the CPU caches.
void BM_CacheHit(benchmark::State& state) {
  const uint64_t keys = static_cast<uint64_t>(state.range(0));
  if (state.thread_index() == 0) {
    shared_cache = shale::NewClockCache(2 * keys * kBlockCharge);
    char buf[16];
    for (uint64_t i = 0; i < keys; i++) {
      shared_cache->Release(shared_cache->Insert(BlockKey(i, buf), nullptr,
                                                 kBlockCharge, nullptr));
    }
  }
  shale::Random rnd(301 + state.thread_index());
  char buf[16];
  int64_t misses = 0;
  for (auto _ : state) {
    shale::Cache* cache = shared_cache.get();
    shale::Cache::Handle* h = cache->Lookup(BlockKey(rnd.Uniform(keys), buf));
    if (h == nullptr) {
      misses++;
      continue;
    }
    benchmark::DoNotOptimize(cache->Value(h));
    cache->Release(h);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["misses"] = static_cast<double>(misses);
  if (state.thread_index() == 0) shared_cache.reset();
}
BENCHMARK(BM_CacheHit)
    ->Arg(16384)
    ->Arg(262144)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace
