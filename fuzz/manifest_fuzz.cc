// libFuzzer target: any bytes as a MANIFEST record (db/version_edit.h):
// an edit group, and a single edit. Decoding must fail cleanly or succeed,
// and what decodes must survive a round trip: encoding it again and
// decoding that gives the same edits (DebugString compared).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "db/version_edit.h"
#include "fuzz/fuzz_util.h"

namespace {

std::string Describe(const std::vector<shale::VersionEdit>& edits) {
  std::string out;
  for (const auto& e : edits) out += e.DebugString() + "\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view record(reinterpret_cast<const char*>(data), size);

  std::vector<shale::VersionEdit> edits;
  if (shale::DecodeEditGroup(record, &edits).ok()) {
    std::vector<const shale::VersionEdit*> ptrs;
    for (const auto& e : edits) ptrs.push_back(&e);
    std::string again;
    shale::EncodeEditGroup(ptrs, &again);
    std::vector<shale::VersionEdit> edits2;
    if (!shale::DecodeEditGroup(again, &edits2).ok() ||
        Describe(edits) != Describe(edits2)) {
      std::abort();  // what decodes must re-encode to the same edits
    }
  }

  shale::VersionEdit edit;
  if (edit.DecodeFrom(record).ok()) {
    std::string again;
    edit.EncodeTo(&again);
    shale::VersionEdit edit2;
    if (!edit2.DecodeFrom(again).ok() ||
        edit.DebugString() != edit2.DebugString()) {
      std::abort();
    }
  }
  return 0;
}
