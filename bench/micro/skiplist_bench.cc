// The memtable's skiplist: single-writer inserts and lock-free seeks.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "db/skiplist.h"
#include "util/arena.h"

namespace {

constexpr size_t kKeySize = 16;

struct KeyCompare {
  int operator()(const char* a, const char* b) const {
    return std::memcmp(a, b, kKeySize);
  }
};
using List = shale::SkipList<const char*, KeyCompare>;

// Distinct keys in a shuffled order, formatted as the harness does.
std::vector<std::string> MakeKeys(size_t n) {
  std::vector<std::string> keys(n);
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < n; i++) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "%016zu", i);
    keys[i] = buf;
  }
  for (size_t i = n - 1; i > 0; i--) {  // xorshift-driven shuffle
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    std::swap(keys[i], keys[x % (i + 1)]);
  }
  return keys;
}

const char* Copy(shale::Arena* arena, const std::string& key) {
  char* p = arena->Allocate(kKeySize);
  std::memcpy(p, key.data(), kKeySize);
  return p;
}

// Inserts range(0) random keys into a fresh list per iteration.
void BM_SkipListInsert(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<std::string> keys = MakeKeys(n);
  for (auto _ : state) {
    shale::Arena arena;
    List list(KeyCompare(), &arena);
    for (const std::string& k : keys) list.Insert(Copy(&arena, k));
    benchmark::DoNotOptimize(list.Contains(keys[0].data()));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_SkipListInsert)->Arg(1 << 16)->Arg(1 << 20)
    ->Unit(benchmark::kMillisecond);

// Seeks to random keys of a list of range(0) keys.
void BM_SkipListSeek(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<std::string> keys = MakeKeys(n);
  shale::Arena arena;
  List list(KeyCompare(), &arena);
  for (const std::string& k : keys) list.Insert(Copy(&arena, k));
  List::Iterator it(&list);
  size_t i = 0;
  for (auto _ : state) {
    it.Seek(keys[i].data());
    benchmark::DoNotOptimize(it.Valid());
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SkipListSeek)->Arg(1 << 16)->Arg(1 << 20);

}  // namespace
