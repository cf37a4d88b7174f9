// Comparator: a total order over keys, used inside the engine (the public API
// orders user keys bytewise; the tables and memtable order internal keys).
#ifndef SHALE_UTIL_COMPARATOR_H_
#define SHALE_UTIL_COMPARATOR_H_

#include <string>
#include <string_view>

namespace shale {

class Comparator {
 public:
  virtual ~Comparator() = default;
  // <0, 0, >0 as a is before, equal to, after b.
  virtual int Compare(std::string_view a, std::string_view b) const = 0;
  // Stored in table files; opening with another comparator fails.
  virtual const char* Name() const = 0;
  // May shorten *start to any key k with *start <= k < limit (index keys).
  virtual void FindShortestSeparator(std::string* start,
                                     std::string_view limit) const = 0;
  // May shorten *key to any k >= *key.
  virtual void FindShortSuccessor(std::string* key) const = 0;
};

// memcmp order, shorter first on a common prefix. A process-wide singleton.
const Comparator* BytewiseComparator();

}  // namespace shale

#endif  // SHALE_UTIL_COMPARATOR_H_
