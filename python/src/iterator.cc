// shale.Iterator and shale.RawIterator: plyvel's two iterator kinds over
// shale::Iterator.
//
// shale.Iterator is a cursor between entries of a key range [start, stop)
// (either end inclusive or exclusive, or the keys with a prefix). Its
// position, in key order, is "just before entry P" or "after the last
// entry": next() returns the entry after the cursor and moves past it,
// prev() moves back over the entry before the cursor and returns it, so
// next() after prev() returns the same entry. reverse=True swaps next and
// prev and starts after the last entry. seek_to_start(), seek_to_stop()
// and seek(target) (just before the first entry >= target, clamped to the
// range) name positions in key order whatever the direction, as plyvel's.
#include <optional>

#include "python/src/binding.h"

namespace shale::python {

namespace {

// The first key after every key with prefix p, or nullopt if none (p is
// empty or all 0xff).
std::optional<std::string> PrefixSuccessor(std::string p) {
  while (!p.empty() && static_cast<unsigned char>(p.back()) == 0xff) {
    p.pop_back();
  }
  if (p.empty()) return std::nullopt;
  p.back() = static_cast<char>(static_cast<unsigned char>(p.back()) + 1);
  return p;
}

// An engine iterator with the state both Python kinds share: who owns it,
// and the lock that keeps one call at a time on it.
class IteratorState : public Resource {
 public:
  IteratorState(std::shared_ptr<DbState> db,
                std::shared_ptr<SnapshotState> snapshot, ReadOptions options)
      : db_(std::move(db)), snapshot_(std::move(snapshot)) {
    RunAt(*db_, snapshot_.get(), [&](DB* engine, const Snapshot* s) {
      options.snapshot = s;
      it_ = engine->NewIterator(options);
      db_->Register(this, /*is_snapshot=*/false);
    });
  }
  ~IteratorState() override { Close(); }

  void Close() {
    db_->Run([&](DB*) {
      std::lock_guard lock(mu_);
      if (it_ == nullptr) return;
      it_.reset();
      db_->Unregister(this);
    });
  }

  void ReleaseEngineState(DB*) override { it_.reset(); }

  // Runs fn(Iterator*) with the GIL released and this iterator locked;
  // RuntimeError if it or its DB is closed, the exception of the status
  // fn leaves in *error otherwise.
  template <typename Fn>
  void Use(Fn&& fn) {
    bool closed = false;
    Status error;
    bool ran = db_->Run([&](DB*) {
      std::lock_guard lock(mu_);
      if (it_ == nullptr) {
        closed = true;
        return;
      }
      fn(it_.get());
      if (!it_->Valid()) error = it_->status();
    });
    if (!ran || closed) RaiseClosed("Database or iterator is closed");
    if (!error.ok()) Raise(error);
  }

 private:
  std::shared_ptr<DbState> db_;
  std::shared_ptr<SnapshotState> snapshot_;  // kept while reading at it
  std::mutex mu_;
  std::unique_ptr<Iterator> it_;  // guarded by mu_; nullptr once closed
};

class Cursor {
 public:
  Cursor(std::shared_ptr<DbState> db, std::shared_ptr<SnapshotState> snapshot,
         const IteratorSpec& spec, std::string key_prefix)
      : state_(std::move(db), std::move(snapshot),
               MakeReadOptions(spec.verify_checksums, spec.fill_cache)),
        key_prefix_(std::move(key_prefix)),
        reverse_(spec.reverse),
        include_key_(spec.include_key),
        include_value_(spec.include_value) {
    if (!spec.prefix.is_none()) {
      if (!spec.start.is_none() || !spec.stop.is_none()) {
        throw py::type_error(
            "'prefix' cannot be used together with 'start' or 'stop'");
      }
      SetLower(key_prefix_ + std::string(KeyView(spec.prefix, "prefix")), true);
      SetUpperAfterPrefix(key_prefix_ +
                          std::string(KeyView(spec.prefix, "prefix")));
    } else {
      if (spec.start.is_none()) {
        if (!key_prefix_.empty()) SetLower(key_prefix_, true);
      } else {
        SetLower(key_prefix_ + std::string(KeyView(spec.start, "start")),
                 spec.include_start);
      }
      if (spec.stop.is_none()) {
        if (!key_prefix_.empty()) SetUpperAfterPrefix(key_prefix_);
      } else {
        has_upper_ = true;
        upper_ = key_prefix_ + std::string(KeyView(spec.stop, "stop"));
        upper_inclusive_ = spec.include_stop;
      }
    }
    if (reverse_) {
      at_end_ = true;
    } else {
      state_.Use([&](Iterator* it) { SeekFirst(it); });
    }
  }

  py::object Next() { return Step(!reverse_); }
  py::object Prev() { return Step(reverse_); }
  void SeekToStart() {
    state_.Use([&](Iterator* it) { SeekFirst(it); });
  }
  void SeekToStop() {
    state_.Use([&](Iterator*) { at_end_ = true; });
  }
  void Seek(py::handle target) {
    std::string t = key_prefix_ + std::string(KeyView(target, "target"));
    state_.Use([&](Iterator* it) {
      if (has_lower_ && t <= lower_) {
        SeekFirst(it);
      } else {
        it->Seek(t);
        at_end_ = !(it->Valid() && BelowUpper(it->key()));
      }
    });
  }
  void Close() { state_.Close(); }

 private:
  void SetLower(std::string lower, bool inclusive) {
    has_lower_ = true;
    lower_ = std::move(lower);
    lower_inclusive_ = inclusive;
  }
  void SetUpperAfterPrefix(std::string prefix) {
    std::optional<std::string> upper = PrefixSuccessor(std::move(prefix));
    has_upper_ = upper.has_value();
    if (has_upper_) upper_ = std::move(*upper);
    upper_inclusive_ = false;
  }
  bool AboveLower(std::string_view key) const {
    if (!has_lower_) return true;
    int c = key.compare(lower_);
    return c > 0 || (c == 0 && lower_inclusive_);
  }
  bool BelowUpper(std::string_view key) const {
    if (!has_upper_) return true;
    int c = key.compare(upper_);
    return c < 0 || (c == 0 && upper_inclusive_);
  }

  // Just before the first entry of the range.
  void SeekFirst(Iterator* it) {
    if (has_lower_) {
      it->Seek(lower_);
      if (!lower_inclusive_ && it->Valid() && it->key() == lower_) it->Next();
    } else {
      it->SeekToFirst();
    }
    at_end_ = !(it->Valid() && BelowUpper(it->key()));
  }

  // On the last entry of the range, if any (the caller checks the lower
  // bound).
  void SeekLast(Iterator* it) {
    if (has_upper_) {
      it->SeekForPrev(upper_);
      if (!upper_inclusive_ && it->Valid() && it->key() == upper_) it->Prev();
    } else {
      it->SeekToLast();
    }
  }

  void Capture(Iterator* it) {
    if (include_key_) {
      std::string_view key = it->key();
      key.remove_prefix(key_prefix_.size());
      key_.assign(key);
    }
    if (include_value_) value_.assign(it->value());
  }

  // Moves over one entry, forward in key order or backward, and returns it
  // (StopIteration at the end of the range).
  py::object Step(bool forward) {
    bool found = false;
    state_.Use([&](Iterator* it) {
      if (forward) {
        if (at_end_) return;
        Capture(it);
        found = true;
        it->Next();
        at_end_ = !(it->Valid() && BelowUpper(it->key()));
        return;
      }
      if (at_end_) {
        SeekLast(it);
      } else {
        it->Prev();
      }
      if (!it->Valid() || !AboveLower(it->key())) {
        if (it->status().ok()) SeekFirst(it);
        return;
      }
      at_end_ = false;
      Capture(it);
      found = true;
    });
    if (!found) throw py::stop_iteration();
    if (include_key_ && include_value_) {
      return py::reinterpret_steal<py::object>(
          PyTuple_Pack(2, ToBytes(key_).ptr(), ToBytes(value_).ptr()));
    }
    if (include_key_) return ToBytes(key_);
    if (include_value_) return ToBytes(value_);
    return py::none();
  }

  IteratorState state_;
  // Constant after construction.
  const std::string key_prefix_;
  const bool reverse_;
  const bool include_key_;
  const bool include_value_;
  bool has_lower_ = false;
  bool lower_inclusive_ = true;
  std::string lower_;
  bool has_upper_ = false;
  bool upper_inclusive_ = false;
  std::string upper_;
  // The position (see the file comment): when !at_end_, the engine
  // iterator is on the entry just after the cursor.
  bool at_end_ = true;
  // The entry being returned, copied while the GIL is released.
  std::string key_;
  std::string value_;
};

class RawCursor {
 public:
  RawCursor(std::shared_ptr<DbState> db,
            std::shared_ptr<SnapshotState> snapshot, bool verify_checksums,
            bool fill_cache)
      : state_(std::move(db), std::move(snapshot),
               MakeReadOptions(verify_checksums, fill_cache)) {}

  bool Valid() {
    bool valid = false;
    state_.Use([&](Iterator* it) { valid = it->Valid(); });
    return valid;
  }
  void SeekToFirst() {
    state_.Use([](Iterator* it) { it->SeekToFirst(); });
  }
  void SeekToLast() {
    state_.Use([](Iterator* it) { it->SeekToLast(); });
  }
  void Seek(py::handle target) {
    std::string_view t = KeyView(target, "target");
    state_.Use([&](Iterator* it) { it->Seek(t); });
  }
  void Next() { Move(true); }
  void Prev() { Move(false); }
  py::object Key() { return Read(true, false); }
  py::object Value() { return Read(false, true); }
  py::object Item() { return Read(true, true); }
  void Close() { state_.Close(); }

 private:
  void Move(bool forward) {
    bool invalid = false;
    state_.Use([&](Iterator* it) {
      invalid = !it->Valid();
      if (invalid) return;
      if (forward) {
        it->Next();
      } else {
        it->Prev();
      }
    });
    if (invalid) RaiseInvalid();
  }

  py::object Read(bool key, bool value) {
    bool invalid = false;
    state_.Use([&](Iterator* it) {
      invalid = !it->Valid();
      if (invalid) return;
      if (key) key_.assign(it->key());
      if (value) value_.assign(it->value());
    });
    if (invalid) RaiseInvalid();
    if (key && value) {
      return py::reinterpret_steal<py::object>(
          PyTuple_Pack(2, ToBytes(key_).ptr(), ToBytes(value_).ptr()));
    }
    return key ? ToBytes(key_) : ToBytes(value_);
  }

  [[noreturn]] static void RaiseInvalid() {
    PyErr_SetString(error_types.iterator_invalid,
                    "the iterator is not on an entry");
    throw py::error_already_set();
  }

  IteratorState state_;
  std::string key_;
  std::string value_;
};

}  // namespace

IteratorSpec MakeIteratorSpec(bool reverse, py::object start, py::object stop,
                              bool include_start, bool include_stop,
                              py::object prefix, bool include_key,
                              bool include_value, bool verify_checksums,
                              bool fill_cache) {
  IteratorSpec spec;
  spec.reverse = reverse;
  spec.start = std::move(start);
  spec.stop = std::move(stop);
  spec.include_start = include_start;
  spec.include_stop = include_stop;
  spec.prefix = std::move(prefix);
  spec.include_key = include_key;
  spec.include_value = include_value;
  spec.verify_checksums = verify_checksums;
  spec.fill_cache = fill_cache;
  return spec;
}

py::object NewIterator(std::shared_ptr<DbState> db,
                       std::shared_ptr<SnapshotState> snapshot,
                       const IteratorSpec& spec, std::string key_prefix) {
  return py::cast(new Cursor(std::move(db), std::move(snapshot), spec,
                             std::move(key_prefix)),
                  py::return_value_policy::take_ownership);
}

py::object NewRawIterator(std::shared_ptr<DbState> db,
                          std::shared_ptr<SnapshotState> snapshot,
                          bool verify_checksums, bool fill_cache) {
  return py::cast(new RawCursor(std::move(db), std::move(snapshot),
                                verify_checksums, fill_cache),
                  py::return_value_policy::take_ownership);
}

void RegisterIterators(py::module_& m) {
  py::class_<Cursor>(m, "Iterator", R"(plyvel's iterator over a key range.

From DB.iterator() or Snapshot.iterator(); iterate it, or move it with
prev(), seek(), seek_to_start() and seek_to_stop(). It sees the DB as of
its creation. Close it (close(), or a with block) to free what it pins;
the DB's close() closes it too.)")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &Cursor::Next,
           "The next entry; StopIteration at the end.")
      .def("prev", &Cursor::Prev,
           "Moves back one entry and returns it; StopIteration at the start.")
      .def("seek_to_start", &Cursor::SeekToStart,
           "Moves before the first entry of the range.")
      .def("seek_to_stop", &Cursor::SeekToStop,
           "Moves after the last entry of the range.")
      .def("seek", &Cursor::Seek, py::arg("target"),
           "Moves just before the first entry >= target (within the range).")
      .def("close", &Cursor::Close, "Releases the iterator.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](Cursor& self, py::handle, py::handle, py::handle) {
        self.Close();
        return false;
      });

  py::class_<RawCursor>(m, "RawIterator", R"(plyvel's raw iterator.

A thin layer over the engine's iterator: not positioned until a seek;
key(), value(), item(), next() and prev() raise IteratorInvalidError when
valid() is false.)")
      .def("valid", &RawCursor::Valid, "Whether it is on an entry.")
      .def("seek_to_first", &RawCursor::SeekToFirst)
      .def("seek_to_last", &RawCursor::SeekToLast)
      .def("seek", &RawCursor::Seek, py::arg("target"),
           "Moves to the first key >= target.")
      .def("next", &RawCursor::Next)
      .def("prev", &RawCursor::Prev)
      .def("key", &RawCursor::Key)
      .def("value", &RawCursor::Value)
      .def("item", &RawCursor::Item, "(key, value)")
      .def("close", &RawCursor::Close, "Releases the iterator.")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](RawCursor& self, py::handle, py::handle, py::handle) {
        self.Close();
        return false;
      });
}

}  // namespace shale::python
