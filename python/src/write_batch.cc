// shale.WriteBatch: plyvel's WriteBatch (put, delete, clear, append,
// approximate_size, write, a context manager) over shale::WriteBatch.
#include "python/src/binding.h"

namespace shale::python {

namespace {

class Batch {
 public:
  Batch(std::shared_ptr<DbState> db, bool transaction, bool sync,
        std::string key_prefix)
      : db_(std::move(db)),
        transaction_(transaction),
        key_prefix_(std::move(key_prefix)) {
    options_.sync = sync;
  }

  void Put(py::handle key, py::handle value, uint64_t expire_at_ms) {
    std::string storage;
    std::string_view v = ValueView(value, &storage);
    std::lock_guard lock(mu_);
    batch_.Put(PrefixedKey(key), v, expire_at_ms);
  }
  void Delete(py::handle key) {
    std::lock_guard lock(mu_);
    batch_.Delete(PrefixedKey(key));
  }
  void Clear() {
    std::lock_guard lock(mu_);
    batch_.Clear();
  }
  size_t ApproximateSize() {
    std::lock_guard lock(mu_);
    return batch_.ApproximateSize();
  }
  uint32_t Count() {
    std::lock_guard lock(mu_);
    return batch_.Count();
  }
  // Adds the updates of source (with their expiry) to this batch.
  void Append(Batch& source) {
    if (&source == this) {
      // A copy first: appending a batch to itself doubles it once.
      shale::WriteBatch copy;
      {
        std::lock_guard lock(mu_);
        copy = batch_;
      }
      AppendFrom(copy);
      return;
    }
    shale::WriteBatch copy;
    {
      std::lock_guard lock(source.mu_);
      copy = source.batch_;
    }
    AppendFrom(copy);
  }
  // Applies the batch atomically; it stays as it is (write() may be
  // called again, as plyvel allows).
  void Write() {
    Status s;
    RunOrRaise(*db_, [&](DB* engine) {
      std::lock_guard lock(mu_);
      s = engine->Write(options_, &batch_);
    });
    if (!s.ok()) Raise(s);
  }
  // The end of a with block: writes unless a transaction's block raised.
  bool Exit(py::handle exc_type) {
    if (!transaction_ || exc_type.is_none()) Write();
    return false;
  }

 private:
  std::string PrefixedKey(py::handle key) {
    std::string_view k = KeyView(key);
    if (key_prefix_.empty()) return std::string(k);
    return key_prefix_ + std::string(k);
  }

  class Appender : public shale::WriteBatch::Handler {
   public:
    explicit Appender(shale::WriteBatch* dest) : dest_(dest) {}
    void Put(std::string_view key, std::string_view value,
             uint64_t expire_at_ms) override {
      dest_->Put(key, value, expire_at_ms);
    }
    void Delete(std::string_view key) override { dest_->Delete(key); }

   private:
    shale::WriteBatch* dest_;
  };

  void AppendFrom(const shale::WriteBatch& source) {
    std::lock_guard lock(mu_);
    Appender appender(&batch_);
    Status s = source.Iterate(&appender);
    if (!s.ok()) Raise(s);
  }

  std::shared_ptr<DbState> db_;
  const bool transaction_;
  const std::string key_prefix_;
  WriteOptions options_;
  // Put and Delete hold the GIL, Write does not: the batch has its own lock.
  std::mutex mu_;
  shale::WriteBatch batch_;  // guarded by mu_
};

}  // namespace

py::object NewWriteBatch(std::shared_ptr<DbState> db, bool transaction,
                         bool sync, std::string key_prefix) {
  return py::cast(
      new Batch(std::move(db), transaction, sync, std::move(key_prefix)),
      py::return_value_policy::take_ownership);
}

void RegisterWriteBatch(py::module_& m) {
  py::class_<Batch>(m, "WriteBatch", R"(Updates applied atomically by write().

From DB.write_batch(). As a context manager the batch is written when the
with block ends; with transaction=True, not if the block raised.)")
      .def("put", &Batch::Put, py::arg("key"), py::arg("value"), py::kw_only(),
           py::arg("expire_at_ms") = 0,
           "Adds key -> value (expiring at expire_at_ms, milliseconds since "
           "the Unix epoch, if non-zero).")
      .def("delete", &Batch::Delete, py::arg("key"), "Adds a deletion of key.")
      .def("clear", &Batch::Clear, "Removes every update.")
      .def("append", &Batch::Append, py::arg("source"),
           "Adds the updates of another batch.")
      .def("approximate_size", &Batch::ApproximateSize,
           "Bytes of the batch's encoded form.")
      .def("__len__", &Batch::Count, "Number of updates.")
      .def("write", &Batch::Write, "Applies the batch to the DB atomically.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](Batch& self, py::handle exc_type, py::handle,
                          py::handle) { return self.Exit(exc_type); });
}

}  // namespace shale::python
