// Shared pieces of the Python binding (python/src/*.cc, module `shale._shale`).
//
// Threads: every engine call runs with the GIL released, so Python threads
// use one DB in parallel. A DbState owns the DB; an engine call pins it open
// with a shared lock taken after the GIL is released (never while holding
// the GIL, so a thread waiting for the lock never blocks one that needs the
// GIL to finish), and close() takes the lock exclusively, so it waits for
// the calls in flight, then releases every iterator and snapshot of the DB
// (the engine requires that before the DB goes) and deletes the DB.
//
// Lock order: DbState::mu_, then a Resource's own mutex, then
// DbState::registry_mu_.
#ifndef SHALE_PYTHON_SRC_BINDING_H_
#define SHALE_PYTHON_SRC_BINDING_H_

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "shale/db.h"

namespace shale::python {

namespace py = pybind11;

// The module's exception classes (created at import, see errors.cc).
struct ErrorTypes {
  PyObject* error = nullptr;             // shale.Error(Exception)
  PyObject* io_error = nullptr;          // shale.IOError(Error, OSError)
  PyObject* no_space = nullptr;          // shale.NoSpaceError(IOError)
  PyObject* busy = nullptr;              // shale.BusyError(IOError)
  PyObject* corruption = nullptr;        // shale.CorruptionError(Error)
  PyObject* invalid_argument = nullptr;  // shale.InvalidArgumentError(Error)
  PyObject* not_supported = nullptr;     // shale.NotSupportedError(Error)
  PyObject* iterator_invalid = nullptr;  // shale.IteratorInvalidError(Error)
};
extern ErrorTypes error_types;
void RegisterErrors(py::module_& m);

// Raises the exception class of s's code with s.ToString() as message.
// REQUIRES: !s.ok(), GIL held.
[[noreturn]] void Raise(const Status& s);
// RuntimeError(message): what plyvel raises for a closed DB or iterator.
[[noreturn]] void RaiseClosed(const char* message);

// A bytes key: TypeError for anything else (plyvel's rule). The view points
// into the object, which the caller keeps alive.
std::string_view KeyView(py::handle key, const char* what = "key");
// A value: bytes, or any object with the buffer protocol (copied into
// *storage, since another thread may change it while the GIL is released).
std::string_view ValueView(py::handle value, std::string* storage);
inline py::bytes ToBytes(std::string_view s) {
  return py::reinterpret_steal<py::bytes>(
      PyBytes_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size())));
}

// Something that pins engine state and must go before the DB: an
// iterator or a snapshot.
class Resource {
 public:
  virtual ~Resource() = default;
  // Drops the engine object. Called with the DB's lock held exclusively
  // (so no call on the resource is running) or by the resource's owner.
  virtual void ReleaseEngineState(DB* db) = 0;
};

class DbState {
 public:
  DbState(std::unique_ptr<DB> db, std::string name)
      : db_(std::move(db)), name_(std::move(name)) {}
  ~DbState() { CloseNoGil(); }

  const std::string& name() const { return name_; }
  bool closed() {
    std::shared_lock lock(mu_);
    return db_ == nullptr;
  }

  // Runs fn(DB*) with the GIL released and the DB pinned open. Returns
  // false (without calling fn) if the DB is closed. REQUIRES: GIL held.
  template <typename Fn>
  bool Run(Fn&& fn) {
    py::gil_scoped_release release;
    std::shared_lock lock(mu_);
    if (db_ == nullptr) return false;
    fn(db_.get());
    return true;
  }

  // Closes the DB (waiting for the calls in flight). Idempotent.
  // REQUIRES: GIL held.
  void Close() {
    py::gil_scoped_release release;
    CloseNoGil();
  }

  // Snapshots are released after iterators at close (an iterator may read
  // at a snapshot).
  void Register(Resource* r, bool is_snapshot) {
    std::lock_guard lock(registry_mu_);
    (is_snapshot ? snapshots_ : iterators_).insert(r);
  }
  void Unregister(Resource* r) {
    std::lock_guard lock(registry_mu_);
    iterators_.erase(r);
    snapshots_.erase(r);
  }

 private:
  void CloseNoGil() {
    std::unique_lock lock(mu_);
    if (db_ == nullptr) return;
    {
      std::lock_guard registry_lock(registry_mu_);
      for (Resource* r : iterators_) r->ReleaseEngineState(db_.get());
      for (Resource* r : snapshots_) r->ReleaseEngineState(db_.get());
      iterators_.clear();
      snapshots_.clear();
    }
    db_.reset();
  }

  std::shared_mutex mu_;
  std::unique_ptr<DB> db_;  // guarded by mu_; nullptr once closed
  const std::string name_;
  std::mutex registry_mu_;
  std::set<Resource*> iterators_;  // guarded by registry_mu_
  std::set<Resource*> snapshots_;  // guarded by registry_mu_
};

// Runs fn(DB*) on state with the GIL released; RuntimeError if closed.
template <typename Fn>
void RunOrRaise(DbState& state, Fn&& fn) {
  if (!state.Run(std::forward<Fn>(fn))) RaiseClosed("Database is closed");
}

// The ReadOptions of a plyvel-style call.
inline ReadOptions MakeReadOptions(bool verify_checksums, bool fill_cache) {
  ReadOptions options;
  options.verify_checksums = verify_checksums;
  options.fill_cache = fill_cache;
  return options;
}

// A snapshot of a DB (shale.Snapshot's state): released by close(), by
// the DB's close, or when the last reference goes.
class SnapshotState : public Resource {
 public:
  explicit SnapshotState(std::shared_ptr<DbState> db);
  ~SnapshotState() override;
  DbState& db() { return *db_; }
  const std::shared_ptr<DbState>& db_ptr() { return db_; }
  // The engine snapshot, or nullptr once released. REQUIRES: inside
  // DbState::Run, with mu() held (shared is enough).
  const Snapshot* get() const { return snapshot_; }
  std::shared_mutex& mu() { return mu_; }
  // Releases the engine snapshot (with the GIL released). Idempotent.
  void Release();
  void ReleaseEngineState(DB* db) override;

 private:
  // REQUIRES: the DB pinned open, mu_ held exclusively.
  void ReleaseEngineStateLocked(DB* engine);

  std::shared_ptr<DbState> db_;
  // Readers at the snapshot hold it shared, Release exclusively.
  std::shared_mutex mu_;
  const Snapshot* snapshot_ = nullptr;  // guarded by mu_ or the DB's mu_
};

// Runs fn(DB*, const Snapshot*) with the GIL released: snapshot may be
// nullptr (the latest state). RuntimeError if the DB or snapshot is closed.
template <typename Fn>
void RunAt(DbState& db, SnapshotState* snapshot, Fn&& fn) {
  bool snapshot_closed = false;
  bool ran = db.Run([&](DB* engine) {
    if (snapshot == nullptr) return fn(engine, nullptr);
    std::shared_lock lock(snapshot->mu());
    const Snapshot* s = snapshot->get();
    if (s == nullptr) {
      snapshot_closed = true;
      return;
    }
    fn(engine, s);
  });
  if (!ran || snapshot_closed) RaiseClosed("Database or snapshot is closed");
}

// plyvel's iterator() arguments.
struct IteratorSpec {
  bool reverse = false;
  py::object start = py::none();  // bytes or None, as stop and prefix
  py::object stop = py::none();
  py::object prefix = py::none();
  bool include_start = true;
  bool include_stop = false;
  bool include_key = true;
  bool include_value = true;
  bool verify_checksums = false;
  bool fill_cache = true;
};
// A shale.Iterator over db (at snapshot, if not null). key_prefix (a
// PrefixedDB's) is prepended to every bound and seek target and stripped
// from every key returned.
py::object NewIterator(std::shared_ptr<DbState> db,
                       std::shared_ptr<SnapshotState> snapshot,
                       const IteratorSpec& spec, std::string key_prefix);
py::object NewRawIterator(std::shared_ptr<DbState> db,
                          std::shared_ptr<SnapshotState> snapshot,
                          bool verify_checksums, bool fill_cache);
// Wraps a snapshot's state in a shale.Snapshot.
py::object MakeSnapshot(std::shared_ptr<SnapshotState> state);
// A shale.WriteBatch for db; key_prefix (a PrefixedDB's) is prepended to
// every key.
py::object NewWriteBatch(std::shared_ptr<DbState> db, bool transaction,
                         bool sync, std::string key_prefix);
// get(key, default) at snapshot (nullptr: latest).
py::object GetAt(DbState& db, SnapshotState* snapshot, py::handle key,
                 py::object default_value, bool verify_checksums,
                 bool fill_cache);
// Keyword arguments shared by every iterator() method.
#define SHALE_ITERATOR_ARGS                                            \
  py::kw_only(),                                                       \
      py::arg("reverse") = false, py::arg("start") = py::none(),       \
      py::arg("stop") = py::none(), py::arg("include_start") = true,   \
      py::arg("include_stop") = false, py::arg("prefix") = py::none(), \
      py::arg("include_key") = true, py::arg("include_value") = true,  \
      py::arg("verify_checksums") = false, py::arg("fill_cache") = true
IteratorSpec MakeIteratorSpec(bool reverse, py::object start, py::object stop,
                              bool include_start, bool include_stop,
                              py::object prefix, bool include_key,
                              bool include_value, bool verify_checksums,
                              bool fill_cache);

void RegisterDb(py::module_& m);
void RegisterIterators(py::module_& m);
void RegisterWriteBatch(py::module_& m);
void RegisterSnapshot(py::module_& m);

}  // namespace shale::python

#endif  // SHALE_PYTHON_SRC_BINDING_H_
