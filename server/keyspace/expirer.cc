#include "server/keyspace/expirer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "server/keyspace/key_codec.h"

namespace shale::server {
namespace {

// The first index key of entries due at `when` or later.
std::string IndexFrom(uint64_t when) {
  std::string k;
  AppendExpiryKey(&k, when, 0, {});
  k.resize(k.size() - 4);  // no ns: sorts before every entry of `when`
  return k;
}

uint64_t ElapsedUs(std::chrono::steady_clock::time_point since) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - since)
          .count());
}

}  // namespace

ActiveExpirer::ActiveExpirer(Keyspace* ks, std::function<uint64_t()> now)
    : ks_(ks), now_(std::move(now)) {}

void ActiveExpirer::set_hz(int hz) {
  hz_.store(std::clamp(hz, 1, 500), std::memory_order_relaxed);
}

void ActiveExpirer::set_effort(int effort) {
  effort_.store(std::clamp(effort, 1, 10), std::memory_order_relaxed);
}

uint64_t ActiveExpirer::CycleBudgetUs() const {
  // Redis's ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC (25) plus 2 per effort step.
  const uint64_t perc = 25 + 2 * static_cast<uint64_t>(effort() - 1);
  return perc * 1'000'000 / static_cast<uint64_t>(hz()) / 100;
}

void ActiveExpirer::Start() {
  std::lock_guard<std::mutex> l(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void ActiveExpirer::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ActiveExpirer::Loop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    const auto period = std::chrono::microseconds(1'000'000 / hz());
    const auto next = std::chrono::steady_clock::now() + period;
    l.unlock();
    CycleResult r = RunCycle(CycleBudgetUs());
    if (!r.status.ok()) {
      spdlog::warn("active expiry: {}", r.status.ToString());
    }
    l.lock();
    cv_.wait_until(l, next, [this] { return stop_; });
  }
}

ActiveExpirer::CycleResult ActiveExpirer::RunCycle(uint64_t budget_us) {
  CycleResult r;
  const auto start = std::chrono::steady_clock::now();
  const uint64_t now = now_();
  cycles.fetch_add(1);
  if (resume_.empty() && now - std::min(now, last_full_ms_) >= kFullPassMs) {
    floor_ = 0;
    last_full_ms_ = now;
  }
  // Every entry due by now: when <= now.
  const std::string upper = IndexFrom(now + 1);
  const std::string_view upper_view = upper;
  ReadOptions ro;
  ro.fill_cache = false;
  ro.iterate_upper_bound = &upper_view;
  std::unique_ptr<Iterator> it(ks_->db()->NewIterator(ro));
  it->Seek(resume_.empty() ? IndexFrom(floor_) : resume_);
  resume_.clear();
  stale_batch_.Clear();
  for (; it->Valid(); it->Next()) {
    if (budget_us != 0 && r.examined % 16 == 15 &&
        ElapsedUs(start) >= budget_us) {
      resume_.assign(it->key());
      break;
    }
    r.examined++;
    r.status = HandleEntry(it->key(), now, &r);
    if (!r.status.ok()) break;
  }
  if (r.status.ok()) r.status = it->status();
  if (r.status.ok() && resume_.empty()) {
    r.done = true;
    floor_ = now > kLateMs ? now - kLateMs : 0;
  }
  if (stale_batch_.Count() > 0) {
    // Not synced: a stale entry brought back by a crash is dropped again.
    Status s = ks_->db()->Write(WriteOptions(), &stale_batch_);
    if (r.status.ok()) r.status = s;
  }
  if (!r.status.ok()) resume_.clear();
  stale_entries.fetch_add(r.stale);
  cpu_us.fetch_add(ElapsedUs(start));
  return r;
}

Status ActiveExpirer::HandleEntry(std::string_view ekey, uint64_t now,
                                  CycleResult* r) {
  uint64_t when;
  uint32_t ns;
  std::string_view key;
  if (!ParseExpiryKey(ekey, &when, &ns, &key)) {
    // Too short for its fields: not ours to guess about; leave it.
    return Status::OK();
  }
  const DbTable& table = ks_->table();
  // SWAPDB may move ns to another database between the lookup and the
  // lock: look again under the lock (FLUSHDB and SWAPDB hold every stripe).
  for (int attempt = 0;; attempt++) {
    // Swapped under us again and again: leave the entry to the next pass.
    if (attempt == 4) return Status::OK();
    const int db = table.DbOf(ns);
    if (db < 0) break;  // a dead namespace: its entries are all stale
    Keyspace::KeyLock lock(ks_, db, key);
    if (table.Ns(db) != ns) continue;
    std::string mkey;
    AppendMetaKey(&mkey, ns, key);
    std::string stored;
    Status s = ks_->db()->Get(ReadOptions(), mkey, &stored);
    if (!s.ok() && !s.IsNotFound()) return s;
    ValueMeta meta;
    std::string_view payload;
    if (s.ok() && !DecodeMeta(stored, &meta, &payload)) {
      spdlog::warn("active expiry: malformed metadata of a key in ns {}", ns);
      break;  // drop the index entry; the metadata stays for tools to see
    }
    if (!s.ok() || meta.expire_at_ms != when) break;
    if (when > now) return Status::OK();  // not due (not in a cycle's range)
    WriteBatch batch;
    batch.Delete(mkey);
    batch.Delete(ekey);
    r->expired++;
    ks_->expired_keys.fetch_add(1);
    if (db >= ks_->databases()) {
      // A table entry no database serves (the setting shrank): no client
      // can see the key, nobody hears of it.
      return ks_->db()->Write(ks_->write_options(), &batch);
    }
    const TouchedKey touched{db, key};
    const KeyEvent event{db, kNotifyExpired, "expired", key};
    const bool notify = ks_->Wants(kNotifyExpired);
    return ks_->Write(
        &batch, std::span(&touched, 1),
        notify ? std::span(&event, 1) : std::span<const KeyEvent>());
  }
  stale_batch_.Delete(ekey);
  r->stale++;
  return Status::OK();
}

}  // namespace shale::server
