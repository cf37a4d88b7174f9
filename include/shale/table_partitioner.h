// TablePartitioner: lets the application say where a table file must end.
//
// An LSM tree moves a freshly flushed or compacted file down without
// rewriting it only when nothing below overlaps its key range. A file's
// range runs from its smallest key to its largest, so one hot key far from
// the rest (a counter, a collection's metadata rewritten on every append)
// makes every flush's file span everything between, and each compaction
// then rewrites the whole level below. Cutting the outputs at the
// boundaries of such key ranges keeps the appended part of the tree in
// files of its own, which move down untouched.
//
// When it is called
// - By flushes and compactions, for every two adjacent user keys a < b of
//   an output, in key order, from several background threads at once (a
//   partitioner must be thread-safe and should be cheap: it is called once
//   per user key written). Never between two versions of one user key.
// - Its answer only places file boundaries: no key, value or read result
//   depends on it. Outputs are also cut where the DB cuts them anyway
//   (target_file_size, overlap with the level below).
//
// Set one in Options::table_partitioner. It must answer the same for the
// same two keys for the life of the DB (not across opens: files written
// before keep their boundaries).
#ifndef SHALE_TABLE_PARTITIONER_H_
#define SHALE_TABLE_PARTITIONER_H_

#include <string_view>

namespace shale {

class TablePartitioner {
 public:
  virtual ~TablePartitioner() = default;

  // True if an output must end between the adjacent user keys prev and
  // next (prev < next in the DB's comparator).
  virtual bool ShouldPartition(std::string_view prev,
                               std::string_view next) const = 0;

  // For logs.
  virtual const char* Name() const = 0;
};

}  // namespace shale

#endif  // SHALE_TABLE_PARTITIONER_H_
