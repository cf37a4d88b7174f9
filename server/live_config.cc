#include "server/live_config.h"

#include <algorithm>
#include <unordered_set>

#include "server/redis/command.h"

namespace shale::server {
namespace {

size_t IndexOf(const ParamSpec* p) { return p - AllParams().data(); }

bool IsPattern(std::string_view s) {
  return s.find_first_of("[*?") != std::string_view::npos;
}

// Values Redis takes but then changes as it applies them: hz is a hint it
// keeps within [1, 500]; a replication backlog is at least 16 KiB.
std::string Normalize(const ParamSpec& p, std::string value) {
  std::string_view name = p.name;
  if (name == "hz") {
    return std::to_string(std::clamp<int64_t>(ParamInt(p, value), 1, 500));
  }
  if (name == "repl-backlog-size") {
    return std::to_string(std::max<int64_t>(ParamInt(p, value), 16 << 10));
  }
  return value;
}

}  // namespace

LiveConfig::LiveConfig()
    : values_(AllParams().size()),
      ints_(new std::atomic<int64_t>[AllParams().size()]),
      appliers_(AllParams().size()) {
  auto params = AllParams();
  std::lock_guard<std::mutex> l(mu_);
  for (size_t i = 0; i < params.size(); i++) {
    ints_[i].store(0, std::memory_order_relaxed);
    StoreLocked(i, params[i].default_value);
  }
}

bool LiveConfig::Parse(const ParamSpec& p, std::string_view value,
                       std::string* out, std::string* err) const {
  std::string current;
  {
    std::lock_guard<std::mutex> l(mu_);
    current = values_[IndexOf(&p)];
  }
  if (!ParseParam(p, value, current, out, err)) return false;
  *out = Normalize(p, std::move(*out));
  return true;
}

void LiveConfig::StoreLocked(size_t index, std::string value) {
  const ParamSpec& p = AllParams()[index];
  int64_t v = ParamInt(p, value);
  std::string_view name = p.name;
  if (name == "notify-keyspace-events") {
    uint32_t flags = 0;
    ParseNotifyFlags(value, &flags);
    v = flags;
  } else if (name == "client-output-buffer-limit") {
    OutputBufferLimit limits[3];
    ParseOutputBufferLimits(value, limits);
    for (int c = 0; c < 3; c++) {
      output_limits_[c * 3].store(static_cast<int64_t>(limits[c].hard_bytes),
                                  std::memory_order_relaxed);
      output_limits_[c * 3 + 1].store(
          static_cast<int64_t>(limits[c].soft_bytes),
          std::memory_order_relaxed);
      output_limits_[c * 3 + 2].store(limits[c].soft_seconds,
                                      std::memory_order_relaxed);
    }
  }
  ints_[index].store(v, std::memory_order_relaxed);
  values_[index] = std::move(value);
}

bool LiveConfig::Init(std::string_view name, std::string_view value,
                      std::string* err) {
  const ParamSpec* p = FindParam(name);
  if (p == nullptr) {
    *err = "unknown parameter";
    return false;
  }
  std::string canonical;
  if (!Parse(*p, value, &canonical, err)) return false;
  std::lock_guard<std::mutex> l(mu_);
  StoreLocked(IndexOf(p), std::move(canonical));
  return true;
}

std::vector<std::pair<std::string, std::string>> LiveConfig::Get(
    std::span<const std::string> patterns) const {
  // As Redis: a parameter's name and its alias are two entries; each entry
  // is answered at most once (names compared case-insensitively), an exact
  // name under the spelling it was asked with.
  auto params = AllParams();
  std::vector<std::pair<std::string, size_t>> hits;
  std::unordered_set<std::string> seen;  // lowercase entry names
  auto add = [&](std::string name, size_t index) {
    if (seen.insert(Lower(name)).second) hits.emplace_back(name, index);
  };
  for (const std::string& pat : patterns) {
    if (!IsPattern(pat)) {
      if (const ParamSpec* p = FindParam(pat)) add(pat, IndexOf(p));
      continue;
    }
    for (size_t i = 0; i < params.size(); i++) {
      const ParamSpec& p = params[i];
      if (p.flags & kParamHidden) continue;
      for (const char* entry : {p.name, p.alias}) {
        if (entry && !seen.count(entry) && GlobMatch(pat, entry, true)) {
          add(entry, i);
        }
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> out;
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [name, index] : hits) out.emplace_back(name, values_[index]);
  return out;
}

bool LiveConfig::Set(std::span<const std::string> nv, std::string* error) {
  std::lock_guard<std::mutex> set_lock(set_mu_);
  size_t n = nv.size() / 2;
  std::vector<const ParamSpec*> specs(n, nullptr);
  std::vector<std::string> entry(n);  // the name or alias each was set by
  // Redis checks every name before any value; the first bad one (unknown,
  // immutable, protected or repeated) is the one reported.
  std::string first_error;
  for (size_t i = 0; i < n && first_error.empty(); i++) {
    bool via_alias = false;
    const ParamSpec* p = FindParam(nv[2 * i], &via_alias);
    if (p == nullptr) {
      first_error =
          "ERR Unknown option or number of arguments for CONFIG SET - '" +
          nv[2 * i] + "'";
      break;
    }
    const char* why = nullptr;
    if (p->flags & kParamImmutable) {
      why = "can't set immutable config";
    } else if (p->flags & kParamProtected) {
      why = "can't set protected config";
    } else if (std::find(specs.begin(), specs.begin() + i, p) !=
               specs.begin() + i) {
      why = "duplicate parameter";
    }
    if (why) {
      first_error = "ERR CONFIG SET failed (possibly related to argument '" +
                    nv[2 * i] + "') - " + why;
    }
    specs[i] = p;
    entry[i] = via_alias ? p->alias : p->name;
  }
  if (!first_error.empty()) {
    *error = first_error;
    return false;
  }
  // Parse every value (parsing is what Redis's set step checks), in order:
  // the first bad one is reported under the parameter's own name.
  std::vector<std::string> fresh(n);
  for (size_t i = 0; i < n; i++) {
    std::string err;
    if (!Parse(*specs[i], nv[2 * i + 1], &fresh[i], &err)) {
      *error = "ERR CONFIG SET failed (possibly related to argument '" +
               entry[i] + "') - " + err;
      return false;
    }
  }
  std::vector<std::string> old(n);
  std::vector<size_t> changed;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (size_t i = 0; i < n; i++) {
      size_t idx = IndexOf(specs[i]);
      old[i] = values_[idx];
      if (old[i] != fresh[i]) changed.push_back(i);
      StoreLocked(idx, fresh[i]);
    }
  }
  for (size_t i : changed) {
    for (const Applier& fn : appliers_[IndexOf(specs[i])]) {
      std::string err;
      if (fn(fresh[i], &err)) continue;
      // Undo: old values back, and their appliers run again.
      {
        std::lock_guard<std::mutex> l(mu_);
        for (size_t k = 0; k < n; k++) StoreLocked(IndexOf(specs[k]), old[k]);
      }
      for (size_t k : changed) {
        for (const Applier& undo : appliers_[IndexOf(specs[k])]) {
          std::string ignored;
          undo(old[k], &ignored);
        }
      }
      *error = "ERR CONFIG SET failed (possibly related to argument '" +
               entry[i] + "')";
      if (!err.empty()) *error += " - " + err;
      return false;
    }
  }
  return true;
}

bool LiveConfig::Store(std::string_view name, std::string_view value,
                       std::string* err) {
  std::lock_guard<std::mutex> set_lock(set_mu_);
  const ParamSpec* p = FindParam(name);
  if (p == nullptr) {
    *err = "unknown parameter";
    return false;
  }
  std::string fresh;
  if (!Parse(*p, value, &fresh, err)) return false;
  size_t idx = IndexOf(p);
  std::string old;
  {
    std::lock_guard<std::mutex> l(mu_);
    old = values_[idx];
    StoreLocked(idx, fresh);
  }
  if (old == fresh) return true;
  for (const Applier& fn : appliers_[idx]) {
    if (fn(fresh, err)) continue;
    {
      std::lock_guard<std::mutex> l(mu_);
      StoreLocked(idx, old);
    }
    for (const Applier& undo : appliers_[idx]) {
      std::string ignored;
      undo(old, &ignored);
    }
    return false;
  }
  return true;
}

std::string LiveConfig::Value(std::string_view name) const {
  const ParamSpec* p = FindParam(name);
  if (p == nullptr) return "";
  std::lock_guard<std::mutex> l(mu_);
  return values_[IndexOf(p)];
}

void LiveConfig::OnChange(std::string_view name, Applier fn) {
  const ParamSpec* p = FindParam(name);
  appliers_[IndexOf(p)].push_back(std::move(fn));
}

LiveConfig::Ref LiveConfig::Resolve(std::string_view name) {
  return Ref{IndexOf(FindParam(name))};
}

OutputBufferLimit LiveConfig::output_buffer_limit(ClientClass c) const {
  int i = static_cast<int>(c) * 3;
  OutputBufferLimit l;
  l.hard_bytes =
      static_cast<uint64_t>(output_limits_[i].load(std::memory_order_relaxed));
  l.soft_bytes = static_cast<uint64_t>(
      output_limits_[i + 1].load(std::memory_order_relaxed));
  l.soft_seconds = output_limits_[i + 2].load(std::memory_order_relaxed);
  return l;
}

std::vector<std::pair<const ParamSpec*, std::string>> LiveConfig::Snapshot()
    const {
  std::vector<std::pair<const ParamSpec*, std::string>> out;
  auto params = AllParams();
  std::lock_guard<std::mutex> l(mu_);
  for (size_t i = 0; i < params.size(); i++) {
    out.emplace_back(&params[i], values_[i]);
  }
  return out;
}

}  // namespace shale::server
