#include "db/compaction.h"

#include "db/table_cache.h"
#include "table/merging_iterator.h"

namespace shale {

const char* CompactionReasonName(CompactionReason reason) {
  switch (reason) {
    case CompactionReason::kLevel0FileCount:
      return "level0-file-count";
    case CompactionReason::kLevelSize:
      return "level-size";
    case CompactionReason::kManual:
      return "manual";
    case CompactionReason::kVlogGc:
      return "vlog-gc";
    case CompactionReason::kSpace:
      return "space";
  }
  return "unknown";
}

bool VlogDueForGc(const VlogFileMeta& v, double threshold) {
  if (v.data_bytes == 0 || v.garbage_bytes == 0) return false;
  return static_cast<double>(v.garbage_bytes) >=
         threshold * static_cast<double>(v.data_bytes);
}

Compaction::Compaction(const InternalKeyComparator* icmp,
                       std::shared_ptr<const Version> input_version, int level,
                       int output_level, CompactionReason reason)
    : icmp_(icmp),
      input_version_(std::move(input_version)),
      level_(level),
      output_level_(output_level),
      reason_(reason) {}

uint64_t Compaction::InputBytes(int which) const {
  uint64_t sum = 0;
  for (const auto& f : inputs_[which]) sum += f->file_size;
  return sum;
}

bool Compaction::IsTrivialMove(uint64_t max_grandparent_overlap) const {
  if (level_ == output_level_ || inputs_[0].size() != 1 ||
      !inputs_[1].empty()) {
    return false;
  }
  uint64_t overlap = 0;
  for (const auto& f : grandparents_) overlap += f->file_size;
  return overlap <= max_grandparent_overlap;
}

void Compaction::GetRange(std::string* smallest, std::string* largest) const {
  bool first = true;
  for (int which = 0; which < 2; which++) {
    for (const auto& f : inputs_[which]) {
      if (first || icmp_->Compare(f->smallest, *smallest) < 0) {
        *smallest = f->smallest;
      }
      if (first || icmp_->Compare(f->largest, *largest) > 0) {
        *largest = f->largest;
      }
      first = false;
    }
  }
}

bool Compaction::IsBaseLevelForKey(std::string_view user_key) {
  const Comparator* ucmp = icmp_->user_comparator();
  for (int lvl = output_level_ + 1; lvl < kNumLevels; lvl++) {
    const FileList& files = input_version_->files(lvl);
    while (level_ptrs_[lvl] < files.size()) {
      const FileMetaData& f = *files[level_ptrs_[lvl]];
      if (ucmp->Compare(user_key, ExtractUserKey(f.largest)) <= 0) {
        if (ucmp->Compare(user_key, ExtractUserKey(f.smallest)) >= 0) {
          return false;  // the key may be in this file
        }
        break;
      }
      level_ptrs_[lvl]++;  // keys only grow: this file is behind us for good
    }
  }
  return true;
}

bool Compaction::IsBottommost() const {
  std::string smallest, largest;
  GetRange(&smallest, &largest);
  for (int lvl = output_level_ + 1; lvl < kNumLevels; lvl++) {
    if (input_version_->OverlapInLevel(lvl, ExtractUserKey(smallest),
                                       ExtractUserKey(largest))) {
      return false;
    }
  }
  return true;
}

bool Compaction::ShouldStopBefore(std::string_view internal_key,
                                  uint64_t max_grandparent_overlap) {
  while (grandparent_index_ < grandparents_.size() &&
         icmp_->Compare(internal_key,
                        grandparents_[grandparent_index_]->largest) > 0) {
    if (seen_key_) {
      overlapped_bytes_ += grandparents_[grandparent_index_]->file_size;
    }
    grandparent_index_++;
  }
  seen_key_ = true;
  if (overlapped_bytes_ > max_grandparent_overlap) {
    overlapped_bytes_ = 0;
    return true;
  }
  return false;
}

void Compaction::AddInputDeletions(VersionEdit* edit) const {
  for (const auto& f : inputs_[0]) edit->RemoveFile(level_, f->number);
  for (const auto& f : inputs_[1]) edit->RemoveFile(output_level_, f->number);
}

std::vector<uint64_t> Compaction::InputFileNumbers() const {
  std::vector<uint64_t> numbers;
  for (int which = 0; which < 2; which++) {
    for (const auto& f : inputs_[which]) numbers.push_back(f->number);
  }
  return numbers;
}

std::unique_ptr<InternalIterator> NewCompactionInputIterator(
    const Compaction& c, const InternalKeyComparator* icmp, TableCache* cache) {
  ReadOptions ro;
  ro.fill_cache = false;
  ro.verify_checksums = true;
  std::vector<std::unique_ptr<InternalIterator>> children;
  for (int which = 0; which < 2; which++) {
    const int level = which == 0 ? c.level() : c.output_level();
    const FileList& files = c.inputs(which);
    if (files.empty()) continue;
    if (level == 0) {
      for (const auto& f : files) {
        children.push_back(cache->NewIterator(ro, f->number, f->file_size));
      }
    } else {
      children.push_back(NewFileListIterator(icmp, cache, ro, &files));
    }
  }
  return NewMergingIterator(icmp, std::move(children));
}

}  // namespace shale
