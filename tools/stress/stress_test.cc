// StressTest: setup, the worker loop, exclusive actions (reopen, simulated
// power loss) and the summary. Operations are in stress_ops.cc, checks in
// stress_verify.cc.
#include "tools/stress/stress_test.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <thread>

#include "util/kill_point.h"

namespace shale::stress {

namespace {

uint64_t NowMicros() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

}  // namespace

StressTest::StressTest(const StressFlags& flags) : flags_(flags) {}

StressTest::~StressTest() = default;

uint32_t StressTest::StripeEnd(uint32_t stripe) const {
  return std::min<uint32_t>((stripe + 1) * shape_.group_size,
                            shape_.num_keys);
}

std::vector<std::unique_lock<std::mutex>> StressTest::LockRange(uint32_t lo,
                                                                uint32_t hi) {
  std::vector<std::unique_lock<std::mutex>> locks;
  for (uint32_t s = StripeOf(lo); s <= StripeOf(hi - 1); s++) {
    locks.emplace_back(stripe_mu_[s]);
  }
  return locks;
}

std::vector<std::unique_lock<std::mutex>> StressTest::LockKeys(
    const std::vector<uint32_t>& sorted_keys) {
  std::vector<std::unique_lock<std::mutex>> locks;
  uint32_t last = UINT32_MAX;
  for (uint32_t k : sorted_keys) {
    uint32_t s = StripeOf(k);
    if (s != last) locks.emplace_back(stripe_mu_[s]);
    last = s;
  }
  return locks;
}

size_t StressTest::PickValueLen(Random* rnd) const {
  if (flags_.large_value_one_in > 0 && rnd->OneIn(flags_.large_value_one_in)) {
    uint64_t half = static_cast<uint64_t>(flags_.large_value_size) / 2;
    return static_cast<size_t>(half + rnd->Uniform(half + 1));
  }
  uint64_t max = static_cast<uint64_t>(flags_.value_size_max);
  int log = 0;
  while ((uint64_t{1} << log) < max + 1) log++;
  return static_cast<size_t>(std::min(max, rnd->Skewed(log)));
}

void StressTest::Fail(const std::string& msg) {
  std::lock_guard<std::mutex> l(fail_mu_);
  std::fprintf(stderr, "FAILURE (seed %" PRIu64 "): %s\n", flags_.seed,
               msg.c_str());
  std::fflush(stderr);
  failed_.store(true);
}

Status StressTest::OpenDB() {
  options_.env = env_;
  db_.reset();
  return DB::Open(options_, dbname_, &db_);
}

int StressTest::Run() {
  std::printf("shale-stress seed %" PRIu64 "\n%s\n", flags_.seed,
              FlagsToString(flags_).c_str());
  std::fflush(stdout);
  if (flags_.kill_odds > 0) {
    if (!kill_point::Enabled()) {
      std::fprintf(stderr,
                   "shale-stress: --kill_odds needs a build with "
                   "-DSHALE_KILL_POINTS=ON\n");
      return 2;
    }
    kill_point::Configure(static_cast<uint32_t>(flags_.kill_odds),
                          flags_.kill_prefix, flags_.seed);
  }
  Status s = ToOptions(flags_, &options_);
  if (!s.ok()) {
    std::fprintf(stderr, "shale-stress: %s\n", s.ToString().c_str());
    return 2;
  }
  if (flags_.env == "mem") {
    mem_env_ = std::make_unique<MemEnv>();
    env_ = mem_env_.get();
    dbname_ = flags_.db.empty() ? "/stress" : flags_.db;
  } else if (flags_.env == "posix") {
    env_ = Env::Default();
    dbname_ = flags_.db;
    if (dbname_.empty()) {
      std::fprintf(stderr, "shale-stress: --db is required\n");
      return 2;
    }
  } else {
    std::fprintf(stderr, "shale-stress: --env must be posix or mem\n");
    return 2;
  }
  if ((flags_.crash_one_in > 0 || flags_.fault_one_in > 0) &&
      mem_env_ == nullptr) {
    std::fprintf(stderr, "shale-stress: --crash_one_in and --fault_one_in "
                         "need --env=mem\n");
    return 2;
  }
  if (flags_.num_keys <= 0 || flags_.group_size <= 0 ||
      flags_.group_every < 0 || flags_.threads <= 0) {
    std::fprintf(stderr, "shale-stress: bad key space or thread count\n");
    return 2;
  }

  shape_.num_keys = static_cast<uint32_t>(flags_.num_keys);
  shape_.group_size = static_cast<uint32_t>(flags_.group_size);
  shape_.group_every = static_cast<uint32_t>(flags_.group_every);
  bool fresh = false;
  s = ExpectedState::Open(flags_.expected_state, flags_.destroy, &shape_,
                          &fresh, &es_);
  if (!s.ok()) {
    std::fprintf(stderr, "shale-stress: %s\n", s.ToString().c_str());
    return 2;
  }
  num_stripes_ = (shape_.num_keys + shape_.group_size - 1) / shape_.group_size;
  stripe_mu_ = std::make_unique<std::mutex[]>(num_stripes_);
  if (fresh) {
    // A new oracle knows nothing: the DB must start empty too.
    s = DestroyDB(dbname_, options_);
    if (!s.ok() && !s.IsNotFound()) {
      std::fprintf(stderr, "shale-stress: destroy: %s\n",
                   s.ToString().c_str());
      return 2;
    }
  }

  start_micros_ = NowMicros();
  s = OpenDB();
  if (s.IsInvalidArgument()) {
    std::fprintf(stderr, "shale-stress: open: %s\n", s.ToString().c_str());
    return 2;
  }
  if (!s.ok()) {
    Fail("open: " + s.ToString());
    return 1;
  }
  if (!VerifyAll(Floor::kCommitted, fresh ? "start" : "reopen after crash")) {
    return 1;
  }
  if (flags_.verify_only) {
    db_.reset();
    PrintStats();
    return 0;
  }

  std::vector<std::unique_ptr<ThreadState>> states;
  std::vector<std::thread> threads;
  Random seeder(flags_.seed);
  for (int i = 0; i < flags_.threads; i++) {
    states.push_back(std::make_unique<ThreadState>(i, seeder.Next64()));
  }
  for (auto& t : states) {
    threads.emplace_back([this, t = t.get()] { Worker(t); });
  }
  for (auto& th : threads) th.join();

  PrintDBStats();
  if (!failed()) {
    // A clean close and reopen: every acknowledged write must be there.
    db_.reset();
    if (mem_env_ != nullptr) mem_env_->ClearFaults();
    s = OpenDB();
    if (!s.ok()) {
      Fail("final reopen: " + s.ToString());
    } else {
      VerifyAll(Floor::kCommitted, "final reopen");
    }
  }
  PrintStats();
  db_.reset();
  if (failed()) {
    std::printf("FAILED\n");
    return 1;
  }
  std::printf("PASSED\n");
  return 0;
}

void StressTest::Worker(ThreadState* t) {
  const uint64_t deadline =
      flags_.duration_s > 0
          ? start_micros_ + static_cast<uint64_t>(flags_.duration_s * 1e6)
          : UINT64_MAX;
  const uint64_t report_every =
      static_cast<uint64_t>(std::max(0.1, flags_.progress_s) * 1e6);
  uint64_t next_report = NowMicros() + report_every;
  while (!failed()) {
    if (flags_.ops_per_thread > 0 && t->ops >= flags_.ops_per_thread) break;
    if ((t->ops & 63) == 0 && NowMicros() >= deadline) break;
    if (!gate_.TryEnter()) {
      ReleaseHeldSnapshots(t, /*verify=*/true);
      gate_.WaitWhileExclusive();
      continue;
    }
    Exclusive what = RunOne(t);
    gate_.Exit();
    t->ops++;
    if (what != Exclusive::kNone) RunExclusive(t, what);
    if (t->index == 0 && (t->ops & 63) == 0 && NowMicros() >= next_report) {
      next_report = NowMicros() + report_every;
      const Stats& st = stats_;
      uint64_t writes = st.puts + st.deletes + st.expiring + st.batches;
      uint64_t reads = st.gets + st.scans;
      std::printf("progress: %.1f s, %" PRIu64 " ops (%" PRIu64
                  " writes, %" PRIu64 " reads)\n",
                  (NowMicros() - start_micros_) / 1e6,
                  writes + reads + st.sync_wals + st.flushes + st.compactions,
                  writes, reads);
      std::fflush(stdout);
    }
  }
  // Snapshots are released inside the gate's accounting (the DB is open
  // until every worker has let go of them).
  ReleaseHeldSnapshots(t, /*verify=*/!failed());
}

StressTest::Exclusive StressTest::RunOne(ThreadState* t) {
  Random& rnd = t->rnd;
  auto one_in = [&](int64_t n) { return n > 0 && rnd.OneIn(n); };
  if (one_in(flags_.crash_one_in)) return Exclusive::kPowerLoss;
  if (one_in(flags_.reopen_one_in)) return Exclusive::kReopen;
  if (one_in(flags_.fault_one_in)) return OpInjectFault(t), Exclusive::kNone;
  if (one_in(flags_.sync_wal_one_in)) return OpSyncWal(t), Exclusive::kNone;
  if (one_in(flags_.flush_one_in)) return OpFlush(t), Exclusive::kNone;
  if (one_in(flags_.compact_range_one_in)) {
    return OpCompactRange(t), Exclusive::kNone;
  }
  const int64_t weights[] = {flags_.put_weight,   flags_.delete_weight,
                             flags_.expire_weight, flags_.batch_weight,
                             flags_.get_weight,    flags_.scan_weight};
  int64_t total = 0;
  for (int64_t w : weights) total += w;
  if (total <= 0) return Exclusive::kNone;
  int64_t r = static_cast<int64_t>(rnd.Uniform(static_cast<uint64_t>(total)));
  int op = 0;
  while (r >= weights[op]) r -= weights[op++];
  switch (op) {
    case 0:
      OpWriteKey(t, UpdateKind::kPut);
      break;
    case 1:
      OpWriteKey(t, UpdateKind::kDelete);
      break;
    case 2:
      OpWriteKey(t, rnd.OneIn(2) ? UpdateKind::kExpired
                                 : UpdateKind::kExpiring);
      break;
    case 3:
      OpBatch(t);
      break;
    case 4:
      OpGet(t);
      break;
    default:
      OpScan(t);
      break;
  }
  return Exclusive::kNone;
}

void StressTest::RunExclusive(ThreadState* t, Exclusive what) {
  ReleaseHeldSnapshots(t, /*verify=*/true);
  std::lock_guard<std::mutex> one_at_a_time(exclusive_mu_);
  std::unique_ptr<MemEnv> clone;
  if (what == Exclusive::kPowerLoss) {
    // The clone is taken while the other threads keep writing: whatever
    // they were doing is cut at this instant. Durable floors are not raised
    // after it (crash_gen_ moves on, and doomed_ holds until the reopen),
    // so they stay true of the clone.
    std::unique_lock<std::shared_mutex> l(durability_mu_);
    clone = flags_.torn_tails
                ? mem_env_->CloneAfterCrashWithTornTails(t->rnd.Next64())
                : mem_env_->CloneAfterCrash();
    crash_gen_.fetch_add(1);
    doomed_.store(true);
  }
  gate_.BeginExclusive();
  if (!failed()) {
    db_.reset();
    if (clone != nullptr) {
      mem_env_ = std::move(clone);
      env_ = mem_env_.get();
      stats_.power_losses.fetch_add(1);
    } else {
      if (mem_env_ != nullptr) mem_env_->ClearFaults();
      stats_.reopens.fetch_add(1);
    }
    Status s = OpenDB();
    doomed_.store(false);  // no operation runs: the gate is held
    if (!s.ok()) {
      Fail(std::string(clone ? "open after power loss: " : "reopen: ") +
           s.ToString());
    } else {
      VerifyAll(what == Exclusive::kPowerLoss ? Floor::kDurable
                                              : Floor::kCommitted,
                what == Exclusive::kPowerLoss ? "after power loss"
                                              : "after reopen");
    }
  }
  gate_.EndExclusive();
}

void StressTest::PrintStats() {
  const Stats& s = stats_;
  std::printf("total: %" PRIu64 " ops\n",
              s.puts + s.deletes + s.expiring + s.batches + s.gets + s.scans +
                  s.sync_wals + s.flushes + s.compactions);
  std::printf(
      "ops: %" PRIu64 " puts, %" PRIu64 " deletes, %" PRIu64
      " expiring, %" PRIu64 " batches (%" PRIu64 " sync writes), %" PRIu64
      " gets, %" PRIu64 " scans (%" PRIu64 " snapshots held), %" PRIu64
      " SyncWAL, %" PRIu64 " flushes, %" PRIu64 " CompactRange, %" PRIu64
      " reopens, %" PRIu64 " power losses\n",
      s.puts.load(), s.deletes.load(), s.expiring.load(), s.batches.load(),
      s.sync_writes.load(), s.gets.load(), s.scans.load(),
      s.held_snapshots.load(), s.sync_wals.load(), s.flushes.load(),
      s.compactions.load(), s.reopens.load(), s.power_losses.load());
  std::printf("faults: %" PRIu64 " injected, %" PRIu64 " write errors, %" PRIu64
              " read errors, %" PRIu64 " resumes\n",
              s.faults.load(), s.write_errors.load(), s.read_errors.load(),
              s.resumes.load());
  std::printf("verify: %" PRIu64 " keys checked; in-flight writes found "
              "applied %" PRIu64 ", not applied %" PRIu64
              "; unsynced writes lost to power loss %" PRIu64
              "; acknowledged writes lost: %s\n",
              s.verified_keys.load(), s.inflight_applied.load(),
              s.inflight_dropped.load(), s.lost_unsynced.load(),
              failed() ? "see FAILURE above" : "0");
  std::fflush(stdout);
}

void StressTest::PrintDBStats() {
  if (db_ == nullptr) return;
  std::map<std::string, double> m;
  db_->GetStatsMap(&m);
  std::printf("db: %.0f flushes, %.0f compactions, %.0f trivial moves, "
              "%.0f background errors, write-amp %.2f\n",
              m["flushes"], m["compactions"], m["trivial_moves"],
              m["background_errors"], m["write_amp"]);
  std::fflush(stdout);
}

}  // namespace shale::stress
