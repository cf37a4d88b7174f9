// DBIter: turns an iterator over internal keys (every version of every key)
// into the user's view at one sequence number: the newest visible version of
// each key, with deletions and expired entries hidden, in both directions,
// stopping at an optional exclusive upper bound.
#ifndef SHALE_DB_DB_ITER_H_
#define SHALE_DB_DB_ITER_H_

#include <memory>
#include <optional>
#include <string>

#include "db/dbformat.h"
#include "shale/iterator.h"
#include "table/internal_iterator.h"
#include "vlog/vlog_reader.h"

namespace shale {

// internal: merged iterator over every source, owned by the result.
// sequence: entries newer than this are invisible.
// now_ms: wall-clock time used to decide expiry (fixed for the iterator's
// life, so a scan is consistent).
// upper_bound: exclusive, or nullopt.
// vlog: resolves value pointers (kTypeBlobIndex entries); may be nullptr
// only if the iterator cannot meet one.
std::unique_ptr<Iterator> NewDBIterator(
    std::unique_ptr<InternalIterator> internal, SequenceNumber sequence,
    uint64_t now_ms, std::optional<std::string> upper_bound, VlogReader* vlog);

}  // namespace shale

#endif  // SHALE_DB_DB_ITER_H_
