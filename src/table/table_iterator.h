// The iterator over one table: the index block's entries lead to data
// blocks, one of which is held at a time. A specialization of the generic
// two-level iterator (table/two_level_iterator.h) that keeps both levels as
// concrete BlockIters, so a step costs no extra virtual call and no
// allocation until it crosses into another block.
#ifndef SHALE_TABLE_TABLE_ITERATOR_H_
#define SHALE_TABLE_TABLE_ITERATOR_H_

#include <memory>

#include "table/internal_iterator.h"

namespace shale {

class Table;

// REQUIRES: table outlives the iterator.
std::unique_ptr<InternalIterator> NewTableIterator(const Table* table);

}  // namespace shale

#endif  // SHALE_TABLE_TABLE_ITERATOR_H_
