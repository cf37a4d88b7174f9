// `shale check --db DIR`: verifies a DB's files against each other.
//
// 1. Opens the DB (paranoid checks), which takes its LOCK: nothing else can
//    change the files while the check runs. Waits for background work the
//    open started, then reads every live key with checksums verified.
// 2. Rebuilds the MANIFEST's view on its own (CURRENT -> MANIFEST, the edit
//    groups replayed as recovery would, only the bookkeeping): the live
//    tables and the live vlogs with their record and garbage byte counts.
// 3. Checks each live vlog's size, header and footer against the MANIFEST.
// 4. Reads every entry of every live table (old versions included), and
//    for each value pointer reads and verifies the record it names, adding
//    its size to the vlog's referenced bytes. The per-vlog bytes each table
//    references must equal the MANIFEST's record of them (the GC picker's
//    index).
// 5. Recounts each vlog's garbage as data - referenced and compares it with
//    the MANIFEST's count.
// Exit: 0 when all of this holds, 1 when anything is damaged (each problem
// printed), 2 when the DB cannot be opened or its MANIFEST read.
#include <cinttypes>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/dbformat.h"
#include "db/filename.h"
#include "db/log_reader.h"
#include "db/stored_value.h"
#include "db/version_edit.h"
#include "shale/db.h"
#include "shale/env.h"
#include "table/table.h"
#include "tools/commands.h"
#include "tools/escape.h"
#include "vlog/vlog_format.h"
#include "vlog/vlog_reader.h"

namespace shale::tools {
namespace {

// Problems are printed as they are found, up to a limit, and counted.
class Findings {
 public:
  void Damage(const std::string& what) {
    if (count_ < kMaxPrinted) std::printf("DAMAGED: %s\n", what.c_str());
    count_++;
  }
  uint64_t count() const { return count_; }
  void PrintOmitted() const {
    if (count_ > kMaxPrinted) {
      std::printf("... and %" PRIu64 " more problems\n", count_ - kMaxPrinted);
    }
  }

 private:
  static constexpr uint64_t kMaxPrinted = 100;
  uint64_t count_ = 0;
};

// What the MANIFEST says is live.
struct ManifestView {
  uint64_t manifest_number = 0;
  uint64_t manifest_size = 0;
  std::map<std::pair<int, uint64_t>, FileMetaData> tables;  // (level,
                                                            //  number)
  std::map<uint64_t, VlogFileMeta> vlogs;
};

// Applies one edit's file bookkeeping as VersionSet's builder does: table
// deletions then additions, then new vlogs, garbage, vlog deletions.
Status ApplyEdit(const VersionEdit& edit, ManifestView* view) {
  for (const auto& key : edit.deleted_files()) view->tables.erase(key);
  for (const auto& [level, meta] : edit.new_files()) {
    view->tables[{level, meta.number}] = meta;
  }
  for (const VlogFileMeta& f : edit.new_vlog_files()) {
    if (!view->vlogs.emplace(f.number, f).second) {
      return Status::Corruption("adds vlog " + std::to_string(f.number) +
                                " twice");
    }
  }
  for (const auto& [number, bytes] : edit.vlog_garbage()) {
    auto it = view->vlogs.find(number);
    if (it == view->vlogs.end()) {
      return Status::Corruption("counts garbage in unknown vlog " +
                                std::to_string(number));
    }
    it->second.garbage_bytes += bytes;
    if (it->second.garbage_bytes > it->second.data_bytes) {
      return Status::Corruption("vlog " + std::to_string(number) +
                                " has more garbage than data");
    }
  }
  for (uint64_t number : edit.deleted_vlog_files()) view->vlogs.erase(number);
  return Status::OK();
}

Status ReadManifestView(Env* env, const std::string& dir, ManifestView* view) {
  Status s = ReadCurrentFile(env, dir, &view->manifest_number);
  if (!s.ok()) return s;
  const std::string path = DescriptorFileName(dir, view->manifest_number);
  s = env->GetFileSize(path, &view->manifest_size);
  std::unique_ptr<SequentialFile> file;
  if (s.ok()) s = env->NewSequentialFile(path, &file);
  if (!s.ok()) return s;
  log::Reader reader(file.get(), nullptr, path,
                     WalRecoveryMode::kAbsoluteConsistency);
  std::string_view record;
  std::string scratch;
  while (reader.ReadRecord(&record, &scratch)) {
    std::vector<VersionEdit> group;
    s = DecodeEditGroup(record, &group);
    for (size_t i = 0; s.ok() && i < group.size(); i++) {
      s = ApplyEdit(group[i], view);
    }
    if (!s.ok()) return Status::Corruption(path, s.ToString());
  }
  return reader.status();
}

std::string KeyText(const ParsedInternalKey& k) {
  constexpr size_t kMax = 64;
  std::string r = Escape(k.user_key.substr(0, kMax));
  if (k.user_key.size() > kMax) r += "...";
  return "key \"" + r + "\" @ " + std::to_string(k.sequence);
}

// "1 table", "2 tables".
std::string Count(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string FileNameOnly(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

// Per live vlog: its file size and what the tables point to.
struct VlogTally {
  uint64_t file_size = 0;
  bool readable = false;  // the file exists and its size is known
  uint64_t pointers = 0;
  uint64_t referenced_bytes = 0;
};

// Step 3: size, header and footer of every live vlog.
void CheckVlogFiles(Env* env, const std::string& dir, const ManifestView& view,
                    std::map<uint64_t, VlogTally>* tallies, Findings* f) {
  for (const auto& [number, meta] : view.vlogs) {
    const std::string path = VlogFileName(dir, number);
    const std::string name = FileNameOnly(path);
    VlogTally& t = (*tallies)[number];
    Status s = env->GetFileSize(path, &t.file_size);
    std::unique_ptr<RandomAccessFile> file;
    if (s.ok()) s = env->NewRandomAccessFile(path, &file);
    if (!s.ok()) {
      f->Damage(name + ": " + s.ToString());
      continue;
    }
    t.readable = true;
    const uint64_t expected =
        kVlogHeaderSize + meta.data_bytes + kVlogFooterSize;
    if (t.file_size != expected) {
      f->Damage(name + ": " + std::to_string(t.file_size) +
                " bytes, the MANIFEST's counts imply " +
                std::to_string(expected));
    }
    std::string scratch(kVlogFooterSize, '\0');
    std::string_view got;
    s = file->Read(0, kVlogHeaderSize, &got, scratch.data());
    if (s.ok()) s = CheckVlogHeader(got, path);
    if (!s.ok()) f->Damage(name + ": " + s.ToString());
    if (t.file_size < kVlogHeaderSize + kVlogFooterSize) continue;
    s = file->Read(t.file_size - kVlogFooterSize, kVlogFooterSize, &got,
                   scratch.data());
    VlogFooter footer;
    if (s.ok()) s = DecodeVlogFooter(got, path, &footer);
    if (!s.ok()) {
      f->Damage(name + ": " + s.ToString());
    } else if (footer.records != meta.records ||
               footer.data_bytes != meta.data_bytes) {
      f->Damage(name + ": footer says " + std::to_string(footer.records) +
                " records, " + std::to_string(footer.data_bytes) +
                " bytes; the MANIFEST " + std::to_string(meta.records) +
                " records, " + std::to_string(meta.data_bytes) + " bytes");
    }
  }
}

struct TableTotals {
  uint64_t tables = 0;
  uint64_t entries = 0;
  uint64_t pointers = 0;
};

// Step 4 for one table.
void CheckTable(Env* env, const std::string& dir, int level,
                const FileMetaData& meta, VlogReader* vlogs,
                std::map<uint64_t, VlogTally>* tallies, TableTotals* totals,
                Findings* f) {
  static const InternalKeyComparator icmp(BytewiseComparator());
  const std::string path = TableFileName(dir, meta.number);
  const uint64_t manifest_size = meta.file_size;
  const std::string name = FileNameOnly(path);
  uint64_t size = 0;
  Status s = env->GetFileSize(path, &size);
  if (s.ok() && size != manifest_size) {
    f->Damage(name + " (level " + std::to_string(level) +
              "): " + std::to_string(size) + " bytes, the MANIFEST says " +
              std::to_string(manifest_size));
  }
  std::unique_ptr<RandomAccessFile> file;
  if (s.ok()) s = env->NewRandomAccessFile(path, &file);
  TableOptions options;
  options.comparator = &icmp;
  std::unique_ptr<Table> table;
  if (s.ok()) s = Table::Open(options, path, std::move(file), size, &table);
  if (!s.ok()) {
    f->Damage(name + ": " + s.ToString());
    return;
  }
  totals->tables++;
  ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  VlogReadahead readahead;
  std::string value;
  std::map<uint64_t, uint64_t> refs;  // vlog -> bytes this table references
  auto iter = table->NewIterator(ro);
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    totals->entries++;
    ParsedInternalKey k;
    if (!ParseInternalKey(iter->key(), &k)) {
      f->Damage(name + ": bad internal key " + Escape(iter->key()));
      continue;
    }
    if (!IsBlobIndex(k.type)) continue;
    StoredValue stored;
    if (!stored.Parse(k.type, iter->value())) {
      f->Damage(name + ": " + KeyText(k) + ": expiring value too short");
      continue;
    }
    ValuePointer ptr;
    if (!stored.DecodePointer(&ptr)) {
      f->Damage(name + ": " + KeyText(k) + ": bad value pointer");
      continue;
    }
    totals->pointers++;
    const std::string where = name + ": " + KeyText(k) + " -> " +
                              FileNameOnly(VlogFileName(dir, ptr.file_number)) +
                              " offset " + std::to_string(ptr.offset);
    auto it = tallies->find(ptr.file_number);
    if (it == tallies->end()) {
      f->Damage(where + ": the MANIFEST lists no such vlog");
      continue;
    }
    VlogTally& t = it->second;
    const uint64_t record_size = ptr.RecordSize(k.user_key.size());
    refs[ptr.file_number] += record_size;
    t.pointers++;
    t.referenced_bytes += record_size;
    if (!t.readable) continue;  // already reported
    if (ptr.offset < kVlogHeaderSize ||
        t.file_size < kVlogHeaderSize + kVlogFooterSize ||
        record_size > t.file_size - kVlogFooterSize - ptr.offset) {
      f->Damage(where + ": the record (" + std::to_string(record_size) +
                " bytes) lies outside the file's records");
      continue;
    }
    s = vlogs->Read(ptr, k.user_key, &value, &readahead);
    if (!s.ok()) f->Damage(where + ": " + s.ToString());
  }
  if (!iter->status().ok()) {
    f->Damage(name + ": " + iter->status().ToString());
    return;
  }
  if (refs != meta.vlog_refs) {
    std::string what = name + ": the MANIFEST records its vlog references as";
    for (const auto& [vlog, bytes] : meta.vlog_refs) {
      what += " " + std::to_string(vlog) + ":" + std::to_string(bytes);
    }
    what += "; its pointers reference";
    for (const auto& [vlog, bytes] : refs) {
      what += " " + std::to_string(vlog) + ":" + std::to_string(bytes);
    }
    f->Damage(what);
  }
}

int Fail(const Status& s) {
  std::fprintf(stderr, "shale: %s\n", s.ToString().c_str());
  return 2;
}

}  // namespace

int CmdCheck(const std::string& dir) {
  Env* env = Env::Default();
  Options options;
  options.paranoid_checks = true;
  std::unique_ptr<DB> db;
  Status s = DB::Open(options, dir, &db);
  if (!s.ok()) return Fail(s);
  Findings findings;

  // Let the work the open scheduled (a flush of the recovered WAL, a
  // compaction) finish: afterwards nothing changes the files, since this
  // process is the only writer and writes nothing.
  s = db->WaitForCompactions();
  if (!s.ok()) findings.Damage("background work: " + s.ToString());

  // 1. Every live key and value through the DB's own read path.
  ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  uint64_t keys = 0;
  {
    auto iter = db->NewIterator(ro);
    for (iter->SeekToFirst(); iter->Valid(); iter->Next()) keys++;
    if (!iter->status().ok()) {
      findings.Damage("scan after " + std::to_string(keys) +
                      " keys: " + iter->status().ToString());
    }
  }

  // 2. The MANIFEST's view, read while the DB (and its lock) stays open.
  ManifestView view;
  s = ReadManifestView(env, dir, &view);
  if (!s.ok()) return Fail(s);

  // 3 and 4.
  std::map<uint64_t, VlogTally> tallies;
  CheckVlogFiles(env, dir, view, &tallies, &findings);
  VlogReader vlogs(dir, env, 16);
  TableTotals totals;
  for (const auto& [key, meta] : view.tables) {
    CheckTable(env, dir, key.first, meta, &vlogs, &tallies, &totals, &findings);
  }

  // 5. Garbage recount.
  for (const auto& [number, meta] : view.vlogs) {
    const VlogTally& t = tallies[number];
    const std::string name = FileNameOnly(VlogFileName(dir, number));
    std::string recount = "?";
    bool match = false;
    if (t.referenced_bytes <= meta.data_bytes) {
      const uint64_t garbage = meta.data_bytes - t.referenced_bytes;
      recount = std::to_string(garbage);
      match = garbage == meta.garbage_bytes;
    }
    std::printf(
        "vlog %s: %s, data %" PRIu64 " bytes, %s; garbage per MANIFEST %" PRIu64
        ", by recount %s: %s\n",
        name.c_str(), Count(meta.records, "record", "records").c_str(),
        meta.data_bytes, Count(t.pointers, "pointer", "pointers").c_str(),
        meta.garbage_bytes, recount.c_str(), match ? "match" : "MISMATCH");
    if (!match) {
      findings.Damage(name + ": garbage " + std::to_string(meta.garbage_bytes) +
                      " per MANIFEST, but live tables point to " +
                      std::to_string(t.referenced_bytes) + " of its " +
                      std::to_string(meta.data_bytes) + " data bytes");
    }
  }

  // The files must not have moved under the check.
  ManifestView after;
  s = ReadManifestView(env, dir, &after);
  if (s.ok() && (after.manifest_number != view.manifest_number ||
                 after.manifest_size != view.manifest_size)) {
    s = Status::Busy("the MANIFEST changed during the check; run it again");
  }
  if (!s.ok()) return Fail(s);
  db.reset();

  findings.PrintOmitted();
  if (findings.count() > 0) {
    std::printf("FAILED: %" PRIu64 " problem(s) found\n", findings.count());
    return 1;
  }
  std::printf(
      "OK: %s; %s, %s, every block checksum verified; %s into %s resolved; "
      "garbage counts match\n",
      Count(keys, "live key", "live keys").c_str(),
      Count(totals.tables, "table", "tables").c_str(),
      Count(totals.entries, "entry", "entries").c_str(),
      Count(totals.pointers, "value pointer", "value pointers").c_str(),
      Count(view.vlogs.size(), "vlog", "vlogs").c_str());
  return 0;
}

}  // namespace shale::tools
