#include "db/compaction_picker.h"

#include <algorithm>
#include <cmath>

namespace shale {

// ---------------------------------------------------------------------------
// RunningCompactions

void RunningCompactions::Add(const Compaction& c) {
  for (uint64_t n : c.InputFileNumbers()) files_.insert(n);
  std::string smallest, largest;
  c.GetRange(&smallest, &largest);
  Reserve(&c, c.output_level(), ExtractUserKey(smallest),
          ExtractUserKey(largest));
}

void RunningCompactions::Remove(const Compaction& c) {
  for (uint64_t n : c.InputFileNumbers()) {
    auto it = files_.find(n);
    if (it != files_.end()) files_.erase(it);
  }
  RemoveReservation(&c);
}

void RunningCompactions::Reserve(const void* owner, int level,
                                 std::string_view smallest,
                                 std::string_view largest) {
  outputs_.push_back(
      {owner, level, std::string(smallest), std::string(largest)});
}

void RunningCompactions::RemoveReservation(const void* owner) {
  outputs_.erase(
      std::remove_if(outputs_.begin(), outputs_.end(),
                     [owner](const Output& o) { return o.owner == owner; }),
      outputs_.end());
}

bool RunningCompactions::AnyBusy(const FileList& files) const {
  for (const auto& f : files) {
    if (IsBusy(f->number)) return true;
  }
  return false;
}

bool RunningCompactions::OutputOverlaps(
    const Comparator* ucmp, int level, std::string_view smallest_user_key,
    std::string_view largest_user_key) const {
  for (const Output& o : outputs_) {
    if (o.level != level) continue;
    if (ucmp->Compare(largest_user_key, o.smallest) < 0 ||
        ucmp->Compare(smallest_user_key, o.largest) > 0) {
      continue;
    }
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// CompactionPicker

CompactionPicker::CompactionPicker(const InternalKeyComparator* icmp,
                                   const Options& options)
    : icmp_(icmp), options_(options) {}

double CompactionPicker::MaxBytesForLevel(int level) const {
  double result = static_cast<double>(options_.max_bytes_for_level_base);
  for (int l = 1; l < level; l++)
    result *= options_.max_bytes_for_level_multiplier;
  return result;
}

void CompactionPicker::ComputeScores(const Version& v,
                                     double scores[kNumLevels]) const {
  for (int level = 0; level < kNumLevels; level++) scores[level] = 0;
  scores[0] = static_cast<double>(v.Level0Runs()) /
              std::max(1, options_.level0_file_num_compaction_trigger);
  for (int level = 1; level < kNumLevels - 1; level++) {
    scores[level] = static_cast<double>(v.LevelLogicalBytes(level)) /
                    MaxBytesForLevel(level);
  }
}

bool CompactionPicker::NeedsCompaction(const Version& v) const {
  double scores[kNumLevels];
  ComputeScores(v, scores);
  for (double s : scores) {
    if (s >= 1) return true;
  }
  return NeedsVlogGc(v) || NeedsSpaceCompaction(v);
}

int CompactionPicker::SpaceCompactionLevel(const Version& v) const {
  // Only old versions of separated values need it: without vlogs the
  // level targets alone shape the tree.
  if (!options_.enable_value_separation || v.vlog_files().empty()) return -1;
  int last = kNumLevels - 1;
  while (last > 0 && v.NumFiles(last) == 0) last--;
  if (last == 0) return v.NumFiles(0) >= 2 ? 0 : -1;
  uint64_t upper = 0;
  int shallowest = -1;
  for (int level = 0; level < last; level++) {
    if (v.NumFiles(level) > 0 && shallowest < 0) shallowest = level;
    upper += v.LevelLogicalBytes(level);
  }
  const double limit =
      kMaxUpperLevelsFraction * static_cast<double>(v.LevelLogicalBytes(last));
  return static_cast<double>(upper) > limit ? shallowest : -1;
}

bool CompactionPicker::NeedsSpaceCompaction(const Version& v) const {
  return SpaceCompactionLevel(v) >= 0;
}

uint64_t CompactionPicker::DueVlogBytes(const Version& v,
                                        const FileMetaData& f) const {
  uint64_t bytes = 0;
  for (const auto& [number, referenced] : f.vlog_refs) {
    auto it = v.vlog_files().find(number);
    if (it != v.vlog_files().end() &&
        VlogDueForGc(it->second, options_.blob_gc_threshold)) {
      bytes += referenced;
    }
  }
  return bytes;
}

bool CompactionPicker::NeedsVlogGc(const Version& v) const {
  bool any_due = false;
  for (const auto& [number, meta] : v.vlog_files()) {
    any_due |= VlogDueForGc(meta, options_.blob_gc_threshold);
  }
  if (!any_due) return false;
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v.files(level)) {
      if (DueVlogBytes(v, *f) > 0) return true;
    }
  }
  return false;
}

void CompactionPicker::GetOverlappingInputs(const Version& v, int level,
                                            const std::string_view* begin,
                                            const std::string_view* end,
                                            FileList* out) const {
  out->clear();
  const Comparator* ucmp = icmp_->user_comparator();
  std::string lo = begin ? std::string(*begin) : std::string();
  std::string hi = end ? std::string(*end) : std::string();
  bool has_lo = begin != nullptr, has_hi = end != nullptr;
  const FileList& files = v.files(level);
  for (size_t i = 0; i < files.size();) {
    const auto& f = files[i++];
    std::string_view fs = ExtractUserKey(f->smallest);
    std::string_view fl = ExtractUserKey(f->largest);
    if (has_lo && ucmp->Compare(fl, lo) < 0) continue;
    if (has_hi && ucmp->Compare(fs, hi) > 0) continue;
    out->push_back(f);
    if (level == 0) {
      // A level-0 file reaching past the range widens it: restart so every
      // file overlapping the wider range is included.
      bool widened = false;
      if (has_lo && ucmp->Compare(fs, lo) < 0) {
        lo.assign(fs);
        widened = true;
      }
      if (has_hi && ucmp->Compare(fl, hi) > 0) {
        hi.assign(fl);
        widened = true;
      }
      if (widened) {
        out->clear();
        i = 0;
      }
    }
  }
}

bool CompactionPicker::SetupOtherInputs(
    Compaction* c, const RunningCompactions& running) const {
  std::string smallest, largest;
  c->GetRange(&smallest, &largest);
  std::string_view lo = ExtractUserKey(smallest), hi = ExtractUserKey(largest);
  const Version& v = *c->input_version();
  const Comparator* ucmp = icmp_->user_comparator();
  if (c->output_level() != c->level()) {
    GetOverlappingInputs(v, c->output_level(), &lo, &hi, &c->inputs(1));
    if (running.AnyBusy(c->inputs(1))) return false;
    // The outputs span the union of both input ranges.
    c->GetRange(&smallest, &largest);
    lo = ExtractUserKey(smallest);
    hi = ExtractUserKey(largest);
  }
  if (running.OutputOverlaps(ucmp, c->output_level(), lo, hi)) return false;
  if (c->output_level() + 1 < kNumLevels) {
    GetOverlappingInputs(v, c->output_level() + 1, &lo, &hi,
                         &c->grandparents());
  }
  c->max_output_file_size = options_.target_file_size;
  return true;
}

std::unique_ptr<Compaction> CompactionPicker::PickLevel0(
    const std::shared_ptr<const Version>& v, const RunningCompactions& running,
    CompactionReason reason) {
  const FileList& l0 = v->files(0);
  if (l0.empty() || running.AnyBusy(l0)) return nullptr;
  auto c = std::make_unique<Compaction>(icmp_, v, 0, 1, reason);
  c->inputs(0) = l0;
  if (!SetupOtherInputs(c.get(), running)) return nullptr;
  return c;
}

std::unique_ptr<Compaction> CompactionPicker::PickLevelN(
    const std::shared_ptr<const Version>& v, int level,
    const RunningCompactions& running) {
  const FileList& files = v->files(level);
  if (files.empty()) return nullptr;
  // Start after the compact pointer, wrapping around.
  size_t start = 0;
  if (!compact_pointer_[level].empty()) {
    start = v->FindFile(level, compact_pointer_[level]);
    if (start < files.size() &&
        icmp_->Compare(files[start]->largest, compact_pointer_[level]) <= 0) {
      start++;
    }
    if (start >= files.size()) start = 0;
  }
  std::unique_ptr<Compaction> best;
  double best_ratio = 0;
  int considered = 0;
  for (size_t n = 0; n < files.size() && considered < kCandidateWindow; n++) {
    const auto& f = files[(start + n) % files.size()];
    if (running.IsBusy(f->number)) continue;
    auto c = std::make_unique<Compaction>(icmp_, v, level, level + 1,
                                          CompactionReason::kLevelSize);
    c->inputs(0).push_back(f);
    if (!SetupOtherInputs(c.get(), running)) continue;
    considered++;
    double ratio = static_cast<double>(c->InputBytes(1)) /
                   std::max<uint64_t>(1, f->file_size);
    if (best == nullptr || ratio < best_ratio) {
      best = std::move(c);
      best_ratio = ratio;
    }
  }
  if (best != nullptr) compact_pointer_[level] = best->inputs(0)[0]->largest;
  return best;
}

std::unique_ptr<Compaction> CompactionPicker::PickCompaction(
    const std::shared_ptr<const Version>& v,
    const RunningCompactions& running) {
  double scores[kNumLevels];
  ComputeScores(*v, scores);
  int order[kNumLevels];
  for (int i = 0; i < kNumLevels; i++) order[i] = i;
  std::stable_sort(order, order + kNumLevels,
                   [&](int a, int b) { return scores[a] > scores[b]; });
  for (int level : order) {
    if (scores[level] < 1) break;
    auto c = level == 0
                 ? PickLevel0(v, running, CompactionReason::kLevel0FileCount)
                 : PickLevelN(v, level, running);
    if (c != nullptr) return c;
  }
  if (auto c = PickVlogGc(v, running)) return c;
  return PickSpaceCompaction(v, running);
}

std::unique_ptr<Compaction> CompactionPicker::PickVlogGc(
    const std::shared_ptr<const Version>& v,
    const RunningCompactions& running) {
  if (!NeedsVlogGc(*v)) return nullptr;
  // Level >= 1 tables by due bytes, most first.
  struct Candidate {
    uint64_t due;
    int level;
    std::shared_ptr<const FileMetaData> file;
  };
  std::vector<Candidate> order;
  bool level0_due = false;
  for (int level = 0; level < kNumLevels; level++) {
    for (const auto& f : v->files(level)) {
      const uint64_t due = DueVlogBytes(*v, *f);
      if (due == 0) continue;
      if (level == 0) {
        level0_due = true;
      } else if (!running.IsBusy(f->number)) {
        order.push_back({due, level, f});
      }
    }
  }
  std::stable_sort(
      order.begin(), order.end(),
      [](const Candidate& a, const Candidate& b) { return a.due > b.due; });
  for (const Candidate& candidate : order) {
    auto c = std::make_unique<Compaction>(
        icmp_, v, candidate.level, candidate.level, CompactionReason::kVlogGc);
    c->inputs(0).push_back(candidate.file);
    if (SetupOtherInputs(c.get(), running)) return c;
  }
  if (level0_due) return PickLevel0(v, running, CompactionReason::kVlogGc);
  return nullptr;
}

std::unique_ptr<Compaction> CompactionPicker::PickSpaceCompaction(
    const std::shared_ptr<const Version>& v,
    const RunningCompactions& running) {
  const int level = SpaceCompactionLevel(*v);
  if (level < 0) return nullptr;
  auto c = level == 0 ? PickLevel0(v, running, CompactionReason::kSpace)
                      : PickLevelN(v, level, running);
  if (c != nullptr) c->set_reason(CompactionReason::kSpace);
  return c;
}

std::unique_ptr<Compaction> CompactionPicker::PickRangeCompaction(
    const std::shared_ptr<const Version>& v, int level,
    const std::string_view* begin, const std::string_view* end, bool in_place,
    const RunningCompactions& running, bool* busy) {
  *busy = false;
  FileList inputs;
  GetOverlappingInputs(*v, level, begin, end, &inputs);
  if (inputs.empty()) return nullptr;
  if (running.AnyBusy(inputs)) {
    *busy = true;
    return nullptr;
  }
  int output_level = in_place ? level : level + 1;
  auto c = std::make_unique<Compaction>(icmp_, v, level, output_level,
                                        CompactionReason::kManual);
  c->inputs(0) = std::move(inputs);
  if (!SetupOtherInputs(c.get(), running)) {
    *busy = true;
    return nullptr;
  }
  return c;
}

int CompactionPicker::PickLevelForFlush(
    const Version& v, std::string_view smallest_user_key,
    std::string_view largest_user_key,
    const RunningCompactions& running) const {
  int level = 0;
  if (v.OverlapInLevel(0, smallest_user_key, largest_user_key)) return 0;
  const Comparator* ucmp = icmp_->user_comparator();
  int max_level = std::min(options_.max_mem_compact_level, kNumLevels - 1);
  while (level < max_level) {
    int next = level + 1;
    if (v.OverlapInLevel(next, smallest_user_key, largest_user_key)) break;
    // A running compaction writing into `next` over this range would put
    // older data above (or beside) the new table.
    if (running.OutputOverlaps(ucmp, next, smallest_user_key,
                               largest_user_key)) {
      break;
    }
    if (next + 1 < kNumLevels) {
      FileList grandparents;
      GetOverlappingInputs(v, next + 1, &smallest_user_key, &largest_user_key,
                           &grandparents);
      uint64_t bytes = 0;
      for (const auto& f : grandparents) bytes += f->file_size;
      if (bytes > MaxGrandparentOverlapBytes()) break;
    }
    level = next;
  }
  return level;
}

}  // namespace shale
