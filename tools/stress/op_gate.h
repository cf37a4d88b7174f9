// OpGate: lets any number of operations run at once, or one exclusive
// action (closing and reopening the DB) with nothing else running and no
// snapshot held. A pending exclusive action stops new operations from
// entering, so it is never starved.
//
// Thread safety: every method may be called from any thread.
#ifndef SHALE_TOOLS_STRESS_OP_GATE_H_
#define SHALE_TOOLS_STRESS_OP_GATE_H_

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace shale::stress {

class OpGate {
 public:
  OpGate() : cv_(&mu_) {}

  // An operation enters unless an exclusive action is pending or runs; then
  // TryEnter returns false, and the caller releases its snapshots and waits
  // with WaitWhileExclusive before trying again.
  bool TryEnter() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    if (exclusive_) return false;
    active_++;
    return true;
  }
  void WaitWhileExclusive() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    while (exclusive_) cv_.Wait();
  }
  void Exit() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    active_--;
    cv_.SignalAll();
  }
  // Snapshots held between operations, which an exclusive action waits for.
  void AddHeld(int n) EXCLUDES(mu_) {
    MutexLock l(&mu_);
    held_ += n;
    cv_.SignalAll();
  }

  // The exclusive action: waits for other exclusive actions, then for every
  // operation to exit and every snapshot to be released.
  void BeginExclusive() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    while (exclusive_) cv_.Wait();
    exclusive_ = true;
    while (active_ > 0 || held_ > 0) cv_.Wait();
  }
  void EndExclusive() EXCLUDES(mu_) {
    MutexLock l(&mu_);
    exclusive_ = false;
    cv_.SignalAll();
  }

 private:
  Mutex mu_;
  CondVar cv_;
  int active_ GUARDED_BY(mu_) = 0;
  int held_ GUARDED_BY(mu_) = 0;
  bool exclusive_ GUARDED_BY(mu_) = false;
};

}  // namespace shale::stress

#endif  // SHALE_TOOLS_STRESS_OP_GATE_H_
