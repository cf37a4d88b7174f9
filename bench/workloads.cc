// The db_bench-style benchmarks: fills, point reads, scans, seeks, deletes
// and reads under a concurrent writer. See docs/bench.md for what each does.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "proc_stats.h"
#include "runner.h"

namespace shale_bench {

namespace {

using Clock = std::chrono::steady_clock;

const std::set<std::string>& WriteBenchmarks() {
  static const std::set<std::string> s = {
      "fillseq",          "fillrandom", "overwrite", "deleterandom",
      "readwhilewriting", "ycsb_load",  "ycsb_a",    "ycsb_b",
      "ycsb_d",           "ycsb_e",     "ycsb_f"};
  return s;
}

const std::set<std::string>& AllBenchmarks() {
  static const std::set<std::string> s = {
      "fillseq",          "fillrandom", "overwrite",   "deleterandom",
      "readrandom",       "readseq",    "readreverse", "seekrandom",
      "readwhilewriting", "ycsb_load",  "ycsb_a",      "ycsb_b",
      "ycsb_c",           "ycsb_d",     "ycsb_e",      "ycsb_f"};
  return s;
}

}  // namespace

bool IsKnownBenchmark(const std::string& name) {
  return AllBenchmarks().count(name) != 0;
}
bool IsWriteBenchmark(const std::string& name) {
  return WriteBenchmarks().count(name) != 0;
}
bool NeedsData(const std::string& name) {
  return name != "fillseq" && name != "fillrandom" && name != "ycsb_load";
}

Runner::Runner(const Flags& flags, Engine* engine)
    : flags_(flags),
      engine_(engine),
      keys_(flags.key_size),
      pool_(flags.value_size, flags.compression_ratio, flags.seed),
      next_insert_(static_cast<uint64_t>(flags.num)) {
  uint64_t inserts = 0;
  for (const std::string& b : flags.benchmarks) {
    if (b == "ycsb_d") inserts += flags.reads;
    if (b == "ycsb_e") inserts += flags.ycsb_e_ops;
  }
  capacity_ = static_cast<uint64_t>(flags.num) + inserts + 1;
  stamps_ = std::make_unique<std::atomic<uint32_t>[]>(capacity_);
  for (uint64_t i = 0; i < capacity_; i++) stamps_[i].store(0);
}

// --- helpers ----------------------------------------------------------------

uint32_t Runner::NextStamp(ThreadState* st, int thread, int threads) {
  return stamp_base_ + static_cast<uint32_t>(st->writes * threads + thread + 1);
}

bool Runner::PutIndex(uint64_t index, ThreadState* st, int thread,
                      int threads) {
  char key[1024];
  std::string& value = st->value_buf;
  value.resize(pool_.value_size());
  uint32_t stamp = NextStamp(st, thread, threads);
  st->writes++;
  std::string_view k = keys_.Format(index, key);
  std::string_view v = pool_.Make(index, stamp, value.data());
  if (engine_->Put(k, v) != OpResult::kOk) {
    st->error = "put: " + LastEngineError();
    return false;
  }
  if (index < capacity_) stamps_[index].store(stamp, std::memory_order_relaxed);
  st->bytes_written += static_cast<int64_t>(k.size() + v.size());
  return true;
}

void Runner::Fail(ThreadState* st, const std::string& what) {
  st->verify_failures++;
  if (failures_printed_.fetch_add(1) < 10) {
    std::fprintf(stderr, "verify: %s\n", what.c_str());
  }
}

void Runner::CheckValue(uint64_t index, std::string_view value, bool exact,
                        ThreadState* st) {
  uint32_t stamp;
  if (!pool_.Check(index, value, &stamp)) {
    Fail(st, "key " + std::to_string(index) + ": value of " +
                 std::to_string(value.size()) +
                 " bytes is not one written for this key");
    return;
  }
  if (exact && index < capacity_ && pool_.value_size() >= ValuePool::kHeader) {
    uint32_t want = stamps_[index].load(std::memory_order_relaxed);
    if (stamp != want) {
      Fail(st, "key " + std::to_string(index) + ": read the value of write #" +
                   std::to_string(stamp) + ", the last write was #" +
                   std::to_string(want) +
                   (want == 0 ? " (deleted/never written)" : ""));
    }
  }
}

void Runner::CheckMissing(uint64_t index, bool exact, ThreadState* st) {
  if (!exact || index >= capacity_) return;
  uint32_t want = stamps_[index].load(std::memory_order_relaxed);
  if (want != 0) {
    Fail(st, "key " + std::to_string(index) + ": not found, but write #" +
                 std::to_string(want) + " stored it");
  }
}

uint64_t Runner::NextLive(uint64_t from) const {
  for (uint64_t i = from; i < capacity_; i++) {
    if (stamps_[i].load(std::memory_order_relaxed) != 0) return i;
  }
  return UINT64_MAX;
}

uint64_t Runner::PrevLive(uint64_t from) const {
  if (capacity_ == 0) return UINT64_MAX;
  for (uint64_t i = std::min(from, capacity_ - 1) + 1; i-- > 0;) {
    if (stamps_[i].load(std::memory_order_relaxed) != 0) return i;
  }
  return UINT64_MAX;
}

double Runner::RunThreads(int n, int index, const ThreadFn& fn,
                          States* states) {
  states->clear();
  for (int t = 0; t < n; t++) {
    states->push_back(
        std::make_unique<ThreadState>(SeedFor(flags_.seed, index, t)));
  }
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < n; t++) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      fn(t, (*states)[t].get());
    });
  }
  while (ready.load() < n) std::this_thread::yield();
  auto start = Clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : threads) th.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// --- the benchmarks ---------------------------------------------------------

BenchResult Runner::Run(const std::string& name, int index) {
  BenchResult r;
  r.benchmark = name;
  ProcIo io0 = ReadProcIo();
  EngineStats es0 = engine_->Stats();
  bool rss = ResetPeakRss();
  States states;
  int threads = flags_.threads;

  if (name == "fillseq" || name == "fillrandom" || name == "ycsb_load") {
    r.seconds = Fill(name, index, flags_.num, &states);
    loaded_ = true;
  } else if (name == "overwrite" || name == "deleterandom") {
    r.seconds = Fill(name, index, flags_.num, &states);
    if (threads > 1) exact_ = false;
  } else if (name == "readrandom") {
    r.seconds = ReadRandom(index, &states);
  } else if (name == "readseq" || name == "readreverse") {
    r.seconds = ReadSeq(index, name == "readreverse", &states);
  } else if (name == "seekrandom") {
    r.seconds = SeekRandom(index, &states);
  } else if (name == "readwhilewriting") {
    r.seconds = ReadWhileWriting(index, &states);
  } else if (name.size() == 6 && name.rfind("ycsb_", 0) == 0) {
    r.seconds = Ycsb(name[5], index, &states);
    if (threads > 1 && name != "ycsb_c" && name != "ycsb_d" &&
        name != "ycsb_e") {
      exact_ = false;  // updates from several threads may hit one key
    }
  } else {
    r.error = "unknown benchmark";
    return r;
  }

  int64_t max_writes = 0;
  for (auto& st : states) {
    r.hist.Merge(st->hist);
    r.ops += st->ops;
    r.found += st->found;
    r.user_bytes_written += st->bytes_written;
    r.user_bytes_read += st->bytes_read;
    r.verify_failures += st->verify_failures;
    max_writes = std::max(max_writes, st->writes);
    if (name == "readwhilewriting") r.writer_ops += st->writes;
    if (!st->error.empty() && r.error.empty()) r.error = st->error;
  }
  stamp_base_ +=
      static_cast<uint32_t>((max_writes + 1) * (int64_t)states.size());

  if (IsWriteBenchmark(name)) {
    auto start = Clock::now();
    engine_->WaitForBackground(flags_.settle_timeout);
    r.background_seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    WaitForWritesToSettle(
        flags_.settle,
        std::max(flags_.settle_timeout - r.background_seconds, 1.0));
    r.settle_seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
  }
  ProcIo io1 = ReadProcIo();
  EngineStats es1 = engine_->Stats();
  if (io0.write_bytes >= 0 && io1.write_bytes >= 0) {
    r.disk_write_bytes = io1.write_bytes - io0.write_bytes;
    r.disk_read_bytes = io1.read_bytes - io0.read_bytes;
  }
  if (es0.write_bytes >= 0 && es1.write_bytes >= 0) {
    r.engine_write_bytes = es1.write_bytes - es0.write_bytes;
    r.engine_write_scope = es1.write_bytes_scope;
  }
  if (rss) r.peak_rss = PeakRssBytes();
  return r;
}

double Runner::Fill(const std::string& name, int index, int64_t ops,
                    States* states) {
  const int threads = flags_.threads;
  const uint64_t num = static_cast<uint64_t>(flags_.num);
  const Permutation perm(num, SeedFor(flags_.seed, index, -1));
  const bool seq = name == "fillseq";
  const bool random_order = name == "fillrandom" || name == "ycsb_load";
  const bool del = name == "deleterandom";
  return RunThreads(
      threads, index,
      [&](int t, ThreadState* st) {
        char key[1024];
        auto t0 = Clock::now();
        for (int64_t i = Begin(ops, threads, t); i < Begin(ops, threads, t + 1);
             i++) {
          uint64_t k = seq            ? uint64_t(i)
                       : random_order ? perm.At(uint64_t(i))
                                      : st->rnd.Uniform(num);
          if (del) {
            if (engine_->Delete(keys_.Format(k, key)) != OpResult::kOk) {
              st->error = "delete: " + LastEngineError();
              return;
            }
            stamps_[k].store(0, std::memory_order_relaxed);
          } else if (!PutIndex(k, st, t, threads)) {
            return;
          }
          auto t1 = Clock::now();
          st->hist.Record(Nanos(t0, t1));
          t0 = t1;
          st->ops++;
        }
      },
      states);
}

double Runner::ReadRandom(int index, States* states) {
  const int threads = flags_.threads;
  const uint64_t num = static_cast<uint64_t>(flags_.num);
  const bool verify = flags_.verify, exact = exact_;
  return RunThreads(
      threads, index,
      [&](int t, ThreadState* st) {
        char key[1024];
        std::string value;
        auto t0 = Clock::now();
        for (int64_t i = Begin(flags_.reads, threads, t);
             i < Begin(flags_.reads, threads, t + 1); i++) {
          uint64_t k = st->rnd.Uniform(num);
          std::string_view ks = keys_.Format(k, key);
          OpResult res = engine_->Get(ks, &value);
          auto t1 = Clock::now();
          st->hist.Record(Nanos(t0, t1));
          st->ops++;
          if (res == OpResult::kOk) {
            st->found++;
            st->bytes_read += static_cast<int64_t>(ks.size() + value.size());
            if (verify) CheckValue(k, value, exact, st);
          } else if (res == OpResult::kNotFound) {
            if (verify) CheckMissing(k, exact, st);
          } else {
            st->error = "get: " + LastEngineError();
            return;
          }
          t0 = verify ? Clock::now() : t1;  // checking is not the engine's time
        }
      },
      states);
}

double Runner::ReadSeq(int index, bool reverse, States* states) {
  const int threads = flags_.threads;
  const bool verify = flags_.verify, exact = exact_;
  return RunThreads(
      threads, index,
      [&](int t, ThreadState* st) {
        int64_t want = Begin(flags_.reads, threads, t + 1) -
                       Begin(flags_.reads, threads, t);
        std::unique_ptr<EngineIterator> it = engine_->NewIterator();
        auto t0 = Clock::now();
        if (reverse)
          it->SeekToLast();
        else
          it->SeekToFirst();
        // expect: the index the next entry must have (verify, exact only).
        uint64_t expect = reverse ? PrevLive(UINT64_MAX - 1) : NextLive(0);
        uint64_t prev = 0;
        for (int64_t n = 0; n < want && it->Valid(); n++) {
          std::string_view k = it->key(), v = it->value();
          st->bytes_read += static_cast<int64_t>(k.size() + v.size());
          st->found++;
          st->ops++;
          if (reverse)
            it->Prev();
          else
            it->Next();
          auto t1 = Clock::now();
          st->hist.Record(Nanos(t0, t1));
          t0 = t1;
        }
        if (!it->error().empty()) st->error = "iterator: " + it->error();
        if (!verify) return;
        // A second pass, untimed, that checks order, contents and (when the
        // model is exact) that no key is missing or extra.
        if (reverse)
          it->SeekToLast();
        else
          it->SeekToFirst();
        for (int64_t n = 0; n < want && it->Valid(); n++) {
          uint64_t idx;
          if (!keys_.Parse(it->key(), &idx)) {
            Fail(st, "scan: foreign key '" + std::string(it->key()) + "'");
            return;
          }
          if (n > 0 && (reverse ? idx >= prev : idx <= prev)) {
            Fail(st, "scan: key " + std::to_string(idx) +
                         " out of order after " + std::to_string(prev));
          }
          if (exact && idx != expect) {
            Fail(st, "scan: found key " + std::to_string(idx) + ", expected " +
                         std::to_string(expect));
            return;
          }
          CheckValue(idx, it->value(), exact, st);
          prev = idx;
          expect = reverse ? (idx == 0 ? UINT64_MAX : PrevLive(idx - 1))
                           : NextLive(idx + 1);
          if (reverse)
            it->Prev();
          else
            it->Next();
        }
      },
      states);
}

double Runner::SeekRandom(int index, States* states) {
  const int threads = flags_.threads;
  const uint64_t num = static_cast<uint64_t>(flags_.num);
  const bool verify = flags_.verify, exact = exact_;
  return RunThreads(
      threads, index,
      [&](int t, ThreadState* st) {
        char key[1024];
        std::unique_ptr<EngineIterator> it = engine_->NewIterator();
        auto t0 = Clock::now();
        for (int64_t i = Begin(flags_.reads, threads, t);
             i < Begin(flags_.reads, threads, t + 1); i++) {
          uint64_t target = st->rnd.Uniform(num);
          it->Seek(keys_.Format(target, key));
          if (it->Valid()) st->found++;
          uint64_t expect = verify && exact ? NextLive(target) : 0;
          for (int n = 0; n <= flags_.seek_nexts && it->Valid(); n++) {
            std::string_view k = it->key(), v = it->value();
            st->bytes_read += static_cast<int64_t>(k.size() + v.size());
            if (verify) {
              uint64_t idx;
              if (!keys_.Parse(k, &idx) || idx < target ||
                  (exact && idx != expect)) {
                Fail(st, "seek " + std::to_string(target) + " +" +
                             std::to_string(n) + ": got key '" +
                             std::string(k) + "', expected index " +
                             std::to_string(expect));
              } else {
                CheckValue(idx, v, exact, st);
                if (exact) expect = NextLive(idx + 1);
              }
            }
            if (n < flags_.seek_nexts) it->Next();
          }
          if (!it->error().empty()) {
            st->error = "iterator: " + it->error();
            return;
          }
          auto t1 = Clock::now();
          st->hist.Record(Nanos(t0, t1));
          st->ops++;
          t0 = verify ? Clock::now() : t1;
        }
      },
      states);
}

double Runner::ReadWhileWriting(int index, States* states) {
  // threads readers (as readrandom) and one more thread that overwrites
  // random keys until the readers are done. Latency is the readers'.
  const int readers = flags_.threads;
  const uint64_t num = static_cast<uint64_t>(flags_.num);
  const bool verify = flags_.verify;
  std::atomic<int> readers_left{readers};
  return RunThreads(
      readers + 1, index,
      [&](int t, ThreadState* st) {
        char key[1024];
        if (t == readers) {  // the writer
          Random rnd(SeedFor(flags_.seed, index, 1000));
          auto start = Clock::now();
          while (readers_left.load(std::memory_order_relaxed) > 0) {
            if (!PutIndex(rnd.Uniform(num), st, 0, 1)) return;
            if (flags_.writes_per_sec > 0) {
              auto due =
                  start + std::chrono::nanoseconds(st->writes * 1000000000LL /
                                                   flags_.writes_per_sec);
              std::this_thread::sleep_until(due);
            }
          }
          return;
        }
        std::string value;
        auto t0 = Clock::now();
        for (int64_t i = Begin(flags_.reads, readers, t);
             i < Begin(flags_.reads, readers, t + 1); i++) {
          uint64_t k = st->rnd.Uniform(num);
          std::string_view ks = keys_.Format(k, key);
          OpResult res = engine_->Get(ks, &value);
          auto t1 = Clock::now();
          st->hist.Record(Nanos(t0, t1));
          st->ops++;
          if (res == OpResult::kOk) {
            st->found++;
            st->bytes_read += static_cast<int64_t>(ks.size() + value.size());
            // The writer may be ahead of the model: check the key, not the age.
            if (verify) CheckValue(k, value, false, st);
          } else if (res != OpResult::kNotFound) {
            st->error = "get: " + LastEngineError();
            break;
          }
          t0 = verify ? Clock::now() : t1;
        }
        readers_left.fetch_sub(1);
      },
      states);
}

}  // namespace shale_bench
