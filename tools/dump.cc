// `shale dump FILE`: every on-disk file kind in readable form.
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include "db/dbformat.h"
#include "db/filename.h"
#include "db/log_format.h"
#include "db/log_reader.h"
#include "db/stored_value.h"
#include "db/version_edit.h"
#include "db/write_batch_internal.h"
#include "shale/db.h"
#include "table/table.h"
#include "tools/commands.h"
#include "tools/escape.h"
#include "util/checksum.h"
#include "util/coding.h"
#include "vlog/vlog_format.h"

namespace shale::tools {
namespace {

class PrintingReporter : public log::Reader::Reporter {
 public:
  void Corruption(size_t bytes, const Status& s) override {
    std::printf("# corruption (%zu bytes): %s\n", bytes, s.ToString().c_str());
  }
  void TailDropped(uint64_t offset, uint64_t bytes) override {
    std::printf("# torn tail dropped at offset %" PRIu64 ", %" PRIu64
                " bytes\n",
                offset, bytes);
  }
};

// The number a WAL's fragments carry: its file name's, or, for a WAL under
// another name, the one in its first fragment's header.
uint64_t WalNumber(const std::string& path) {
  uint64_t number = 0;
  FileType type;
  if (ParseFileName(path.substr(path.rfind('/') + 1), &number, &type) &&
      type == FileType::kLogFile) {
    return number;
  }
  std::unique_ptr<SequentialFile> file;
  char scratch[log::kRecyclableHeaderSize];
  std::string_view header;
  if (Env::Default()->NewSequentialFile(path, &file).ok() &&
      file->Read(sizeof(scratch), &header, scratch).ok() &&
      header.size() == sizeof(scratch) &&
      log::IsRecyclable(static_cast<uint8_t>(header[6]))) {
    return DecodeFixed32(header.data() + log::kHeaderSize);
  }
  return number;
}

// Reads every record of a log file, calling fn with each. Best effort: a
// damaged span is reported and skipped. log_number: a WAL's number, or
// nullopt for the MANIFEST.
int ForEachRecord(const std::string& path, std::optional<uint64_t> log_number,
                  const std::function<void(std::string_view)>& fn) {
  std::unique_ptr<SequentialFile> file;
  Status s = Env::Default()->NewSequentialFile(path, &file);
  if (!s.ok()) {
    std::fprintf(stderr, "shale: %s\n", s.ToString().c_str());
    return 2;
  }
  PrintingReporter reporter;
  log::Reader reader(file.get(), &reporter, path,
                     WalRecoveryMode::kSkipAnyCorruptedRecords, log_number);
  std::string scratch;
  std::string_view record;
  while (reader.ReadRecord(&record, &scratch)) fn(record);
  if (!reader.status().ok()) {
    std::printf("# %s\n", reader.status().ToString().c_str());
    return 2;
  }
  return 0;
}

class BatchPrinter : public WriteBatch::Handler {
 public:
  explicit BatchPrinter(SequenceNumber seq) : seq_(seq) {}
  void Put(std::string_view key, std::string_view value,
           uint64_t expire_at_ms) override {
    std::printf("  %" PRIu64 " PUT %s => %s", seq_++, Escape(key).c_str(),
                Escape(Truncated(value)).c_str());
    if (expire_at_ms) std::printf(" (expires at %" PRIu64 " ms)", expire_at_ms);
    std::printf("\n");
  }
  void Delete(std::string_view key) override {
    std::printf("  %" PRIu64 " DELETE %s\n", seq_++, Escape(key).c_str());
  }
  static std::string_view Truncated(std::string_view v) {
    return v.size() > 200 ? v.substr(0, 200) : v;
  }

 private:
  SequenceNumber seq_;
};

int DumpWal(const std::string& path) {
  uint64_t offset_records = 0;
  return ForEachRecord(path, WalNumber(path), [&](std::string_view record) {
    WriteBatch batch;
    Status s = WriteBatchInternal::SetContents(&batch, record);
    if (!s.ok()) {
      std::printf("record %" PRIu64 ": %s\n", offset_records++,
                  s.ToString().c_str());
      return;
    }
    SequenceNumber seq = WriteBatchInternal::Sequence(&batch);
    const uint32_t count = WriteBatchInternal::Count(&batch);
    if (count == 0) {
      // docs/format/wal.md, section 4.
      std::printf("record %" PRIu64 ": start marker, first sequence %" PRIu64
                  ", %zu bytes\n",
                  offset_records++, seq, record.size());
      return;
    }
    std::printf("record %" PRIu64 ": sequence %" PRIu64 ", %u ops, %zu bytes\n",
                offset_records++, seq, count, record.size());
    BatchPrinter printer(seq);
    s = batch.Iterate(&printer);
    if (!s.ok()) std::printf("  # %s\n", s.ToString().c_str());
  });
}

int DumpManifest(const std::string& path) {
  uint64_t n = 0;
  return ForEachRecord(path, std::nullopt, [&](std::string_view record) {
    std::vector<VersionEdit> group;
    Status s = DecodeEditGroup(record, &group);
    if (!s.ok()) {
      std::printf("group %" PRIu64 ": %s\n", n++, s.ToString().c_str());
      return;
    }
    std::printf("group %" PRIu64 ": %zu edit(s)\n", n++, group.size());
    for (const VersionEdit& edit : group) {
      std::printf("%s", edit.DebugString().c_str());
    }
  });
}

const char* TypeName(ValueType t) {
  switch (t) {
    case kTypeDeletion:
      return "DEL";
    case kTypeValue:
      return "PUT";
    case kTypeValueWithExpiry:
      return "PUT-EXPIRING";
    case kTypeBlobIndex:
      return "PUT-VLOG";
    case kTypeBlobIndexWithExpiry:
      return "PUT-VLOG-EXPIRING";
  }
  return "?";
}

int DumpTable(const std::string& path) {
  Env* env = Env::Default();
  uint64_t size = 0;
  Status s = env->GetFileSize(path, &size);
  std::unique_ptr<RandomAccessFile> file;
  if (s.ok()) s = env->NewRandomAccessFile(path, &file);
  static const InternalKeyComparator icmp(BytewiseComparator());
  TableOptions options;
  options.comparator = &icmp;
  std::unique_ptr<Table> table;
  if (s.ok()) s = Table::Open(options, path, std::move(file), size, &table);
  if (!s.ok()) {
    std::fprintf(stderr, "shale: %s\n", s.ToString().c_str());
    return 2;
  }
  const TableProperties& p = table->properties();
  std::printf("table %s: %" PRIu64 " bytes\n", path.c_str(), size);
  std::printf("  entries %" PRIu64 " (deletions %" PRIu64
              "), data blocks %" PRIu64 "\n  raw key bytes %" PRIu64
              ", raw value bytes %" PRIu64 "\n  data %" PRIu64
              " bytes, index %" PRIu64 " bytes, filter %" PRIu64
              " bytes\n  sequences %" PRIu64 "..%" PRIu64 ", comparator %s\n",
              p.num_entries, p.num_deletions, p.num_data_blocks, p.raw_key_size,
              p.raw_value_size, p.data_size, p.index_size, p.filter_size,
              p.smallest_seqno, p.largest_seqno, p.comparator_name.c_str());
  ReadOptions ro;
  ro.fill_cache = false;
  auto iter = table->NewIterator(ro);
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    ParsedInternalKey k;
    if (!ParseInternalKey(iter->key(), &k)) {
      std::printf("  <bad internal key %s>\n", Escape(iter->key()).c_str());
      continue;
    }
    std::string_view value = iter->value();
    std::string expiry;
    StoredValue stored;
    if (k.type != kTypeDeletion && stored.Parse(k.type, value)) {
      if (stored.has_expiry) {
        expiry = " (expires at " + std::to_string(stored.expire_at_ms) + " ms)";
      }
      value = stored.payload;
    }
    std::string pointer_text;
    if (IsBlobIndex(k.type)) {
      ValuePointer ptr;
      pointer_text = ptr.DecodeFrom(value)
                         ? "vlog " + std::to_string(ptr.file_number) +
                               " offset " + std::to_string(ptr.offset) +
                               " size " + std::to_string(ptr.value_size)
                         : "<bad value pointer>";
      value = pointer_text;
    }
    std::printf("  %s @ %" PRIu64 " %s => %s%s\n", Escape(k.user_key).c_str(),
                k.sequence, TypeName(k.type),
                Escape(BatchPrinter::Truncated(value)).c_str(), expiry.c_str());
  }
  if (!iter->status().ok()) {
    std::printf("# %s\n", iter->status().ToString().c_str());
    return 2;
  }
  return 0;
}

// A short escaped prefix of a value, for one-line listings.
std::string ValuePreview(std::string_view value) {
  constexpr size_t kPreview = 32;
  std::string r = "\"" + Escape(value.substr(0, kPreview)) + "\"";
  if (value.size() > kPreview) r += "...";
  return r;
}

// Prints a vlog file record by record. Best effort: a record that fails its
// checksum is reported and the walk goes on; a length that cannot be right
// (past the end of the records, or past the format's limits) ends it, since
// the next record's offset is then unknown.
int DumpVlog(const std::string& path) {
  Env* env = Env::Default();
  uint64_t size = 0;
  Status s = env->GetFileSize(path, &size);
  std::unique_ptr<RandomAccessFile> file;
  if (s.ok()) s = env->NewRandomAccessFile(path, &file);
  if (!s.ok()) {
    std::fprintf(stderr, "shale: %s\n", s.ToString().c_str());
    return 2;
  }
  std::string scratch;
  auto read = [&](uint64_t offset, size_t n, std::string_view* out) {
    scratch.resize(n);
    Status r = file->Read(offset, n, out, scratch.data());
    if (r.ok() && out->size() != n) {
      r = Status::Corruption(path,
                             "short read at offset " + std::to_string(offset));
    }
    return r;
  };
  bool damaged = false;
  std::printf("vlog %s: %" PRIu64 " bytes\n", path.c_str(), size);

  std::string_view header;
  s = read(0, kVlogHeaderSize, &header);
  if (s.ok()) s = CheckVlogHeader(header, path);
  if (!s.ok()) {
    std::printf("# header: %s\n", s.ToString().c_str());
    // The caller named the kind: read on, a damaged header may be all.
    damaged = true;
  } else {
    std::printf("header: version %u\n", DecodeFixed32(header.data() + 8));
  }

  // Records end where a valid footer starts; without one (an unfinished or
  // damaged file) they may run to the end of the file.
  VlogFooter footer;
  bool have_footer = false;
  uint64_t end = size;
  if (size >= kVlogHeaderSize + kVlogFooterSize) {
    std::string_view tail;
    s = read(size - kVlogFooterSize, kVlogFooterSize, &tail);
    if (s.ok()) s = DecodeVlogFooter(tail, path, &footer);
    if (s.ok()) {
      have_footer = true;
      end = size - kVlogFooterSize;
    } else {
      std::printf("# footer: %s\n", s.ToString().c_str());
      damaged = true;
    }
  } else {
    std::printf("# no room for a footer\n");
    damaged = true;
  }

  uint64_t records = 0, data_bytes = 0, bad_records = 0;
  uint64_t offset = kVlogHeaderSize;
  while (offset < end) {
    std::string_view rec;
    if (end - offset < kVlogRecordHeaderSize) {
      std::printf("# offset %" PRIu64 ": %" PRIu64
                  " bytes left, too few for a record header\n",
                  offset, end - offset);
      damaged = true;
      break;
    }
    s = read(offset, kVlogRecordHeaderSize, &rec);
    if (!s.ok()) {
      std::printf("# offset %" PRIu64 ": %s\n", offset, s.ToString().c_str());
      damaged = true;
      break;
    }
    const uint32_t key_size = DecodeFixed32(rec.data() + 4);
    const uint32_t value_size = DecodeFixed32(rec.data() + 8);
    const uint64_t rec_size =
        uint64_t{kVlogRecordHeaderSize} + key_size + value_size;
    if (key_size > kVlogMaxKeySize || value_size > kVlogMaxValueSize ||
        rec_size > end - offset) {
      if (!have_footer && end - offset == kVlogFooterSize) {
        std::printf("# offset %" PRIu64
                    ": no record; the last %zu bytes, where the footer "
                    "belongs\n",
                    offset, kVlogFooterSize);
        break;
      }
      std::printf("# offset %" PRIu64 ": unreadable lengths (key %" PRIu32
                  ", value %" PRIu32 " bytes); stopping\n",
                  offset, key_size, value_size);
      damaged = true;
      break;
    }
    s = read(offset, rec_size, &rec);
    if (!s.ok()) {
      std::printf("# offset %" PRIu64 ": %s\n", offset, s.ToString().c_str());
      damaged = true;
      break;
    }
    const bool good = UnmaskChecksum(DecodeFixed32(rec.data())) ==
                      Checksum(rec.data() + 4, rec.size() - 4);
    std::string_view key = rec.substr(kVlogRecordHeaderSize, key_size);
    std::string_view value =
        rec.substr(kVlogRecordHeaderSize + key_size, value_size);
    std::printf("  offset %" PRIu64 ": key %s, value %" PRIu32 " bytes %s%s\n",
                offset, Escape(key).c_str(), value_size,
                ValuePreview(value).c_str(),
                good ? "" : "  # checksum mismatch");
    if (!good) bad_records++;
    records++;
    data_bytes += rec_size;
    offset += rec_size;
  }
  if (bad_records > 0) {
    std::printf("# %" PRIu64 " record(s) fail their checksum\n", bad_records);
    damaged = true;
  }
  if (have_footer) {
    const bool match =
        footer.records == records && footer.data_bytes == data_bytes;
    std::printf("footer: %" PRIu64 " records, %" PRIu64 " data bytes: %s",
                footer.records, footer.data_bytes,
                match ? "matches the records\n" : "DOES NOT MATCH");
    if (!match) {
      std::printf(" (found %" PRIu64 " records, %" PRIu64 " bytes)\n", records,
                  data_bytes);
      damaged = true;
    }
  } else {
    std::printf("found %" PRIu64 " records, %" PRIu64 " data bytes\n", records,
                data_bytes);
  }
  return damaged ? 2 : 0;
}

}  // namespace

int CmdDump(const std::string& path, const std::string& type) {
  std::string kind = type;
  if (kind.empty()) {
    std::string name = path.substr(path.rfind('/') + 1);
    uint64_t number;
    FileType ft;
    if (ParseFileName(name, &number, &ft)) {
      if (ft == FileType::kLogFile) kind = "wal";
      if (ft == FileType::kTableFile) kind = "sst";
      if (ft == FileType::kDescriptorFile) kind = "manifest";
      if (ft == FileType::kVlogFile) kind = "vlog";
    }
  }
  if (kind == "wal" || kind == "log") return DumpWal(path);
  if (kind == "sst" || kind == "table") return DumpTable(path);
  if (kind == "manifest") return DumpManifest(path);
  if (kind == "vlog") return DumpVlog(path);
  std::fprintf(
      stderr,
      "shale: cannot tell the kind of %s; pass --type wal|sst|manifest|vlog\n",
      path.c_str());
  return 2;
}

}  // namespace shale::tools
