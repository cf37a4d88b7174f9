// The YCSB core workloads A-F over the records loaded by a fill.
//
//   A  50% read, 50% update          zipfian     (session store)
//   B  95% read,  5% update          zipfian     (photo tagging)
//   C 100% read                      zipfian     (user profile cache)
//   D  95% read,  5% insert          latest      (status updates)
//   E  95% scan,  5% insert          zipfian     (threaded conversations)
//   F  50% read, 50% read-modify-write  zipfian  (user database)
//
// A record is one key and one --value_size value; an update rewrites the
// whole value (no fields). Scans read a uniform 1..100 records from a
// zipfian start key. Inserts take new indices past the loaded ones. The
// zipfian chooser covers the --num loaded records (hot records scattered
// over the key space by a hash, as YCSB's scrambled zipfian); "latest" picks
// by zipfian rank back from the newest insert.
#include <chrono>

#include "runner.h"

namespace shale_bench {

namespace {
using Clock = std::chrono::steady_clock;

struct Mix {
  double read, update, insert, scan, rmw;
  bool latest;
};

bool MixOf(char w, Mix* m) {
  switch (w) {
    case 'a':
      *m = {0.50, 0.50, 0, 0, 0, false};
      return true;
    case 'b':
      *m = {0.95, 0.05, 0, 0, 0, false};
      return true;
    case 'c':
      *m = {1.00, 0, 0, 0, 0, false};
      return true;
    case 'd':
      *m = {0.95, 0, 0.05, 0, 0, true};
      return true;
    case 'e':
      *m = {0, 0, 0.05, 0.95, 0, false};
      return true;
    case 'f':
      *m = {0.50, 0, 0, 0, 0.50, false};
      return true;
  }
  return false;
}
}  // namespace

double Runner::Ycsb(char workload, int index, States* states) {
  Mix mix;
  if (!MixOf(workload, &mix)) return 0;
  const int threads = flags_.threads;
  const int64_t ops = workload == 'e' ? flags_.ycsb_e_ops : flags_.reads;
  const uint64_t records = static_cast<uint64_t>(flags_.num);
  const ScrambledZipfian zipf(records);
  const Zipfian latest(records);
  const bool verify = flags_.verify;
  // With one thread the model is exact; with several, updates to one key
  // race and only the key's ownership of the value is checked.
  const bool exact = exact_ && threads == 1;

  return RunThreads(
      threads, index,
      [&](int t, ThreadState* st) {
        char key[1024];
        std::string value;
        auto choose = [&]() -> uint64_t {
          if (!mix.latest) return zipf.Next(&st->rnd);
          uint64_t newest = next_insert_.load(std::memory_order_relaxed) - 1;
          uint64_t back = latest.Next(&st->rnd);
          return back > newest ? 0 : newest - back;
        };
        auto read = [&](uint64_t k) {
          std::string_view ks = keys_.Format(k, key);
          OpResult res = engine_->Get(ks, &value);
          if (res == OpResult::kOk) {
            st->found++;
            st->bytes_read += static_cast<int64_t>(ks.size() + value.size());
            if (verify) CheckValue(k, value, exact, st);
          } else if (res == OpResult::kNotFound) {
            if (verify) CheckMissing(k, exact, st);
          } else {
            st->error = "get: " + LastEngineError();
            return false;
          }
          return true;
        };
        std::unique_ptr<EngineIterator> it;
        auto t0 = Clock::now();
        for (int64_t i = Begin(ops, threads, t); i < Begin(ops, threads, t + 1);
             i++) {
          double p = st->rnd.UniformDouble();
          bool ok = true;
          if ((p -= mix.read) < 0) {
            ok = read(choose());
          } else if ((p -= mix.update) < 0) {
            ok = PutIndex(choose(), st, t, threads);
          } else if ((p -= mix.insert) < 0) {
            uint64_t k = next_insert_.fetch_add(1);
            ok = k < capacity_ && PutIndex(k, st, t, threads);
            if (k >= capacity_) st->error = "ycsb: out of insert keys";
          } else if ((p -= mix.scan) < 0) {
            if (!it) it = engine_->NewIterator();
            int len = 1 + static_cast<int>(st->rnd.Uniform(100));
            it->Seek(keys_.Format(choose(), key));
            if (it->Valid()) st->found++;
            for (int n = 0; n < len && it->Valid(); n++) {
              std::string_view k = it->key(), v = it->value();
              st->bytes_read += static_cast<int64_t>(k.size() + v.size());
              if (verify) {
                uint64_t idx;
                if (!keys_.Parse(k, &idx))
                  Fail(st, "scan: foreign key");
                else
                  CheckValue(idx, v, false, st);
              }
              it->Next();
            }
            if (!it->error().empty()) {
              st->error = "iterator: " + it->error();
              ok = false;
            }
            // A fresh iterator now and then, so scans see recent inserts.
            if (i % 64 == 0) it.reset();
          } else {  // read-modify-write
            uint64_t k = choose();
            ok = read(k) && PutIndex(k, st, t, threads);
          }
          if (!ok) return;
          auto t1 = Clock::now();
          st->hist.Record(Nanos(t0, t1));
          st->ops++;
          t0 = t1;
        }
      },
      states);
}

}  // namespace shale_bench
