// The memtable's skiplist: single-writer inserts and lock-free seeks; and
// the MemTable over it as the DB uses it (16-byte user keys, 100-byte
// values, the bytewise comparator).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "db/dbformat.h"
#include "db/memtable.h"
#include "db/skiplist.h"
#include "util/arena.h"
#include "util/comparator.h"

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
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
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
BENCHMARK(BM_SkipListInsert)
    ->Arg(1 << 16)
    ->Arg(1 << 20)
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

// MemTable::Add of range(0) random keys into a fresh memtable.
void BM_MemTableAdd(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<std::string> keys = MakeKeys(n);
  const std::string value(100, 'v');
  shale::InternalKeyComparator cmp(shale::BytewiseComparator());
  for (auto _ : state) {
    shale::MemTable mem(cmp);
    shale::SequenceNumber seq = 1;
    for (const std::string& k : keys) {
      mem.Add(seq++, shale::kTypeValue, k, value);
    }
    benchmark::DoNotOptimize(mem.num_entries());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_MemTableAdd)
    ->Arg(1 << 16)
    ->Arg(1 << 19)
    ->Unit(benchmark::kMillisecond);

// MemTable::Get of random keys of a memtable of range(0) keys; every other
// lookup is for a key the memtable does not hold.
void BM_MemTableGet(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  std::vector<std::string> keys = MakeKeys(2 * n);
  const std::string value(100, 'v');
  shale::InternalKeyComparator cmp(shale::BytewiseComparator());
  shale::MemTable mem(cmp);
  for (size_t i = 0; i < n; i++) {
    mem.Add(i + 1, shale::kTypeValue, keys[2 * i], value);
  }
  size_t i = 0, found = 0;
  for (auto _ : state) {
    shale::LookupKey lkey(keys[i], n + 1);
    shale::ValueType type;
    std::string_view v;
    found += mem.Get(lkey, &type, &v);
    if (++i == 2 * n) i = 0;
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemTableGet)->Arg(1 << 16)->Arg(1 << 19);

}  // namespace
