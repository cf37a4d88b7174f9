#include "server/keyspace/data_dir.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <system_error>

#include "server/keyspace/db_table.h"
#include "server/keyspace/key_codec.h"
#include "server/keyspace/legacy_value.h"
#include "server/keyspace/meta_codec.h"

namespace shale::server {
namespace fs = std::filesystem;
namespace {

constexpr size_t kBatchKeys = 1000;
constexpr size_t kBatchBytes = 4u << 20;

// The names of the files an engine DB keeps in its directory
// (docs/format/: CURRENT, LOCK, LOG, MANIFEST-n, n.log, n.sst, n.vlog,
// n.dbtmp).
bool IsEngineFile(const std::string& name) {
  if (name == "CURRENT" || name == "LOCK" || name == "LOG" ||
      name == "LOG.old") {
    return true;
  }
  std::string_view rest = name;
  if (rest.starts_with("MANIFEST-")) rest.remove_prefix(9);
  size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
    digits++;
  }
  if (digits == 0) return false;
  std::string_view suffix = rest.substr(digits);
  if (name.starts_with("MANIFEST-")) return suffix.empty();
  return suffix == ".log" || suffix == ".sst" || suffix == ".vlog" ||
         suffix == ".dbtmp";
}

uint64_t NowMicros() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

Status IoError(const std::string& what, const std::error_code& ec) {
  return Status::IOError(what + ": " + ec.message());
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::IOError("open " + dir);
  int r = ::fsync(fd);
  ::close(fd);
  return r == 0 ? Status::OK() : Status::IOError("fsync " + dir);
}

// Step 4: deletes the legacy engine files from dir, CURRENT first (a
// directory without CURRENT is no longer taken for a legacy one).
Status RemoveLegacyFiles(const std::string& dir) {
  std::error_code ec;
  fs::remove(fs::path(dir) / "CURRENT", ec);
  if (ec) return IoError("remove legacy CURRENT", ec);
  Status s = SyncDir(dir);
  if (!s.ok()) return s;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && IsEngineFile(name)) {
      fs::remove(e.path(), ec);
      if (ec) return IoError("remove legacy " + name, ec);
    }
  }
  if (ec) return IoError("list " + dir, ec);
  return Status::OK();
}

// Steps 1-2: copies the legacy DB in dir into the DB at tmp, after the last
// key tmp already holds.
Status CopyLegacy(const std::string& dir, const std::string& tmp,
                  const Options& options, MigrationStats* stats,
                  uint64_t kill_after_keys) {
  std::unique_ptr<DB> legacy, out;
  Options lo = options;
  lo.create_if_missing = false;
  Status s = DB::Open(lo, dir, &legacy);
  if (!s.ok()) return s;
  s = DB::Open(options, tmp, &out);
  if (!s.ok()) return s;
  DbTable table;
  s = table.Load(out.get(), 1, WriteOptions());
  if (!s.ok()) return s;
  const uint32_t ns = table.Ns(0);

  // The last key of database 0 already copied: the copy resumes after it.
  std::string resume;
  bool resuming = false;
  {
    std::string upper = MetaUpperBound(ns);
    std::string_view upper_view = upper;
    ReadOptions ro;
    ro.iterate_upper_bound = &upper_view;
    auto it = out->NewIterator(ro);
    it->SeekToLast();
    uint32_t got_ns;
    std::string_view key;
    if (it->Valid() && ParseMetaKey(it->key(), &got_ns, &key) && got_ns == ns) {
      resume.assign(key);
      resuming = true;
    }
    if (!it->status().ok()) return it->status();
  }
  if (stats != nullptr) stats->resumed = resuming;
  if (resuming) {
    spdlog::info("migration: resuming after {} bytes of key", resume.size());
  }

  ReadOptions ro;
  ro.fill_cache = false;
  auto it = legacy->NewIterator(ro);
  if (resuming) {
    it->Seek(resume);
    if (it->Valid() && it->key() == resume) it->Next();
  } else {
    it->SeekToFirst();
  }
  WriteBatch batch;
  std::string ekey, value;
  uint64_t cas = NowMicros();
  uint64_t copied = 0;
  size_t in_batch = 0;
  const uint64_t now_ms = cas / 1000;
  for (; it->Valid(); it->Next()) {
    LegacyMeta lm;
    std::string_view payload;
    DecodeLegacyValue(it->value(), &lm, &payload);
    if (lm.expire_at_ms != 0 && lm.expire_at_ms <= now_ms) continue;
    ValueMeta meta;
    meta.cas = lm.cas != 0 ? lm.cas : cas++;
    meta.flags = lm.flags;
    meta.expire_at_ms = lm.expire_at_ms;
    ekey.clear();
    AppendMetaKey(&ekey, ns, it->key());
    value.clear();
    EncodeStringMeta(meta, payload, &value);
    batch.Put(ekey, value, EngineExpiry(meta.expire_at_ms));
    if (meta.expire_at_ms != 0) {
      ekey.clear();
      AppendExpiryKey(&ekey, meta.expire_at_ms, ns, it->key());
      batch.Put(ekey, {});
    }
    copied++;
    if (++in_batch >= kBatchKeys || batch.ApproximateSize() >= kBatchBytes) {
      s = out->Write(WriteOptions(), &batch);
      if (!s.ok()) return s;
      batch.Clear();
      in_batch = 0;
    }
    if (kill_after_keys != 0 && copied >= kill_after_keys) {
      // A kill -9 with a batch half built: what was written is a prefix.
      ::raise(SIGKILL);
    }
  }
  if (!it->status().ok()) return it->status();
  if (batch.Count() > 0) {
    s = out->Write(WriteOptions(), &batch);
    if (!s.ok()) return s;
  }
  if (stats != nullptr) stats->keys = copied;
  s = out->SyncWAL();
  if (s.ok()) s = out->Flush();
  return s;
}

}  // namespace

std::string EngineDir(const std::string& dir) {
  return (fs::path(dir) / "db").string();
}

Status OpenDataDir(const std::string& dir, const Options& options,
                   std::unique_ptr<DB>* db, MigrationStats* stats,
                   uint64_t kill_after_keys) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return IoError("create " + dir, ec);
  const std::string engine = EngineDir(dir);
  const std::string tmp = (fs::path(dir) / "db.migrating").string();
  Options o = options;
  o.create_if_missing = true;
  bool has_db = fs::exists(engine, ec);
  bool legacy = fs::exists(fs::path(dir) / "CURRENT", ec);
  if (legacy && !has_db) {
    if (stats != nullptr) stats->migrated = true;
    spdlog::info("migrating the legacy data directory {} into {}", dir, engine);
    // No compaction filter on either side: the legacy keys are not in the
    // server's encoding, and the copy has no table to judge by.
    Options mo = o;
    mo.compaction_filter = nullptr;
    Status s = CopyLegacy(dir, tmp, mo, stats, kill_after_keys);
    if (!s.ok()) return Status::IOError("migration: " + s.ToString());
    s = SyncDir(tmp);
    if (!s.ok()) return s;
    fs::rename(tmp, engine, ec);
    if (ec) return IoError("rename " + tmp, ec);
    s = SyncDir(dir);
    if (!s.ok()) return s;
    has_db = true;
  }
  if (legacy) {
    // After the rename (this run's or an interrupted one's).
    Status s = RemoveLegacyFiles(dir);
    if (!s.ok()) return s;
    spdlog::info("migration of {} complete", dir);
  }
  return DB::Open(o, engine, db);
}

}  // namespace shale::server
