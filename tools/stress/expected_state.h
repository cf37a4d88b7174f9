// ExpectedState: the stress test's oracle, what every key of its key space
// may hold. It lives in a file mapped MAP_SHARED, so every store reaches the
// kernel's page cache at once and survives a kill -9 of the process (not a
// power loss of the machine, which the blackbox test does not simulate).
// With an empty path it lives in anonymous memory (--env=mem runs, whose
// crashes are simulated inside the process).
//
// Versions. Every write of a key gets the next version number of that key;
// a key's state is (version, exists) packed in 32 bits. A put writes a value
// that names its version (tools/stress/value_gen.h), so a read tells which
// write it sees; a delete (or a put that has already expired) leaves no
// trace but its version in last_delete.
//
// The write protocol, per key, with the key's stripe lock held:
//   BeginWrite   next_version, last_delete, then latest := the new state
//                (before the DB sees the write: after a kill the DB may
//                hold it or not)
//   the DB write
//   Commit       committed := latest, ack_ticket := a global counter
// A failed write leaves latest ahead of committed: the DB may or may not
// hold it (a WAL append that failed half way, a sync that failed after the
// append), and after a reopen it may appear.
//
// What a read may return (Accepts): any state from a floor up to latest.
// The floor is committed after a process crash or a clean reopen (every
// acknowledged write survives both), and durable after a simulated power
// loss, where only synced writes must survive. durable is raised by sync
// writes and by SyncWAL/Flush/CompactRange (see StressTest::MarkDurable).
// While the test runs and holds the key's lock, committed == latest unless
// a write failed, so the check is exact.
#ifndef SHALE_TOOLS_STRESS_EXPECTED_STATE_H_
#define SHALE_TOOLS_STRESS_EXPECTED_STATE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "shale/status.h"

namespace shale::stress {

// A key's state: its version and whether it holds a value.
struct KeyVersion {
  uint32_t version = 0;
  bool exists = false;

  uint32_t Pack() const { return (version << 1) | (exists ? 1 : 0); }
  static KeyVersion Unpack(uint32_t w) { return {w >> 1, (w & 1) != 0}; }
  bool operator==(const KeyVersion&) const = default;
  std::string ToString() const;
};

// One key's record in the file. Each field is written with one aligned
// store, so a kill never leaves one half written.
struct KeyRecord {
  std::atomic<uint32_t> committed;     // packed: last acknowledged state
  std::atomic<uint32_t> latest;        // packed: newest state maybe written
  std::atomic<uint32_t> durable;       // packed: newest surviving power loss
  std::atomic<uint32_t> last_delete;   // version of the newest delete
  std::atomic<uint32_t> next_version;  // highest version handed out
  std::atomic<uint32_t> durable_why;   // DurableWhy (for failure reports)
  std::atomic<uint64_t> ack_ticket;    // when committed was acknowledged
};
static_assert(sizeof(KeyRecord) == 32);

// What last raised a key's durable floor, and in which crash generation:
// (generation << 2) | one of these. Only for failure reports.
enum DurableWhy : uint32_t { kSyncWrite = 1, kSyncCall = 2, kSettled = 3 };

// A plain copy of a KeyRecord, taken with the key's lock held.
struct KeySnapshot {
  KeyVersion committed, latest, durable;
  uint32_t last_delete = 0;
  uint32_t durable_why = 0;
  std::string ToString() const;
};

// What a read found: absent, or a value of this version.
struct Observed {
  bool exists = false;
  uint32_t version = 0;
  std::string ToString() const;
};

// Whether a read may return obs, given the floor state (committed or
// durable) and everything written since, up to latest.
bool Accepts(const KeySnapshot& s, const KeyVersion& floor,
             const Observed& obs);

// The state to settle on after a read found obs (which Accepts).
KeyVersion SettledState(const KeySnapshot& s, const Observed& obs);

class ExpectedState {
 public:
  // The shape of the key space, fixed for the life of the file.
  struct Shape {
    uint32_t num_keys = 0;
    uint32_t group_size = 0;
    uint32_t group_every = 0;
  };

  // Maps the file at path (anonymous memory if empty). A missing file, or
  // reset, makes a fresh, all-zero state of the given shape (*fresh is set
  // true); an existing one keeps its own shape, which replaces *shape.
  static Status Open(const std::string& path, bool reset, Shape* shape,
                     bool* fresh, std::unique_ptr<ExpectedState>* result);
  ~ExpectedState();

  ExpectedState(const ExpectedState&) = delete;
  ExpectedState& operator=(const ExpectedState&) = delete;

  uint32_t num_keys() const { return shape_.num_keys; }
  KeyRecord& record(uint32_t key) { return records_[key]; }
  KeySnapshot Snapshot(uint32_t key) const;

  // The write protocol (see the top of this file). REQUIRES: the key's
  // stripe lock. NewVersion hands out the next version; BeginWrite with the
  // version chosen (a group's members share one).
  uint32_t NewVersion(uint32_t key) const;
  void BeginWrite(uint32_t key, KeyVersion state);
  void Commit(uint32_t key, uint64_t ticket);
  // After a sync write, or a SyncWAL begun after ticket: what was
  // acknowledged before ticket is durable (monotone: never lowered).
  void MarkDurableIfAckedBefore(uint32_t key, uint64_t ticket, uint32_t why);
  void MarkDurable(uint32_t key, uint32_t why);
  // After a verified read: committed = latest = durable = state.
  void Settle(uint32_t key, KeyVersion state, uint32_t why);

 private:
  ExpectedState() = default;

  Shape shape_;
  void* map_ = nullptr;
  size_t map_bytes_ = 0;
  KeyRecord* records_ = nullptr;
};

}  // namespace shale::stress

#endif  // SHALE_TOOLS_STRESS_EXPECTED_STATE_H_
