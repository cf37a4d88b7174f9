// The checks of the stress test: one read against the oracle, a key range
// through an iterator (both directions) and Get at the same snapshot, atomic
// groups, and the whole key space after a (re)open.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "tools/stress/stress_test.h"
#include "tools/stress/value_gen.h"

namespace shale::stress {

bool StressTest::CheckRead(uint32_t key, const KeySnapshot& s,
                           const KeyVersion& floor, const Status& status,
                           const std::string& value, Observed* obs,
                           bool* judged, const std::string& context) {
  *judged = true;
  *obs = Observed();
  if (status.IsNotFound()) {
    obs->exists = false;
  } else if (!status.ok()) {
    if (faults_on() && (status.IsIOError() || status.IsNoSpace())) {
      stats_.read_errors.fetch_add(1, std::memory_order_relaxed);
      *judged = false;
      return true;
    }
    Fail(context + ": key " + std::to_string(key) + " " + KeyString(key) +
         ": read failed: " + status.ToString());
    return false;
  } else {
    std::string why;
    if (!CheckValue(key, value, &obs->version, &why)) {
      Fail(context + ": key " + std::to_string(key) + " " + KeyString(key) +
           ": wrong value (" + why + "), " + std::to_string(value.size()) +
           " bytes");
      return false;
    }
    obs->exists = true;
  }
  if (!Accepts(s, floor, *obs)) {
    Fail(context + ": key " + std::to_string(key) + " " + KeyString(key) +
         ": read " + obs->ToString() + ", expected from " + floor.ToString() +
         " up to " + s.latest.ToString() + " (" + s.ToString() + ")");
    return false;
  }
  return true;
}

bool StressTest::CheckGroups(uint32_t lo, uint32_t hi,
                             const std::vector<Observed>& obs,
                             const std::vector<bool>& judged,
                             const std::string& context) {
  if (shape_.group_every == 0) return true;
  for (uint32_t stripe = StripeOf(lo); stripe <= StripeOf(hi - 1); stripe++) {
    uint32_t b = StripeBegin(stripe), e = StripeEnd(stripe);
    if (!IsGroupStripe(stripe) || b < lo || e > hi) continue;
    bool all_judged = true;
    for (uint32_t k = b; k < e; k++) all_judged &= judged[k - lo];
    if (!all_judged) continue;
    // A group is written by one batch of one kind: all present at one
    // version, or all absent.
    const Observed& first = obs[b - lo];
    for (uint32_t k = b + 1; k < e; k++) {
      const Observed& o = obs[k - lo];
      if (o.exists != first.exists || o.version != first.version) {
        Fail(context + ": atomic group at key " + std::to_string(b) +
             " is torn: key " + std::to_string(b) + " " + first.ToString() +
             ", key " + std::to_string(k) + " " + o.ToString());
        return false;
      }
    }
  }
  return true;
}

bool StressTest::VerifyRange(ThreadState* t, const ReadOptions& ro,
                             uint32_t lo, uint32_t hi,
                             const std::vector<KeySnapshot>& snaps,
                             const std::string& context, Iterator* iter) {
  const uint32_t n = hi - lo;
  const std::string lo_key = KeyString(lo);
  const std::string upper = KeyString(hi);
  std::string_view upper_view = upper;
  std::unique_ptr<Iterator> own;
  ReadOptions r = ro;
  if (iter == nullptr) {
    if (t->rnd.OneIn(2)) r.iterate_upper_bound = &upper_view;
    r.fill_cache = !t->rnd.OneIn(4);
    own = db_->NewIterator(r);
    iter = own.get();
  }
  auto io_error = [&](const Status& s) {
    if (faults_on() && (s.IsIOError() || s.IsNoSpace())) {
      stats_.read_errors.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    Fail(context + ": iterator: " + s.ToString());
    return false;
  };
  // Each direction lists (key, observed) in key order.
  std::vector<std::pair<uint32_t, uint32_t>> fwd, bwd;
  std::vector<Observed> obs(n);
  for (iter->Seek(lo_key); iter->Valid(); iter->Next()) {
    std::string_view k = iter->key();
    if (k >= upper_view) {
      if (r.iterate_upper_bound != nullptr) {
        Fail(context + ": iterator passed its upper bound");
        return false;
      }
      break;
    }
    uint32_t idx;
    if (!ParseKey(k, shape_.num_keys, &idx) || idx < lo ||
        (!fwd.empty() && idx <= fwd.back().first)) {
      Fail(context + ": iterator returned a foreign or out-of-order key '" +
           std::string(k) + "'");
      return false;
    }
    std::string why;
    uint32_t version;
    if (!CheckValue(idx, iter->value(), &version, &why)) {
      Fail(context + ": key " + std::to_string(idx) +
           ": iterator returned a wrong value (" + why + ")");
      return false;
    }
    fwd.emplace_back(idx, version);
    obs[idx - lo] = {true, version};
  }
  if (!iter->status().ok()) return io_error(iter->status());
  if (flags_.reverse_scans) {
    for (iter->SeekForPrev(KeyString(hi - 1)); iter->Valid(); iter->Prev()) {
      uint32_t idx;
      if (iter->key() < lo_key) break;
      if (!ParseKey(iter->key(), shape_.num_keys, &idx) || idx >= hi) {
        Fail(context + ": SeekForPrev('" + KeyString(hi - 1) +
             "') and Prev over keys [" + std::to_string(lo) + ", " +
             std::to_string(hi) + ") returned the foreign key '" +
             std::string(iter->key()) + "'" +
             (r.iterate_upper_bound ? " (with an upper bound)" : ""));
        return false;
      }
      std::string why;
      uint32_t version = 0;
      if (!CheckValue(idx, iter->value(), &version, &why)) {
        Fail(context + ": key " + std::to_string(idx) +
             ": reverse iterator returned a wrong value (" + why + ")");
        return false;
      }
      bwd.emplace_back(idx, version);
    }
    if (!iter->status().ok()) return io_error(iter->status());
  }
  std::reverse(bwd.begin(), bwd.end());
  if (flags_.reverse_scans && fwd != bwd) {
    Fail(context + ": forward and reverse iteration over keys [" +
         std::to_string(lo) + ", " + std::to_string(hi) + ") differ: " +
         std::to_string(fwd.size()) + " vs " + std::to_string(bwd.size()) +
         " entries");
    return false;
  }

  std::vector<bool> judged(n, true);
  std::string value;
  // Without snaps (an unlocked scan) the oracle says nothing; the checks
  // below compare the DB with itself.
  const bool oracle = !snaps.empty();
  const KeySnapshot none;
  for (uint32_t k = lo; k < hi; k++) {
    const KeySnapshot& s = oracle ? snaps[k - lo] : none;
    if (oracle && !Accepts(s, s.committed, obs[k - lo])) {
      Fail(context + ": key " + std::to_string(k) + " " + KeyString(k) +
           ": iterator shows " + obs[k - lo].ToString() + ", expected " +
           s.committed.ToString() + " up to " + s.latest.ToString());
      return false;
    }
    if (ro.snapshot == nullptr) continue;
    // Get at the same snapshot must agree with the iterator exactly.
    Status st = db_->Get(ro, KeyString(k), &value);
    Observed g;
    bool ok_read;
    if (oracle) {
      if (!CheckRead(k, s, s.committed, st, value, &g, &ok_read,
                     context + " Get")) {
        return false;
      }
    } else {
      // Only the value's own integrity; the iterator comparison follows.
      KeySnapshot any;
      any.latest.version = UINT32_MAX >> 1;
      any.last_delete = 1;
      if (!CheckRead(k, any, KeyVersion{0, false}, st, value, &g, &ok_read,
                     context + " Get")) {
        return false;
      }
    }
    if (!ok_read) {
      judged[k - lo] = false;
      continue;
    }
    const Observed& o = obs[k - lo];
    if (g.exists != o.exists || (g.exists && g.version != o.version)) {
      Fail(context + ": key " + std::to_string(k) + ": Get at the snapshot "
           "reads " + g.ToString() + ", the iterator " + o.ToString());
      return false;
    }
  }
  return CheckGroups(lo, hi, obs, judged, context);
}

bool StressTest::VerifyAll(Floor floor, const char* why) {
  const uint32_t n = shape_.num_keys;
  std::vector<Observed> obs(n);
  std::vector<KeySnapshot> snaps(n);
  std::vector<bool> judged(n, true);
  ReadOptions ro;
  ro.fill_cache = false;
  std::string value;
  const std::string context = std::string("verify ") + why;
  uint32_t present = 0;
  for (uint32_t k = 0; k < n && !failed(); k++) {
    snaps[k] = es_->Snapshot(k);
    const KeyVersion& f =
        floor == Floor::kCommitted ? snaps[k].committed : snaps[k].durable;
    Status s = db_->Get(ro, KeyString(k), &value);
    bool ok_read;
    if (!CheckRead(k, snaps[k], f, s, value, &obs[k], &ok_read, context)) {
      return false;
    }
    if (!ok_read) {
      Fail(context + ": key " + std::to_string(k) + ": " + s.ToString());
      return false;
    }
    present += obs[k].exists ? 1 : 0;
  }
  if (failed()) return false;

  // One full scan must show exactly what the Gets found.
  auto iter = db_->NewIterator(ro);
  uint32_t seen = 0;
  int64_t last = -1;
  for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
    uint32_t idx, version;
    std::string bad;
    if (!ParseKey(iter->key(), n, &idx) || static_cast<int64_t>(idx) <= last) {
      Fail(context + ": scan found a foreign or out-of-order key '" +
           std::string(iter->key()) + "'");
      return false;
    }
    last = idx;
    if (!CheckValue(idx, iter->value(), &version, &bad) ||
        !obs[idx].exists || obs[idx].version != version) {
      Fail(context + ": key " + std::to_string(idx) + ": scan and Get "
           "disagree (Get: " + obs[idx].ToString() + ")");
      return false;
    }
    seen++;
  }
  if (!iter->status().ok()) {
    Fail(context + ": scan: " + iter->status().ToString());
    return false;
  }
  iter.reset();
  if (seen != present) {
    Fail(context + ": Get finds " + std::to_string(present) +
         " keys, a scan " + std::to_string(seen));
    return false;
  }
  if (!CheckGroups(0, n, obs, judged, context)) return false;

  uint64_t applied = 0, dropped = 0, lost = 0;
  for (uint32_t k = 0; k < n; k++) {
    const KeySnapshot& s = snaps[k];
    KeyVersion settled = SettledState(s, obs[k]);
    if (s.latest != s.committed && settled == s.latest) {
      applied++;
    } else if (settled != s.latest) {
      (settled == s.committed ? dropped : lost)++;
    }
    es_->Settle(k, settled,
                static_cast<uint32_t>(crash_gen_.load() << 2) | kSettled);
  }
  stats_.verified_keys.fetch_add(n);
  stats_.inflight_applied.fetch_add(applied);
  stats_.inflight_dropped.fetch_add(dropped);
  stats_.lost_unsynced.fetch_add(lost);
  std::printf("%s: %u keys ok, %u present; in flight: %" PRIu64
              " applied, %" PRIu64 " not; unsynced lost: %" PRIu64 "\n",
              context.c_str(), n, present, applied, dropped, lost);
  std::fflush(stdout);
  return true;
}

}  // namespace shale::stress
