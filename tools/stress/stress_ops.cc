// The operations of the stress test: writes (following the protocol of
// expected_state.h), checked reads and scans, and whole-DB calls.
#include <algorithm>

#include "tools/stress/stress_test.h"
#include "tools/stress/value_gen.h"

namespace shale::stress {

namespace {

// Far enough ahead never to pass during a run.
constexpr uint64_t kFarFutureMs = 10ull * 365 * 24 * 3600 * 1000;

}  // namespace

void StressTest::OpWriteKey(ThreadState* t, UpdateKind kind) {
  uint32_t key = static_cast<uint32_t>(t->rnd.Uniform(shape_.num_keys));
  uint32_t stripe = StripeOf(key);
  std::vector<Update> updates;
  if (IsGroupStripe(stripe)) {
    // A group's keys change together or not at all.
    for (uint32_t k = StripeBegin(stripe); k < StripeEnd(stripe); k++) {
      updates.push_back({k, kind, PickValueLen(&t->rnd)});
    }
    DoWrite(t, std::move(updates), true, true);
  } else {
    updates.push_back({key, kind, PickValueLen(&t->rnd)});
    DoWrite(t, std::move(updates), false, false);
  }
}

void StressTest::OpBatch(ThreadState* t) {
  Random& rnd = t->rnd;
  std::vector<Update> updates;
  auto random_kind = [&] {
    uint64_t r = rnd.Uniform(10);
    return r < 6   ? UpdateKind::kPut
           : r < 8 ? UpdateKind::kDelete
           : r < 9 ? UpdateKind::kExpired
                   : UpdateKind::kExpiring;
  };
  if (shape_.group_every != 0 && rnd.OneIn(2)) {
    // A whole atomic group, every member of one kind (so a consistent view
    // shows all present at one version or all absent).
    uint32_t groups = (num_stripes_ + shape_.group_every - 1) /
                      shape_.group_every;
    uint32_t stripe =
        static_cast<uint32_t>(rnd.Uniform(groups)) * shape_.group_every;
    UpdateKind kind = random_kind();
    for (uint32_t k = StripeBegin(stripe); k < StripeEnd(stripe); k++) {
      updates.push_back({k, kind, PickValueLen(&rnd)});
    }
    DoWrite(t, std::move(updates), true, true);
    return;
  }
  // Several free keys, anywhere in the key space.
  int n = 2 + static_cast<int>(rnd.Uniform(7));
  std::vector<uint32_t> keys;
  for (int i = 0; i < n; i++) {
    uint32_t k = static_cast<uint32_t>(rnd.Uniform(shape_.num_keys));
    if (!IsGroupStripe(StripeOf(k))) keys.push_back(k);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.empty()) return;
  for (uint32_t k : keys) updates.push_back({k, random_kind(), PickValueLen(&rnd)});
  DoWrite(t, std::move(updates), true, false);
}

void StressTest::DoWrite(ThreadState* t, std::vector<Update> updates,
                         bool as_batch, bool same_version) {
  std::vector<uint32_t> keys;
  for (const Update& u : updates) keys.push_back(u.key);
  auto locks = LockKeys(keys);  // keys are sorted

  uint32_t group_version = 0;
  if (same_version) {
    for (uint32_t k : keys) group_version = std::max(group_version, es_->NewVersion(k));
  }
  const uint64_t now_ms = env_->NowUnixMillis();
  WriteBatch batch;
  WriteOptions wo;
  wo.sync = flags_.sync_one_in > 0 && t->rnd.OneIn(flags_.sync_one_in);
  std::string key, value;
  for (const Update& u : updates) {
    uint32_t version = same_version ? group_version : es_->NewVersion(u.key);
    bool exists = u.kind == UpdateKind::kPut || u.kind == UpdateKind::kExpiring;
    es_->BeginWrite(u.key, {version, exists});
    key = KeyString(u.key);
    if (u.kind == UpdateKind::kDelete) {
      batch.Delete(key);
      continue;
    }
    MakeValue(u.key, version, u.value_len, &value);
    uint64_t expire = u.kind == UpdateKind::kExpired    ? 1
                      : u.kind == UpdateKind::kExpiring ? now_ms + kFarFutureMs
                                                        : 0;
    batch.Put(key, value, expire);
    if (!as_batch) wo.expire_at_ms = expire;
  }

  const uint64_t gen = crash_gen_.load();
  Status s;
  if (as_batch) {
    s = db_->Write(wo, &batch);
    stats_.batches.fetch_add(1, std::memory_order_relaxed);
  } else if (updates[0].kind == UpdateKind::kDelete) {
    s = db_->Delete(wo, key);
    stats_.deletes.fetch_add(1, std::memory_order_relaxed);
  } else {
    s = db_->Put(wo, key, value);
    (updates[0].kind == UpdateKind::kPut ? stats_.puts : stats_.expiring)
        .fetch_add(1, std::memory_order_relaxed);
  }
  if (!s.ok()) {
    // The oracle keeps latest ahead of committed: the DB may hold it.
    HandleWriteError(t, s, "write");
    return;
  }
  uint64_t ticket = tickets_.fetch_add(1) + 1;
  for (uint32_t k : keys) es_->Commit(k, ticket);
  if (wo.sync) {
    stats_.sync_writes.fetch_add(1, std::memory_order_relaxed);
    std::shared_lock<std::shared_mutex> l(durability_mu_);
    if (DurableAllowed(gen)) {
      for (uint32_t k : keys) {
        es_->MarkDurable(k, static_cast<uint32_t>(gen << 2) | kSyncWrite);
      }
    }
  }
}

void StressTest::HandleWriteError(ThreadState* t, const Status& s,
                                  const char* what) {
  stats_.write_errors.fetch_add(1, std::memory_order_relaxed);
  if (!faults_on() || !(s.IsIOError() || s.IsNoSpace())) {
    Fail(std::string(what) + " failed: " + s.ToString());
    return;
  }
  if (t->rnd.OneIn(2)) {
    stats_.resumes.fetch_add(1, std::memory_order_relaxed);
    Status r = db_->Resume();
    if (!r.ok() && !r.IsIOError() && !r.IsNoSpace()) {
      Fail("Resume: " + r.ToString());
    }
  }
}

void StressTest::OpGet(ThreadState* t) {
  uint32_t key = static_cast<uint32_t>(t->rnd.Uniform(shape_.num_keys));
  ReadOptions ro;
  ro.verify_checksums = t->rnd.OneIn(8);
  ro.fill_cache = !t->rnd.OneIn(8);
  std::string value;
  Status s;
  KeySnapshot snap;
  {
    auto locks = LockRange(key, key + 1);
    snap = es_->Snapshot(key);
    s = db_->Get(ro, KeyString(key), &value);
  }
  stats_.gets.fetch_add(1, std::memory_order_relaxed);
  Observed obs;
  bool judged;
  CheckRead(key, snap, snap.committed, s, value, &obs, &judged, "Get");
}

void StressTest::OpScan(ThreadState* t) {
  Random& rnd = t->rnd;
  uint32_t lo = static_cast<uint32_t>(rnd.Uniform(shape_.num_keys));
  uint32_t len = 1 + static_cast<uint32_t>(rnd.Uniform(flags_.max_scan_keys));
  uint32_t hi = std::min(shape_.num_keys, lo + len);
  std::vector<KeySnapshot> snaps;
  const Snapshot* snapshot = nullptr;
  std::unique_ptr<Iterator> implicit;  // an iterator without a snapshot
  ReadOptions ro;
  stats_.scans.fetch_add(1, std::memory_order_relaxed);
  if (rnd.OneIn(3)) {
    // Without the locks, writers race the snapshot: nothing can be compared
    // with the oracle, but what it shows must be consistent (atomic groups
    // whole, iterator and Get agreeing, values intact).
    ro.snapshot = db_->GetSnapshot();
    VerifyRange(t, ro, lo, hi, snaps, "unlocked scan");
    db_->ReleaseSnapshot(ro.snapshot);
    return;
  }
  {
    auto locks = LockRange(lo, hi);
    for (uint32_t k = lo; k < hi; k++) snaps.push_back(es_->Snapshot(k));
    if (rnd.OneIn(4)) {
      implicit = db_->NewIterator(ro);
    } else {
      snapshot = db_->GetSnapshot();
    }
  }
  if (implicit != nullptr) {
    // Made with the keys locked: it must read exactly that state.
    VerifyRange(t, ro, lo, hi, snaps, "scan without snapshot", implicit.get());
    return;
  }
  ro.snapshot = snapshot;
  VerifyRange(t, ro, lo, hi, snaps, "scan");
  if (flags_.hold_snapshot_one_in > 0 &&
      rnd.OneIn(flags_.hold_snapshot_one_in) && t->held.size() < 4) {
    t->held.push_back({snapshot, lo, hi, std::move(snaps)});
    gate_.AddHeld(1);
    stats_.held_snapshots.fetch_add(1, std::memory_order_relaxed);
  } else {
    db_->ReleaseSnapshot(snapshot);
  }
  if (!t->held.empty() && rnd.OneIn(8)) {
    // An older snapshot, after more writes, flushes and compactions.
    HeldSnapshot h = std::move(t->held.front());
    t->held.erase(t->held.begin());
    ReadOptions old;
    old.snapshot = h.snapshot;
    VerifyRange(t, old, h.lo, h.hi, h.snaps, "held snapshot");
    db_->ReleaseSnapshot(h.snapshot);
    gate_.AddHeld(-1);
  }
}

void StressTest::ReleaseHeldSnapshots(ThreadState* t, bool verify) {
  if (t->held.empty()) return;
  int n = static_cast<int>(t->held.size());
  for (HeldSnapshot& h : t->held) {
    if (verify && !failed()) {
      ReadOptions ro;
      ro.snapshot = h.snapshot;
      VerifyRange(t, ro, h.lo, h.hi, h.snaps, "held snapshot");
    }
    db_->ReleaseSnapshot(h.snapshot);
  }
  t->held.clear();
  gate_.AddHeld(-n);
}

void StressTest::MarkDurable(uint64_t ticket, uint64_t gen) {
  if (flags_.crash_one_in == 0) return;  // only power loss needs the floors
  for (uint32_t s = 0; s < num_stripes_; s++) {
    // Stripe first, then durability_mu_, as DoWrite takes them.
    std::lock_guard<std::mutex> sl(stripe_mu_[s]);
    std::shared_lock<std::shared_mutex> l(durability_mu_);
    if (!DurableAllowed(gen)) return;
    for (uint32_t k = StripeBegin(s); k < StripeEnd(s); k++) {
      es_->MarkDurableIfAckedBefore(
          k, ticket, static_cast<uint32_t>(gen << 2) | kSyncCall);
    }
  }
}

void StressTest::OpSyncWal(ThreadState* t) {
  uint64_t gen = crash_gen_.load();
  uint64_t ticket = tickets_.load() + 1;
  Status s = db_->SyncWAL();
  stats_.sync_wals.fetch_add(1, std::memory_order_relaxed);
  if (!s.ok()) return HandleWriteError(t, s, "SyncWAL");
  MarkDurable(ticket, gen);
}

void StressTest::OpFlush(ThreadState* t) {
  uint64_t gen = crash_gen_.load();
  uint64_t ticket = tickets_.load() + 1;
  Status s = db_->Flush();
  stats_.flushes.fetch_add(1, std::memory_order_relaxed);
  if (!s.ok()) return HandleWriteError(t, s, "Flush");
  MarkDurable(ticket, gen);
}

void StressTest::OpCompactRange(ThreadState* t) {
  uint64_t gen = crash_gen_.load();
  uint64_t ticket = tickets_.load() + 1;
  Status s;
  CompactRangeOptions o;
  o.force_vlog_gc = t->rnd.OneIn(3);  // rewrite live values out of old vlogs
  if (t->rnd.OneIn(4)) {
    s = db_->CompactRange(o, nullptr, nullptr);
  } else {
    uint32_t a = static_cast<uint32_t>(t->rnd.Uniform(shape_.num_keys));
    uint32_t b = static_cast<uint32_t>(t->rnd.Uniform(shape_.num_keys));
    std::string lo = KeyString(std::min(a, b)), hi = KeyString(std::max(a, b));
    std::string_view lov = lo, hiv = hi;
    s = db_->CompactRange(o, &lov, &hiv);
  }
  stats_.compactions.fetch_add(1, std::memory_order_relaxed);
  if (!s.ok()) return HandleWriteError(t, s, "CompactRange");
  MarkDurable(ticket, gen);
}

void StressTest::OpInjectFault(ThreadState* t) {
  Random& rnd = t->rnd;
  static const FaultOp kOps[] = {FaultOp::kAppend,  FaultOp::kFlush,
                                 FaultOp::kSync,    FaultOp::kRename,
                                 FaultOp::kSyncDir, FaultOp::kOpen,
                                 FaultOp::kRead,    FaultOp::kRemove};
  static const char* kPaths[] = {"", ".log", ".sst", "MANIFEST", "CURRENT"};
  std::vector<FaultOp> ops;
  for (FaultOp op : kOps) {
    std::string name = FaultOpName(op);
    std::string list = "," + flags_.fault_kinds + ",";
    if (list.find("," + name + ",") != std::string::npos) ops.push_back(op);
  }
  if (ops.empty()) return;
  FaultSpec spec;
  spec.op = ops[rnd.Uniform(ops.size())];
  spec.path_substring = kPaths[rnd.Uniform(std::size(kPaths))];
  const bool wal_write = spec.op == FaultOp::kAppend ||
                         spec.op == FaultOp::kFlush || spec.op == FaultOp::kSync;
  if (!flags_.wal_faults && wal_write &&
      (spec.path_substring.empty() || spec.path_substring == ".log")) {
    spec.path_substring = ".sst";
  }
  spec.code = rnd.OneIn(3) ? Status::Code::kNoSpace : Status::Code::kIOError;
  spec.skip = static_cast<int>(rnd.Uniform(50));
  spec.times = 1 + static_cast<int>(rnd.Uniform(3));
  mem_env_->InjectFault(spec);
  stats_.faults.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace shale::stress
