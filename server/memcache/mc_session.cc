#include "server/memcache/mc_session.h"

#include <unistd.h>

#include <charconv>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "server/info.h"
#include "server/keyspace/write_events.h"
#include "server/memcache/mc_util.h"

namespace shale::server {

using namespace mc;
using KeyLock = Keyspace::KeyLock;

McSession::McSession(ServerState* server, const ConnectionInfo& info)
    : server_(server),
      db0_(server->ks, 0),
      parser_(server->max_value_bytes(), server->config.max_line_bytes),
      id_(info.id),
      pause_(&server->pause) {}

void McSession::Reply(std::string_view line) {
  if (noreply_) return;
  out_->append(line);
  out_->append("\r\n");
}

bool McSession::ValidKey(std::string_view key) const {
  if (key.empty() || key.size() > kMaxKey ||
      key.size() > server_->config.max_key_bytes) {
    return false;
  }
  // As memcached: a key is whatever lies between spaces, control bytes
  // included (memaslap's keys start with 8 binary bytes); only NUL, which
  // memcached's C-string tokenizer cannot carry, is refused.
  return key.find('\0') == std::string_view::npos;
}

size_t McSession::OnData(std::string_view in, std::string* out,
                         size_t output_limit) {
  out_ = out;
  size_t total = 0;
  while (!closing_ && !pause_.held() && out->size() < output_limit) {
    size_t used = 0;
    McParser::Result r = parser_.Parse(in.substr(total), &used);
    total += used;
    if (r == McParser::Result::kNeedMore) break;
    if (r == McParser::Result::kError) {
      out->append(parser_.error() + "\r\n");
      closing_ = true;
      break;
    }
    if (HoldForPause(parser_.request())) break;
    Execute(parser_.request());
  }
  return total;
}

void McSession::Execute(McRequest& req) {
  noreply_ = false;
  auto& t = req.tokens;
  if (t.empty()) return Reply("ERROR");
  const std::string& c = t[0];
  // "noreply" is the last token of the classic commands that take it.
  if (t.size() > 1 && t.back() == "noreply" &&
      (McDataLengthToken(c) == 4 || c == "delete" || c == "incr" ||
       c == "decr" || c == "touch" || c == "flush_all" || c == "verbosity")) {
    noreply_ = true;
  }
  if (req.too_large) {
    noreply_ = false;
    return Reply("SERVER_ERROR object too large for cache");
  }
  if (req.bad_chunk) {
    noreply_ = false;
    return Reply("CLIENT_ERROR bad data chunk");
  }
  if (req.bad_length) {
    noreply_ = false;
    return Reply(kBadFormat);
  }
  if (c == "get" || c == "gets") return Get(req, c == "gets", false);
  if (c == "gat" || c == "gats") return Get(req, c == "gats", true);
  if (c == "set" || c == "add" || c == "replace" || c == "append" ||
      c == "prepend" || c == "cas") {
    return Store(req);
  }
  if (c == "delete") return Delete(req);
  if (c == "incr" || c == "decr") return Arith(req, c == "incr");
  if (c == "touch") return Touch(req);
  if (c == "mg") return MetaGet(req);
  if (c == "ms") return MetaSet(req);
  if (c == "md") return MetaDelete(req);
  if (c == "ma") return MetaArith(req);
  if (c == "mn") return Reply("MN");
  if (c == "me") return Reply("EN");
  if (c == "stats") return Stats(req);
  if (c == "version") return Reply("VERSION 1.6.21-shale-0.1.0");
  if (c == "verbosity") {
    if (t.size() < 2 || t.size() > 3) {
      noreply_ = false;
      return Reply("ERROR");
    }
    return Reply("OK");
  }
  if (c == "flush_all") {
    // A delay is accepted but not honoured: the flush happens now.
    int64_t delay = 0;
    if (t.size() >= 2 && t[1] != "noreply" && !ParseNum(t[1], &delay)) {
      noreply_ = false;
      return Reply("CLIENT_ERROR invalid exptime argument");
    }
    server_->mc_cmd_flush++;
    Status s;
    {
      KeyLock lock(server_->ks, KeyLock::All());
      const int db0 = 0;
      s = server_->ks->FlushDbs(std::span(&db0, 1));
    }
    if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
    return Reply("OK");
  }
  if (c == "quit") {
    closing_ = true;
    return;
  }
  noreply_ = false;
  Reply("ERROR");
}

// get/gets <key>*, gat/gats <exptime> <key>*
void McSession::Get(McRequest& req, bool with_cas, bool touch) {
  auto& t = req.tokens;
  size_t first = touch ? 2 : 1;
  if (t.size() <= first) return Reply("ERROR");
  uint64_t at = 0;
  if (touch && !ParseExptime(t[1], &at)) {
    return Reply("CLIENT_ERROR invalid exptime argument");
  }
  for (size_t i = first; i < t.size(); i++) {
    if (!ValidKey(t[i])) return Reply(kBadFormat);
  }
  // Plain gets read every key with one MultiGet; touches read each under
  // its lock, as they write it back.
  const size_t n = t.size() - first;
  std::unique_ptr<Entry[]> entries;
  std::vector<Status> statuses;
  if (!touch) {
    std::vector<std::string_view> keys(t.begin() + first, t.end());
    entries = std::make_unique<Entry[]>(n);
    statuses.resize(n);
    ks_->MultiGet(keys, std::span(entries.get(), n), statuses);
  }
  for (size_t j = 0; j < n; j++) {
    const std::string& key = t[first + j];
    server_->mc_cmd_get++;
    if (touch) server_->mc_cmd_touch++;
    Entry touched;
    std::unique_ptr<KeyLock> lock;
    if (touch) lock = std::make_unique<KeyLock>(ks_, key);
    Status s = touch ? ks_->Get(key, &touched) : statuses[j];
    const Entry& e = touch ? touched : entries[j];
    if (IsCollection(s, e)) {
      noreply_ = false;
      return Reply(CollectionError(e));
    }
    if (!s.ok()) {
      server_->mc_get_misses++;
      if (!s.IsNotFound()) return Reply("SERVER_ERROR " + s.ToString());
      continue;
    }
    server_->mc_get_hits++;
    uint64_t cas = e.meta().cas;
    if (touch) {
      WriteEvents ev(ks_);
      ev.ExpiryChanged(key, at);
      s = ks_->Put(key, e.payload(), e.meta().flags, at, &cas, ev.span());
      // Touched into the past, the item is still returned this once, as
      // memcached returns what it fetched before setting the time.
      if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
    }
    std::string line = "VALUE " + key + " " + std::to_string(e.meta().flags) +
                       " " + std::to_string(e.payload().size());
    if (with_cas) line += " " + std::to_string(cas);
    out_->append(line);
    out_->append("\r\n");
    out_->append(e.payload());
    out_->append("\r\n");
  }
  out_->append("END\r\n");
}

// <cmd> <key> <flags> <exptime> <bytes> [<cas unique>] [noreply]
void McSession::Store(McRequest& req) {
  auto& t = req.tokens;
  const std::string& c = t[0];
  bool is_cas = c == "cas";
  size_t want = is_cas ? 6 : 5;
  uint32_t flags = 0;
  uint64_t at = 0, cas_in = 0;
  if (t.size() < want || t.size() > want + 1 ||
      (t.size() == want + 1 && t.back() != "noreply") || !ValidKey(t[1]) ||
      !ParseFlags(t[2], &flags) || !ParseExptime(t[3], &at) ||
      (is_cas && !ParseNum(t[5], &cas_in))) {
    noreply_ = false;
    return Reply(kBadFormat);
  }
  server_->mc_cmd_set++;
  const std::string& key = t[1];
  KeyLock lock(ks_, key);
  Entry old;
  Status s;
  bool exists = false;
  // Read even for set: a key holding a collection is refused, untouched.
  s = ks_->Get(key, &old);
  if (!s.ok() && !s.IsNotFound()) return Reply("SERVER_ERROR " + s.ToString());
  if (IsCollection(s, old)) {
    noreply_ = false;
    return Reply(CollectionError(old));
  }
  exists = s.ok();
  std::string combined;
  std::string_view value = req.data;
  if (c == "add" && exists) return Reply("NOT_STORED");
  if ((c == "replace" || c == "append" || c == "prepend") && !exists) {
    return Reply("NOT_STORED");
  }
  if (is_cas) {
    if (!exists) return Reply("NOT_FOUND");
    if (old.meta().cas != cas_in) return Reply("EXISTS");
  }
  if (c == "append" || c == "prepend") {
    if (old.payload().size() + req.data.size() > server_->max_value_bytes()) {
      return Reply("SERVER_ERROR out of memory storing object");
    }
    combined = c == "append" ? std::string(old.payload()) + req.data
                             : req.data + std::string(old.payload());
    value = combined;
    // append/prepend keep the item's flags and expiry.
    flags = old.meta().flags;
    at = old.meta().expire_at_ms;
  }
  WriteEvents ev(ks_);
  const bool joined = c == "append" || c == "prepend";
  // append/prepend keep the expiry: no "expire" event for them.
  ev.Store(key, exists, joined ? std::string_view(c) : "set", joined ? 0 : at);
  s = ks_->Put(key, value, flags, at, nullptr, ev.span());
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  Reply("STORED");
}

// delete <key> [0] [noreply]
void McSession::Delete(McRequest& req) {
  auto& t = req.tokens;
  size_t n = t.size() - (noreply_ ? 1 : 0);
  if (n < 2 || n > 3) {
    noreply_ = false;
    return Reply("ERROR");
  }
  if (n == 3 && t[2] != "0") {
    noreply_ = false;
    return Reply(
        "CLIENT_ERROR bad command line format.  Usage: delete <key> "
        "[noreply]");
  }
  if (!ValidKey(t[1])) {
    noreply_ = false;
    return Reply(kBadFormat);
  }
  KeyLock lock(ks_, t[1]);
  Entry e;
  Status found = ks_->Get(t[1], &e);
  if (IsCollection(found, e)) {
    noreply_ = false;
    return Reply(CollectionError(e));
  }
  if (found.IsNotFound()) return Reply("NOT_FOUND");
  if (!found.ok()) return Reply("SERVER_ERROR " + found.ToString());
  WriteEvents ev(ks_);
  ev.Add(kNotifyGeneric, "del", t[1]);
  Status s = ks_->Delete(t[1], ev.span());
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  Reply("DELETED");
}

// incr|decr <key> <value> [noreply]: unsigned 64-bit; incr wraps, decr stops
// at 0.
void McSession::Arith(McRequest& req, bool incr) {
  auto& t = req.tokens;
  size_t n = t.size() - (noreply_ ? 1 : 0);
  if (n != 3 || !ValidKey(t[1])) {
    noreply_ = false;
    return Reply(n != 3 ? "ERROR" : kBadFormat);
  }
  uint64_t delta;
  if (!ParseCounter(t[2], &delta) || t[2].back() == ' ') {
    noreply_ = false;
    return Reply("CLIENT_ERROR invalid numeric delta argument");
  }
  KeyLock lock(ks_, t[1]);
  Entry e;
  Status s = ks_->Get(t[1], &e);
  if (s.IsNotFound()) return Reply("NOT_FOUND");
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  if (IsCollection(s, e)) {
    noreply_ = false;
    return Reply(CollectionError(e));
  }
  uint64_t v;
  if (!ParseCounter(e.payload(), &v)) {
    noreply_ = false;
    return Reply(kNonNumeric);
  }
  if (incr) {
    v += delta;  // wraps at 2^64, as memcached
  } else {
    v = delta > v ? 0 : v - delta;
  }
  std::string out = std::to_string(v);
  WriteEvents ev(ks_);
  ev.Add(kNotifyString, "incrby", t[1]);
  s = ks_->Put(t[1], out, e.meta().flags, e.meta().expire_at_ms, nullptr,
               ev.span());
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  Reply(out);
}

// touch <key> <exptime> [noreply]
void McSession::Touch(McRequest& req) {
  auto& t = req.tokens;
  size_t n = t.size() - (noreply_ ? 1 : 0);
  uint64_t at;
  if (n != 3 || !ValidKey(t[1])) {
    noreply_ = false;
    return Reply("ERROR");
  }
  if (!ParseExptime(t[2], &at)) {
    noreply_ = false;
    return Reply("CLIENT_ERROR invalid exptime argument");
  }
  server_->mc_cmd_touch++;
  KeyLock lock(ks_, t[1]);
  Entry e;
  Status s = ks_->Get(t[1], &e);
  if (s.IsNotFound()) return Reply("NOT_FOUND");
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  if (IsCollection(s, e)) {
    noreply_ = false;
    return Reply(CollectionError(e));
  }
  WriteEvents ev(ks_);
  ev.ExpiryChanged(t[1], at);
  s = ks_->Put(t[1], e.payload(), e.meta().flags, at, nullptr, ev.span());
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  Reply("TOUCHED");
}

void McSession::Stats(McRequest& req) {
  auto& t = req.tokens;
  if (t.size() > 1) {
    if (t[1] == "reset") {
      for (auto* c : {&server_->mc_cmd_get, &server_->mc_get_hits,
                      &server_->mc_get_misses, &server_->mc_cmd_set,
                      &server_->mc_cmd_touch, &server_->mc_cmd_flush}) {
        c->store(0);
      }
      return Reply("RESET");
    }
    if (t[1] == "settings" || t[1] == "items" || t[1] == "slabs" ||
        t[1] == "sizes" || t[1] == "conns" || t[1] == "extstore") {
      return Reply("END");
    }
    return Reply("ERROR");
  }
  uint64_t now = Keyspace::NowMs();
  auto stat = [this](std::string_view name, uint64_t v) {
    out_->append("STAT ");
    out_->append(name);
    out_->append(" " + std::to_string(v) + "\r\n");
  };
  stat("pid", static_cast<uint64_t>(getpid()));
  stat("uptime", (now - server_->start_ms) / 1000);
  stat("time", now / 1000);
  out_->append("STAT version 1.6.21-shale-0.1.0\r\n");
  stat("pointer_size", 64);
  stat("rusage_user", 0);
  stat("rusage_system", 0);
  stat("curr_connections", server_->registry->size());
  stat("total_connections", server_->registry->total_accepted());
  stat("rejected_connections", server_->registry->total_rejected());
  stat("cmd_get", server_->mc_cmd_get);
  stat("cmd_set", server_->mc_cmd_set);
  stat("cmd_flush", server_->mc_cmd_flush);
  stat("cmd_touch", server_->mc_cmd_touch);
  stat("get_hits", server_->mc_get_hits);
  stat("get_misses", server_->mc_get_misses);
  stat("threads", static_cast<uint64_t>(server_->config.threads));
  stat("limit_maxbytes", 0);
  stat("bytes", ResidentBytes());
  out_->append("END\r\n");
}

}  // namespace shale::server
