// StressTest: several threads run a random mix of operations against one DB
// and check every read against the expected state (expected_state.h).
//
// Threads and locks
// -----------------
// Keys are grouped into stripes of --group_size consecutive keys, one mutex
// each. Every write holds the stripes of its keys (taken in ascending order)
// from BeginWrite to Commit, and every checked read holds them across the
// DB call, so the oracle and the DB change together and a read can be
// checked exactly. Every --group_every'th stripe is an *atomic group*: its
// keys are only ever written together, by one batch with one version, so
// any consistent view (a snapshot, an iterator, a recovered DB) must show
// them all at the same version.
//
// Operations run inside an OpGate; closing the DB (a reopen, a simulated
// power loss) waits until no operation is running and no snapshot is held.
//
// Crashes
// -------
// Blackbox and whitebox crashes (kill -9, kill points) end the process; the
// next run reopens the DB and checks every key against the oracle file, then
// settles the oracle on what it found. With --env=mem the test simulates a
// power loss itself (MemEnv::CloneAfterCrash*) while the threads run, then
// reopens the clone and checks against the durable floor; with
// --fault_one_in it injects I/O errors and checks that the DB reports them,
// recovers with Resume, and never returns wrong data.
#ifndef SHALE_TOOLS_STRESS_STRESS_TEST_H_
#define SHALE_TOOLS_STRESS_STRESS_TEST_H_

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "shale/db.h"
#include "tools/stress/expected_state.h"
#include "tools/stress/op_gate.h"
#include "tools/stress/stress_flags.h"
#include "util/mem_env.h"
#include "util/random.h"

namespace shale::stress {

class StressTest {
 public:
  explicit StressTest(const StressFlags& flags);
  ~StressTest();

  // Runs the whole test. Returns the exit code: 0 passed, 1 a check failed
  // (details on stderr), 2 the setup failed (bad flags, unusable files).
  int Run();

 private:
  // A snapshot kept to be checked again later, with the oracle's states
  // of its key range as they were when it was taken.
  struct HeldSnapshot {
    const Snapshot* snapshot;
    uint32_t lo, hi;
    std::vector<KeySnapshot> snaps;
  };
  struct ThreadState {
    ThreadState(int i, uint64_t seed) : index(i), rnd(seed) {}
    int index;
    Random rnd;
    int64_t ops = 0;
    std::vector<HeldSnapshot> held;
  };
  // What one write does to one key.
  enum class UpdateKind { kPut, kDelete, kExpired, kExpiring };
  struct Update {
    uint32_t key;
    UpdateKind kind;
    size_t value_len = 0;
  };
  enum class Floor { kCommitted, kDurable };
  // An operation that needs the DB to itself.
  enum class Exclusive { kNone, kReopen, kPowerLoss };

  // --- setup and whole-DB checks (stress_test.cc) ---
  Status OpenDB();
  void Worker(ThreadState* t);
  Exclusive RunOne(ThreadState* t);
  void RunExclusive(ThreadState* t, Exclusive what);
  // Reads every key with Get and with one full scan, checks each against
  // the oracle from the given floor, then settles the oracle on what was
  // found. Single-threaded: the caller holds the gate exclusively.
  bool VerifyAll(Floor floor, const char* why);
  void PrintStats();
  void PrintDBStats();  // the DB's own counters, before it is closed

  // --- operations (stress_ops.cc) ---
  void OpWriteKey(ThreadState* t, UpdateKind kind);
  void OpBatch(ThreadState* t);
  void OpGet(ThreadState* t);
  void OpScan(ThreadState* t);
  void OpSyncWal(ThreadState* t);
  void OpFlush(ThreadState* t);
  void OpCompactRange(ThreadState* t);
  void OpInjectFault(ThreadState* t);
  // Applies updates as one write (a batch when there is more than one, or
  // when as_batch), all with one version when same_version.
  void DoWrite(ThreadState* t, std::vector<Update> updates, bool as_batch,
               bool same_version);
  // After a failed write or whole-DB call: fine when faults are injected
  // and s is an I/O error (then maybe Resume), else a failure.
  void HandleWriteError(ThreadState* t, const Status& s, const char* what);
  // After SyncWAL/Flush/CompactRange that began at ticket, when no power
  // loss was simulated meanwhile: what was acknowledged before is durable.
  void MarkDurable(uint64_t ticket, uint64_t crash_gen);
  void ReleaseHeldSnapshots(ThreadState* t, bool verify);

  // --- checks (stress_verify.cc) ---
  // Checks one read (status, value) of key against s from floor. Sets
  // *obs. False if it fails (after Fail) or could not be judged (an
  // injected I/O error: *judged = false).
  bool CheckRead(uint32_t key, const KeySnapshot& s, const KeyVersion& floor,
                 const Status& status, const std::string& value, Observed* obs,
                 bool* judged, const std::string& context);
  // Checks keys [lo, hi) through an iterator at ro (or iter, when given)
  // and, when ro has a snapshot, Get at it, against snaps, taken with the
  // keys locked when the snapshot (or iter) was made.
  bool VerifyRange(ThreadState* t, const ReadOptions& ro, uint32_t lo,
                   uint32_t hi, const std::vector<KeySnapshot>& snaps,
                   const std::string& context, Iterator* iter = nullptr);
  // Members of each atomic group fully inside [lo, hi) agree.
  bool CheckGroups(uint32_t lo, uint32_t hi, const std::vector<Observed>& obs,
                   const std::vector<bool>& judged, const std::string& context);
  void Fail(const std::string& msg);
  bool failed() const { return failed_.load(std::memory_order_relaxed); }

  // --- key space helpers ---
  uint32_t StripeOf(uint32_t key) const { return key / shape_.group_size; }
  bool IsGroupStripe(uint32_t stripe) const {
    return shape_.group_every != 0 && stripe % shape_.group_every == 0;
  }
  uint32_t StripeBegin(uint32_t stripe) const {
    return stripe * shape_.group_size;
  }
  uint32_t StripeEnd(uint32_t stripe) const;
  // Locks the stripes of keys [lo, hi) in ascending order.
  std::vector<std::unique_lock<std::mutex>> LockRange(uint32_t lo, uint32_t hi);
  std::vector<std::unique_lock<std::mutex>> LockKeys(
      const std::vector<uint32_t>& sorted_keys);
  size_t PickValueLen(Random* rnd) const;
  bool faults_on() const { return flags_.fault_one_in > 0; }

  const StressFlags flags_;
  ExpectedState::Shape shape_;
  std::unique_ptr<ExpectedState> es_;
  std::unique_ptr<std::mutex[]> stripe_mu_;
  uint32_t num_stripes_ = 0;

  // The file system: Env::Default() or a MemEnv (replaced by its crash
  // clone on each simulated power loss, with the gate held exclusively).
  Env* env_ = nullptr;
  std::unique_ptr<MemEnv> mem_env_;
  std::string dbname_;
  Options options_;
  std::unique_ptr<DB> db_;  // replaced only with the gate held exclusively

  OpGate gate_;
  // One exclusive action at a time, from its clone to its reopen: a second
  // thread must not clone the file system while the first swaps it.
  std::mutex exclusive_mu_;
  // Durability accounting (--env=mem with power loss): shared by whoever
  // raises the durable floor, exclusive while cloning the file system.
  // Lock order: stripe mutexes, then durability_mu_.
  std::shared_mutex durability_mu_;
  std::atomic<uint64_t> crash_gen_{0};
  // Between a clone and the reopen on it, writes still reach the old file
  // system, which the clone will not see: nothing may be marked durable.
  std::atomic<bool> doomed_{false};
  // True if writes begun in generation gen may raise durable floors now.
  // REQUIRES: durability_mu_ held (shared).
  bool DurableAllowed(uint64_t gen) const {
    return crash_gen_.load() == gen && !doomed_.load();
  }
  std::atomic<uint64_t> tickets_{0};  // one per acknowledged write

  std::atomic<bool> failed_{false};
  std::mutex fail_mu_;
  uint64_t start_micros_ = 0;

  // Counters for the summary.
  struct Stats {
    std::atomic<uint64_t> puts{0}, deletes{0}, expiring{0}, batches{0},
        gets{0}, scans{0}, held_snapshots{0}, sync_wals{0}, flushes{0},
        compactions{0}, reopens{0}, power_losses{0}, faults{0},
        write_errors{0}, read_errors{0}, resumes{0}, sync_writes{0};
    std::atomic<uint64_t> verified_keys{0}, inflight_applied{0},
        inflight_dropped{0}, lost_unsynced{0};
  } stats_;
};

}  // namespace shale::stress

#endif  // SHALE_TOOLS_STRESS_STRESS_TEST_H_
