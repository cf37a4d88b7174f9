// The iterator over one table: the index block's entries lead to data
// blocks, one of which is held at a time. A specialization of the generic
// two-level iterator (table/two_level_iterator.h) that keeps both levels as
// concrete BlockIters, so a step costs no extra virtual call and no
// allocation until it crosses into another block (none at all when that
// block is in the block cache). The iterator pins the index (when cached)
// for its lifetime and the data block it walks until it leaves it.
#ifndef SHALE_TABLE_TABLE_ITERATOR_H_
#define SHALE_TABLE_TABLE_ITERATOR_H_

#include <memory>

#include "shale/options.h"
#include "table/internal_iterator.h"

namespace shale {

class Table;

// Reads with options.fill_cache and options.verify_checksums. An empty
// iterator with the error if the index cannot be read.
// REQUIRES: table outlives the iterator.
std::unique_ptr<InternalIterator> NewTableIterator(const Table* table,
                                                   const ReadOptions& options);

}  // namespace shale

#endif  // SHALE_TABLE_TABLE_ITERATOR_H_
