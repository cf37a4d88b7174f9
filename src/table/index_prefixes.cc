#include "table/index_prefixes.h"

#include <algorithm>
#include <cstring>

#include "db/dbformat.h"
#include "table/block.h"
#include "util/comparator.h"

namespace shale {

std::unique_ptr<IndexPrefixes> IndexPrefixes::Build(const Block& index) {
  // The iterator only decodes here; it never compares.
  BlockIter iter;
  iter.Init(BytewiseComparator(), &index, {}, /*min_key_size=*/8);
  const uint32_t n = iter.num_restarts();
  std::string_view first, last;
  if (n == 0 || !iter.KeyAtRestart(0, &first) ||
      !iter.KeyAtRestart(n - 1, &last)) {
    return nullptr;
  }
  // The last entry is usually a short successor of the table's last key
  // ("l" after "key:..."), sharing nothing with the others: the prefix is
  // taken from the first and the second to last.
  if (n >= 3 && !iter.KeyAtRestart(n - 2, &last)) return nullptr;
  first = ExtractUserKey(first);
  last = ExtractUserKey(last);
  const size_t limit = std::min(first.size(), last.size());
  size_t shared = 0;
  while (shared < limit && first[shared] == last[shared]) shared++;

  std::unique_ptr<IndexPrefixes> digest(new IndexPrefixes);
  digest->shared_.assign(first.data(), shared);
  digest->prefixes_.reserve(n);
  std::string_view previous;
  for (uint32_t i = 0; i < n; i++) {
    std::string_view key;
    if (!iter.KeyAtRestart(i, &key)) return nullptr;
    const std::string_view user_key = ExtractUserKey(key);
    // Out of order (a damaged index): p would not be sorted.
    if (user_key < previous) return nullptr;
    previous = user_key;
    digest->prefixes_.push_back(digest->PrefixOf(user_key));
  }
  uint32_t entries = 0;
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) entries++;
  if (!iter.status().ok()) return nullptr;
  digest->one_entry_per_restart_ = entries == n;
  return digest;
}

uint64_t IndexPrefixes::PrefixOf(std::string_view key) const {
  const size_t shared = shared_.size();
  const size_t m = std::min(shared, key.size());
  const int c = m == 0 ? 0 : std::memcmp(key.data(), shared_.data(), m);
  // Keys without the shared prefix sort before or after all that have it.
  if (c < 0 || (c == 0 && key.size() < shared)) return 0;
  if (c > 0) return UINT64_MAX;
  unsigned char bytes[8] = {};
  std::memcpy(bytes, key.data() + shared,
              std::min<size_t>(8, key.size() - shared));
  uint64_t p = 0;
  for (unsigned char b : bytes) p = (p << 8) | b;
  return p;
}

void IndexPrefixes::Narrow(std::string_view user_key, uint32_t* left,
                           uint32_t* right) const {
  const uint32_t n = num_restarts();
  const uint64_t p = PrefixOf(user_key);
  const auto lo = std::lower_bound(prefixes_.begin(), prefixes_.end(), p);
  // Runs of equal prefixes are short unless keys share more than 8 bytes
  // past the common prefix.
  auto hi = lo;
  for (int i = 0; i < 4 && hi != prefixes_.end() && *hi == p; i++) ++hi;
  if (hi != prefixes_.end() && *hi == p) {
    hi = std::upper_bound(hi, prefixes_.end(), p);
  }
  const auto begin = static_cast<uint32_t>(lo - prefixes_.begin());
  const auto end = static_cast<uint32_t>(hi - prefixes_.begin());
  if (one_entry_per_restart_) {
    // Entries before begin are smaller; the one at end is larger.
    *left = std::min(begin, n - 1);
    *right = std::min(std::max(begin, end == 0 ? 0 : end - 1), n - 1);
  } else {
    // The entries in the region before begin may be larger: start there.
    *left = begin == 0 ? 0 : begin - 1;
    *right = end == 0 ? 0 : end - 1;
  }
}

}  // namespace shale
