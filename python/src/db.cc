// shale.DB: plyvel's DB (open with its keyword arguments, get, put, delete,
// write_batch, iterator, raw_iterator, snapshot, get_property,
// compact_range, close) plus shale's own calls: db[key], per-write expiry,
// multi_get, flush, checkpoint, stats and properties as dicts.
#include <map>
#include <optional>

#include "python/src/binding.h"

namespace shale::python {

namespace {

struct PyDb {
  std::shared_ptr<DbState> state;
};

// plyvel's names of the compressions, and shale's.
CompressionType ParseCompression(py::handle compression) {
  if (compression.is_none()) return CompressionType::kNone;
  std::string name = py::str(compression);
  if (name == "snappy") return CompressionType::kSnappy;
  if (name == "lz4") return CompressionType::kLZ4;
  if (name == "zstd") return CompressionType::kZstd;
  throw py::value_error(
      "'compression' must be None, 'snappy', 'lz4' or 'zstd'");
}

std::string FsPath(py::handle name) {
  PyObject* converted = nullptr;
  if (PyUnicode_FSConverter(name.ptr(), &converted) == 0) {
    throw py::error_already_set();
  }
  py::bytes bytes = py::reinterpret_steal<py::bytes>(converted);
  return std::string(bytes);
}

PyDb Open(py::handle name, bool create_if_missing, bool error_if_exists,
          std::optional<bool> paranoid_checks,
          std::optional<size_t> write_buffer_size,
          std::optional<int> max_open_files,
          std::optional<size_t> lru_cache_size,
          std::optional<size_t> block_size,
          std::optional<int> block_restart_interval,
          std::optional<uint64_t> max_file_size, py::handle compression,
          std::optional<int> bloom_filter_bits, py::handle comparator,
          py::handle comparator_name) {
  if (!comparator.is_none() || !comparator_name.is_none()) {
    PyErr_SetString(error_types.not_supported,
                    "Not supported: shale orders keys bytewise only "
                    "(no custom comparators)");
    throw py::error_already_set();
  }
  Options options;
  options.create_if_missing = create_if_missing;
  options.error_if_exists = error_if_exists;
  if (paranoid_checks) options.paranoid_checks = *paranoid_checks;
  if (write_buffer_size) options.write_buffer_size = *write_buffer_size;
  if (max_open_files) options.max_open_files = *max_open_files;
  if (lru_cache_size) options.block_cache_capacity = *lru_cache_size;
  if (block_size) options.block_size = *block_size;
  if (block_restart_interval) {
    options.block_restart_interval = *block_restart_interval;
  }
  if (max_file_size) options.target_file_size = *max_file_size;
  options.compression = ParseCompression(compression);
  if (bloom_filter_bits) options.bloom_bits_per_key = *bloom_filter_bits;
  std::string dir = FsPath(name);
  std::unique_ptr<DB> db;
  Status s;
  {
    py::gil_scoped_release release;
    s = DB::Open(options, dir, &db);
  }
  if (!s.ok()) Raise(s);
  return PyDb{
      std::make_shared<DbState>(std::move(db), std::string(py::str(name)))};
}

void Put(PyDb& self, py::handle key, py::handle value, bool sync,
         uint64_t expire_at_ms) {
  std::string_view k = KeyView(key);
  std::string storage;
  std::string_view v = ValueView(value, &storage);
  WriteOptions options;
  options.sync = sync;
  options.expire_at_ms = expire_at_ms;
  Status s;
  RunOrRaise(*self.state, [&](DB* db) { s = db->Put(options, k, v); });
  if (!s.ok()) Raise(s);
}

void Delete(PyDb& self, py::handle key, bool sync) {
  std::string_view k = KeyView(key);
  WriteOptions options;
  options.sync = sync;
  Status s;
  RunOrRaise(*self.state, [&](DB* db) { s = db->Delete(options, k); });
  if (!s.ok()) Raise(s);
}

py::list MultiGet(PyDb& self, py::handle keys, bool verify_checksums,
                  bool fill_cache) {
  // The list keeps every key object alive while the GIL is released.
  py::list key_objects = py::list(py::reinterpret_borrow<py::object>(keys));
  std::vector<std::string_view> views;
  views.reserve(key_objects.size());
  for (py::handle key : key_objects) views.push_back(KeyView(key));
  std::vector<std::string> values(views.size());
  std::vector<Status> statuses(views.size());
  ReadOptions options = MakeReadOptions(verify_checksums, fill_cache);
  RunOrRaise(*self.state,
             [&](DB* db) { db->MultiGet(options, views, values, statuses); });
  py::list result(views.size());
  for (size_t i = 0; i < views.size(); i++) {
    if (statuses[i].IsNotFound()) {
      result[i] = py::none();
    } else if (!statuses[i].ok()) {
      Raise(statuses[i]);
    } else {
      result[i] = ToBytes(values[i]);
    }
  }
  return result;
}

std::optional<std::string> Property(DbState& state, std::string_view name) {
  bool found = false;
  std::string value;
  RunOrRaise(state, [&](DB* db) { found = db->GetProperty(name, &value); });
  if (!found) return std::nullopt;
  return value;
}

// plyvel takes and returns bytes; str names work too.
py::object GetProperty(PyDb& self, py::handle name) {
  std::string n = PyBytes_Check(name.ptr()) ? std::string(KeyView(name))
                                            : std::string(py::str(name));
  std::optional<std::string> value = Property(*self.state, n);
  if (!value) return py::none();
  return ToBytes(*value);
}

// Every property DB::GetProperty documents (include/shale/db.h), by name.
py::dict Properties(PyDb& self) {
  static const char* const kNames[] = {"shale.stats",
                                       "shale.levelstats",
                                       "shale.total-sst-bytes",
                                       "shale.live-wal-bytes",
                                       "shale.mem-bytes",
                                       "shale.num-immutable-mem-table",
                                       "shale.last-sequence",
                                       "shale.num-snapshots",
                                       "shale.write-amp",
                                       "shale.compaction-pending",
                                       "shale.block-cache-usage",
                                       "shale.vlog-files",
                                       "shale.vlog-bytes",
                                       "shale.vlog-garbage-bytes"};
  py::dict result;
  for (const char* name : kNames) {
    if (auto value = Property(*self.state, name)) {
      result[name] = py::str(*value);
    }
  }
  for (int level = 0;; level++) {
    std::string name = "shale.num-files-at-level" + std::to_string(level);
    auto value = Property(*self.state, name);
    if (!value) break;
    result[py::str(name)] = py::str(*value);
  }
  return result;
}

py::dict Stats(PyDb& self) {
  std::map<std::string, double> stats;
  RunOrRaise(*self.state, [&](DB* db) { db->GetStatsMap(&stats); });
  py::dict result;
  for (auto& [name, value] : stats) result[py::str(name)] = value;
  return result;
}

void CompactRange(PyDb& self, py::handle start, py::handle stop,
                  bool force_vlog_gc) {
  std::optional<std::string_view> begin, end;
  if (!start.is_none()) begin = KeyView(start, "start");
  if (!stop.is_none()) end = KeyView(stop, "stop");
  CompactRangeOptions options;
  options.force_vlog_gc = force_vlog_gc;
  Status s;
  RunOrRaise(*self.state, [&](DB* db) {
    s = db->CompactRange(options, begin ? &*begin : nullptr,
                         end ? &*end : nullptr);
  });
  if (!s.ok()) Raise(s);
}

// A call without arguments that returns a Status.
template <Status (DB::*method)()>
void Call(PyDb& self) {
  Status s;
  RunOrRaise(*self.state, [&](DB* db) { s = (db->*method)(); });
  if (!s.ok()) Raise(s);
}

py::object Iter(PyDb& self, const std::string& key_prefix, bool reverse,
                py::object start, py::object stop, bool include_start,
                bool include_stop, py::object prefix, bool include_key,
                bool include_value, bool verify_checksums, bool fill_cache) {
  return NewIterator(
      self.state, nullptr,
      MakeIteratorSpec(reverse, std::move(start), std::move(stop),
                       include_start, include_stop, std::move(prefix),
                       include_key, include_value, verify_checksums,
                       fill_cache),
      key_prefix);
}

void DestroyDb(py::handle name) {
  std::string dir = FsPath(name);
  Status s;
  {
    py::gil_scoped_release release;
    s = DestroyDB(dir, Options());
  }
  if (!s.ok()) Raise(s);
}

}  // namespace

py::object GetAt(DbState& db, SnapshotState* snapshot, py::handle key,
                 py::object default_value, bool verify_checksums,
                 bool fill_cache) {
  std::string_view k = KeyView(key);
  ReadOptions options = MakeReadOptions(verify_checksums, fill_cache);
  std::string value;
  Status s;
  RunAt(db, snapshot, [&](DB* engine, const Snapshot* at) {
    options.snapshot = at;
    s = engine->Get(options, k, &value);
  });
  if (s.IsNotFound()) return default_value;
  if (!s.ok()) Raise(s);
  return ToBytes(value);
}

void RegisterDb(py::module_& m) {
  m.def("destroy_db", &DestroyDb, py::arg("name"),
        "Deletes every file of the DB in directory name (BusyError if it "
        "is open).");

  py::class_<PyDb>(m, "DB",
                   R"(A shale database: plyvel's DB, plus shale's own calls.

DB(name, create_if_missing=False, *, error_if_exists=False, ...) opens the
DB in directory name. The keyword arguments are plyvel's; None keeps
shale's default (include/shale/options.h). compression is None, 'snappy',
'lz4' (shale's default) or 'zstd'; lru_cache_size sizes the block cache;
max_file_size is the target table file size. Custom comparators are not
supported (NotSupportedError).

Keys are bytes; values bytes or any bytes-like object. Every engine call
runs with the GIL released, so threads can share one DB.)")
      .def(py::init(&Open), py::arg("name"),
           py::arg("create_if_missing") = false, py::kw_only(),
           py::arg("error_if_exists") = false,
           py::arg("paranoid_checks") = py::none(),
           py::arg("write_buffer_size") = py::none(),
           py::arg("max_open_files") = py::none(),
           py::arg("lru_cache_size") = py::none(),
           py::arg("block_size") = py::none(),
           py::arg("block_restart_interval") = py::none(),
           py::arg("max_file_size") = py::none(),
           py::arg("compression") = "lz4",
           py::arg("bloom_filter_bits") = py::none(),
           py::arg("comparator") = py::none(),
           py::arg("comparator_name") = py::none())
      .def_property_readonly(
          "name", [](PyDb& self) { return self.state->name(); },
          "The directory given at open.")
      .def_property_readonly("closed",
                             [](PyDb& self) { return self.state->closed(); })
      .def(
          "close", [](PyDb& self) { self.state->Close(); },
          "Closes the DB (and every iterator and snapshot of it); later "
          "calls raise RuntimeError. Calls in flight on other threads "
          "finish first.")
      .def("put", &Put, py::arg("key"), py::arg("value"), py::kw_only(),
           py::arg("sync") = false, py::arg("expire_at_ms") = 0,
           "Stores key -> value. sync: fsync the WAL first. expire_at_ms: "
           "the value expires at this time (milliseconds since the Unix "
           "epoch); 0 means never.")
      .def(
          "get",
          [](PyDb& self, py::handle key, py::object default_value,
             bool verify_checksums, bool fill_cache) {
            return GetAt(*self.state, nullptr, key, std::move(default_value),
                         verify_checksums, fill_cache);
          },
          py::arg("key"), py::arg("default") = py::none(), py::kw_only(),
          py::arg("verify_checksums") = false, py::arg("fill_cache") = true,
          "The value of key, or default if it is absent (or expired).")
      .def("delete", &Delete, py::arg("key"), py::kw_only(),
           py::arg("sync") = false, "Removes key; not an error if absent.")
      .def(
          "__getitem__",
          [](PyDb& self, py::handle key) {
            py::object value =
                GetAt(*self.state, nullptr, key, py::none(), false, true);
            if (value.is_none()) throw py::key_error(py::repr(key));
            return value;
          },
          "db[key]: the value; KeyError if absent.")
      .def(
          "__setitem__",
          [](PyDb& self, py::handle key, py::handle value) {
            Put(self, key, value, false, 0);
          },
          "db[key] = value: put(key, value).")
      .def("__contains__",
           [](PyDb& self, py::handle key) {
             return !GetAt(*self.state, nullptr, key, py::none(), false, true)
                         .is_none();
           })
      .def("multi_get", &MultiGet, py::arg("keys"), py::kw_only(),
           py::arg("verify_checksums") = false, py::arg("fill_cache") = true,
           "The values of keys (a list, None where absent), all read at one "
           "point of the write order; faster than as many get() calls.")
      .def(
          "write_batch",
          [](PyDb& self, bool transaction, bool sync) {
            return NewWriteBatch(self.state, transaction, sync, "");
          },
          py::kw_only(), py::arg("transaction") = false,
          py::arg("sync") = false, "A WriteBatch for this DB.")
      .def(
          "_write_batch",
          [](PyDb& self, const std::string& key_prefix, bool transaction,
             bool sync) {
            return NewWriteBatch(self.state, transaction, sync, key_prefix);
          },
          py::arg("key_prefix"), py::kw_only(), py::arg("transaction") = false,
          py::arg("sync") = false)
      .def(
          "iterator",
          [](PyDb& self, bool reverse, py::object start, py::object stop,
             bool include_start, bool include_stop, py::object prefix,
             bool include_key, bool include_value, bool verify_checksums,
             bool fill_cache) {
            return Iter(self, "", reverse, std::move(start), std::move(stop),
                        include_start, include_stop, std::move(prefix),
                        include_key, include_value, verify_checksums,
                        fill_cache);
          },
          SHALE_ITERATOR_ARGS,
          "An Iterator over [start, stop) (include_start/include_stop "
          "change either end), or over the keys with prefix, yielding "
          "(key, value) tuples, keys or values (include_key, "
          "include_value), backward with reverse=True.")
      .def("_iterator", &Iter, py::arg("key_prefix"), SHALE_ITERATOR_ARGS)
      .def(
          "raw_iterator",
          [](PyDb& self, bool verify_checksums, bool fill_cache) {
            return NewRawIterator(self.state, nullptr, verify_checksums,
                                  fill_cache);
          },
          py::kw_only(), py::arg("verify_checksums") = false,
          py::arg("fill_cache") = true, "A RawIterator over the DB.")
      .def(
          "__iter__",
          [](PyDb& self) {
            return NewIterator(self.state, nullptr, IteratorSpec(), "");
          },
          "Every (key, value), in key order.")
      .def(
          "snapshot",
          [](PyDb& self) {
            return MakeSnapshot(std::make_shared<SnapshotState>(self.state));
          },
          "A Snapshot of the DB's current state.")
      .def("get_property", &GetProperty, py::arg("name"),
           "The value of a property (e.g. b'shale.stats') as bytes, or "
           "None if the name is unknown.")
      .def("properties", &Properties,
           "Every property, as a dict of str to str.")
      .def("stats", &Stats,
           "The engine's counters and gauges, as a dict of str to float.")
      .def("compact_range", &CompactRange, py::kw_only(),
           py::arg("start") = py::none(), py::arg("stop") = py::none(),
           py::arg("force_vlog_gc") = false,
           "Compacts the keys in [start, stop] (None: open on that side); "
           "force_vlog_gc also rewrites values out of value logs holding "
           "garbage.")
      .def("flush", &Call<&DB::Flush>,
           "Writes the memtable to a table file and waits for it.")
      .def("sync_wal", &Call<&DB::SyncWAL>,
           "Makes every acknowledged write durable against power loss.")
      .def("wait_for_compactions", &Call<&DB::WaitForCompactions>,
           "Waits until no flush or compaction is pending or running.")
      .def(
          "checkpoint",
          [](PyDb& self, py::handle name) {
            const std::string path = FsPath(name);
            Status s;
            RunOrRaise(*self.state,
                       [&](DB* db) { s = db->CreateCheckpoint(path); });
            if (!s.ok()) Raise(s);
          },
          py::arg("path"),
          "Creates directory path holding an openable copy of the DB as of "
          "the call (tables and value logs hard-linked where possible). "
          "path must not exist.")
      .def("resume", &Call<&DB::Resume>,
           "After a background error, accepts writes again if the cause is "
           "gone.");
}

}  // namespace shale::python
