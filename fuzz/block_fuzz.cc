// libFuzzer target: any bytes as a table block (table/block.h). Iterating
// and seeking must never crash or read out of bounds, and must stop
// (bounded steps); damage shows as status() Corruption.
#include <cstdint>
#include <cstring>
#include <memory>

#include "db/dbformat.h"
#include "fuzz/fuzz_util.h"
#include "table/block.h"
#include "util/comparator.h"

namespace {

void Touch(shale::InternalIterator* it, size_t* sum) {
  *sum += it->key().size() + it->value().size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  shale::fuzz::Input in(data, size);
  const uint8_t mode = in.Byte();
  std::string_view seek_target = in.Take(in.Byte() % 24);
  std::string_view body = in.rest();
  shale::BlockContents contents;
  contents.owned = std::make_unique<char[]>(body.size() + 1);
  std::memcpy(contents.owned.get(), body.data(), body.size());
  contents.data = std::string_view(contents.owned.get(), body.size());
  shale::Block block(std::move(contents));

  // Data and index blocks hold internal keys; test both orderings.
  shale::InternalKeyComparator icmp(shale::BytewiseComparator());
  const bool internal = (mode & 1) != 0;
  const shale::Comparator* cmp =
      internal ? static_cast<const shale::Comparator*>(&icmp)
               : shale::BytewiseComparator();
  auto it = block.NewIterator(cmp, "fuzz.block", internal ? 8 : 0);
  size_t sum = 0;
  int steps = 0;
  for (it->SeekToFirst(); it->Valid() && steps < 5000; it->Next(), steps++) {
    Touch(it.get(), &sum);
  }
  for (it->SeekToLast(); it->Valid() && steps < 10000; it->Prev(), steps++) {
    Touch(it.get(), &sum);
  }
  if (!internal || seek_target.size() >= 8) {
    it->Seek(seek_target);
    for (int i = 0; it->Valid() && i < 8; i++) {
      Touch(it.get(), &sum);
      (mode & 2) ? it->Prev() : it->Next();
    }
  }
  (void)it->status();
  shale::fuzz::Sink(sum);
  return 0;
}
