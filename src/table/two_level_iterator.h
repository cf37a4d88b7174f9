// A two-level iterator: an index iterator whose values each name a
// sub-iterator (a data block, a table file...), flattened into one
// iterator over the sub-iterators' entries in index order. The DB uses it
// for a level's sorted run of files; tables use a specialized copy
// (table/table_iterator.h).
//
// The sub-iterator of the current index entry is kept while the index
// stays on it (or comes back to it, e.g. Seek within the same block), so
// stepping does not reopen it. An error from the index or from a
// sub-iterator (including one returned by block_function, e.g. via
// NewEmptyIterator(status)) stops the iteration: it turns invalid with the
// error in status(); nothing is skipped. The next Seek* retries.
#ifndef SHALE_TABLE_TWO_LEVEL_ITERATOR_H_
#define SHALE_TABLE_TWO_LEVEL_ITERATOR_H_

#include <functional>
#include <memory>
#include <string_view>

#include "table/internal_iterator.h"

namespace shale {

// block_function(index_value) returns the iterator over the entries the
// index entry names; its argument is valid only during the call. The
// sub-iterators' keys must be ordered as the index is: every key under
// index entry i sorts after those under entry i-1.
std::unique_ptr<InternalIterator> NewTwoLevelIterator(
    std::unique_ptr<InternalIterator> index_iter,
    std::function<
        std::unique_ptr<InternalIterator>(std::string_view index_value)>
        block_function);

}  // namespace shale

#endif  // SHALE_TABLE_TWO_LEVEL_ITERATOR_H_
