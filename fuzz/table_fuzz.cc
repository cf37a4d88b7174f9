// libFuzzer target: any bytes as a table file (table/table.h). Open must
// fail cleanly or give a table whose iterators, Get and
// ApproximateOffsetOf never crash, never read out of bounds and stop;
// damage shows as Corruption.
#include <cstdint>
#include <memory>
#include <string>

#include "db/dbformat.h"
#include "fuzz/fuzz_util.h"
#include "shale/cache.h"
#include "table/table.h"
#include "util/comparator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  shale::fuzz::Input in(data, size);
  const uint8_t mode = in.Byte();
  std::string probe(in.Take(in.Byte() % 24));
  std::string file(in.rest());

  shale::InternalKeyComparator icmp(shale::BytewiseComparator());
  shale::TableOptions options;
  options.comparator = &icmp;
  std::shared_ptr<shale::Cache> cache;
  if (mode & 1) {
    cache = shale::NewClockCache(1 << 20);
    options.block_cache = cache.get();
    options.cache_index_and_filter_blocks = (mode & 2) != 0;
  }
  const uint64_t file_size = file.size();
  std::unique_ptr<shale::Table> table;
  shale::Status s = shale::Table::Open(
      options, "fuzz.sst", std::make_unique<shale::fuzz::StringFile>(file),
      file_size, &table);
  if (!s.ok()) return 0;

  shale::ReadOptions ro;
  ro.verify_checksums = (mode & 4) != 0;
  ro.fill_cache = (mode & 8) != 0;
  size_t sum = 0;
  int steps = 0;
  auto it = table->NewIterator(ro);
  for (it->SeekToFirst(); it->Valid() && steps < 5000; it->Next(), steps++) {
    sum += it->key().size() + it->value().size();
  }
  for (it->SeekToLast(); it->Valid() && steps < 10000; it->Prev(), steps++) {
    sum += it->key().size();
  }
  // Lookups take internal keys: probe + an 8-byte tag.
  probe.append(8, '\xff');
  it->Seek(probe);
  if (it->Valid()) sum += it->value().size();
  table
      ->Get(ro, probe,
            [&](std::string_view k, std::string_view v) {
              sum += k.size() + v.size();
            })
      .PermitUncheckedError();
  sum += table->ApproximateOffsetOf(probe);
  shale::fuzz::Sink(sum);
  return 0;
}
