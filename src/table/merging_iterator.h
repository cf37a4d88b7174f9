// A merging iterator: the union of several sorted iterators, in comparator
// order. Used over the memtables and the tables of a read.
//
// Both directions are supported, and switching direction (Next after Prev
// or the reverse) repositions the children around the current key. The
// children are kept in a binary heap, so a step costs O(log n) comparisons
// however many children (level-0 files) there are.
//
// Errors: when a child fails (turns invalid with a non-OK status) the
// merging iterator turns invalid with that status: it never goes on with
// the other children, which would hide the failed child's entries and could
// surface older versions of its keys. The next Seek* retries every child.
//
// Equal keys in two children are both returned, in an unspecified order
// (internal keys are unique, so the DB never has any).
#ifndef SHALE_TABLE_MERGING_ITERATOR_H_
#define SHALE_TABLE_MERGING_ITERATOR_H_

#include <memory>
#include <vector>

#include "table/internal_iterator.h"

namespace shale {

class Comparator;

// Takes ownership of the children. cmp must outlive the iterator. With no
// children returns an empty iterator, with one the child itself.
std::unique_ptr<InternalIterator> NewMergingIterator(
    const Comparator* cmp,
    std::vector<std::unique_ptr<InternalIterator>> children);

}  // namespace shale

#endif  // SHALE_TABLE_MERGING_ITERATOR_H_
