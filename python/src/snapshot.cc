// shale.Snapshot: plyvel's Snapshot (get, iterator, raw_iterator, close,
// release, a context manager) over DB::GetSnapshot.
#include "python/src/binding.h"

namespace shale::python {

SnapshotState::SnapshotState(std::shared_ptr<DbState> db) : db_(std::move(db)) {
  RunOrRaise(*db_, [&](DB* engine) {
    snapshot_ = engine->GetSnapshot();
    db_->Register(this, /*is_snapshot=*/true);
  });
}

// Every owner (a shale.Snapshot, an iterator reading at it) is a Python
// object, so the last reference goes with the GIL held.
SnapshotState::~SnapshotState() { Release(); }

void SnapshotState::Release() {
  db_->Run([&](DB* engine) {
    std::unique_lock lock(mu_);
    ReleaseEngineStateLocked(engine);
  });
}

void SnapshotState::ReleaseEngineStateLocked(DB* engine) {
  if (snapshot_ == nullptr) return;
  engine->ReleaseSnapshot(snapshot_);
  snapshot_ = nullptr;
  db_->Unregister(this);
}

void SnapshotState::ReleaseEngineState(DB* engine) {
  // The DB's close: it holds the registry; no Unregister.
  if (snapshot_ == nullptr) return;
  engine->ReleaseSnapshot(snapshot_);
  snapshot_ = nullptr;
}

namespace {

struct PySnapshot {
  std::shared_ptr<SnapshotState> state;
};

py::object Iter(PySnapshot& self, const std::string& key_prefix, bool reverse,
                py::object start, py::object stop, bool include_start,
                bool include_stop, py::object prefix, bool include_key,
                bool include_value, bool verify_checksums, bool fill_cache) {
  return NewIterator(
      self.state->db_ptr(), self.state,
      MakeIteratorSpec(reverse, std::move(start), std::move(stop),
                       include_start, include_stop, std::move(prefix),
                       include_key, include_value, verify_checksums,
                       fill_cache),
      key_prefix);
}

}  // namespace

py::object MakeSnapshot(std::shared_ptr<SnapshotState> state) {
  return py::cast(PySnapshot{std::move(state)});
}

void RegisterSnapshot(py::module_& m) {
  py::class_<PySnapshot>(m, "Snapshot", R"(A consistent read-only view of a DB.

From DB.snapshot(). Reads through it see the DB as it was when it was
taken. Release it with close() (or release(), or a with block); the DB's
close() releases it too.)")
      .def(
          "get",
          [](PySnapshot& self, py::handle key, py::object default_value,
             bool verify_checksums, bool fill_cache) {
            return GetAt(self.state->db(), self.state.get(), key,
                         std::move(default_value), verify_checksums,
                         fill_cache);
          },
          py::arg("key"), py::arg("default") = py::none(), py::kw_only(),
          py::arg("verify_checksums") = false, py::arg("fill_cache") = true,
          "The value of key at the snapshot, or default.")
      .def(
          "iterator",
          [](PySnapshot& self, bool reverse, py::object start, py::object stop,
             bool include_start, bool include_stop, py::object prefix,
             bool include_key, bool include_value, bool verify_checksums,
             bool fill_cache) {
            return Iter(self, "", reverse, std::move(start), std::move(stop),
                        include_start, include_stop, std::move(prefix),
                        include_key, include_value, verify_checksums,
                        fill_cache);
          },
          SHALE_ITERATOR_ARGS, "An iterator at the snapshot (see DB.iterator).")
      .def("_iterator", &Iter, py::arg("key_prefix"), SHALE_ITERATOR_ARGS)
      .def(
          "raw_iterator",
          [](PySnapshot& self, bool verify_checksums, bool fill_cache) {
            return NewRawIterator(self.state->db_ptr(), self.state,
                                  verify_checksums, fill_cache);
          },
          py::kw_only(), py::arg("verify_checksums") = false,
          py::arg("fill_cache") = true,
          "A raw iterator at the snapshot (see DB.raw_iterator).")
      .def(
          "__iter__",
          [](PySnapshot& self) {
            return NewIterator(self.state->db_ptr(), self.state, IteratorSpec(),
                               "");
          },
          "Every (key, value) at the snapshot.")
      .def(
          "close", [](PySnapshot& self) { self.state->Release(); },
          "Releases the snapshot; later reads through it raise RuntimeError.")
      .def(
          "release", [](PySnapshot& self) { self.state->Release(); },
          "Same as close().")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__",
           [](PySnapshot& self, py::handle, py::handle, py::handle) {
             self.state->Release();
             return false;
           });
}

}  // namespace shale::python
