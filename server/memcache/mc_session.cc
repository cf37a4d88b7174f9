#include "server/memcache/mc_session.h"

#include <unistd.h>

#include <charconv>

#include "server/base64.h"
#include "server/info.h"

namespace shale::server {
namespace {

using KeyLock = Keyspace::KeyLock;

constexpr size_t kMaxKey = 250;                 // memcached's KEY_MAX_LENGTH
constexpr int64_t kRelativeLimit = 60 * 60 * 24 * 30;  // 30 days, seconds
constexpr const char* kBadFormat = "CLIENT_ERROR bad command line format";
constexpr const char* kNonNumeric =
    "CLIENT_ERROR cannot increment or decrement non-numeric value";

template <typename T>
bool ParseNum(std::string_view s, T* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

// memcached exptime -> absolute Unix ms; 0: never. An expired time gives 1
// (a moment in the past), so that Keyspace::Put deletes instead of storing.
bool ParseExptime(std::string_view s, uint64_t* at) {
  int64_t t;
  if (!ParseNum(s, &t)) return false;
  if (t == 0) {
    *at = 0;
  } else if (t < 0) {
    *at = 1;
  } else if (t <= kRelativeLimit) {
    *at = Keyspace::NowMs() + static_cast<uint64_t>(t) * 1000;
  } else {
    *at = static_cast<uint64_t>(t) * 1000;
    if (*at <= Keyspace::NowMs()) *at = 1;
  }
  return true;
}

// A value as memcached's incr sees it: decimal digits, maybe followed by
// spaces (memcached pads in place).
bool ParseCounter(std::string_view v, uint64_t* n) {
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty() || v.size() > 20) return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  return ParseNum(v, n);
}

int64_t TtlSeconds(const ValueMeta& m) {
  if (m.expire_at_ms == 0) return -1;
  uint64_t now = Keyspace::NowMs();
  return m.expire_at_ms > now
             ? static_cast<int64_t>((m.expire_at_ms - now + 999) / 1000)
             : 0;
}

}  // namespace

McSession::McSession(ServerState* server, const ConnectionInfo&)
    : server_(server),
      ks_(server->ks),
      parser_(server->config.max_value_bytes, server->config.max_line_bytes) {}

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
  for (char c : key) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return true;
}

size_t McSession::OnData(std::string_view in, std::string* out,
                         size_t output_limit) {
  out_ = out;
  size_t total = 0;
  while (!closing_ && out->size() < output_limit) {
    size_t used = 0;
    McParser::Result r = parser_.Parse(in.substr(total), &used);
    total += used;
    if (r == McParser::Result::kNeedMore) break;
    if (r == McParser::Result::kError) {
      out->append(parser_.error() + "\r\n");
      closing_ = true;
      break;
    }
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
    Status s = ks_->DeleteAll();
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
  for (size_t i = first; i < t.size(); i++) {
    server_->mc_cmd_get++;
    if (touch) server_->mc_cmd_touch++;
    Entry e;
    std::unique_ptr<KeyLock> lock;
    if (touch) lock = std::make_unique<KeyLock>(ks_, t[i]);
    Status s = ks_->Get(t[i], &e);
    if (!s.ok()) {
      server_->mc_get_misses++;
      if (!s.IsNotFound()) return Reply("SERVER_ERROR " + s.ToString());
      continue;
    }
    server_->mc_get_hits++;
    uint64_t cas = e.meta().cas;
    if (touch) {
      s = ks_->Put(t[i], e.payload(), e.meta().flags, at, &cas);
      if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
      if (at == 1) continue;  // touched into the past: gone
    }
    std::string line = "VALUE " + t[i] + " " + std::to_string(e.meta().flags) +
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
      !ParseNum(t[2], &flags) || !ParseExptime(t[3], &at) ||
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
  if (c != "set") {
    s = ks_->Get(key, &old);
    if (!s.ok() && !s.IsNotFound()) return Reply("SERVER_ERROR " + s.ToString());
    exists = s.ok();
  }
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
    if (old.payload().size() + req.data.size() >
        server_->config.max_value_bytes) {
      return Reply("SERVER_ERROR out of memory storing object");
    }
    combined = c == "append" ? std::string(old.payload()) + req.data
                             : req.data + std::string(old.payload());
    value = combined;
    // append/prepend keep the item's flags and expiry.
    flags = old.meta().flags;
    at = old.meta().expire_at_ms;
  }
  s = ks_->Put(key, value, flags, at);
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
  if (!ks_->Exists(t[1])) return Reply("NOT_FOUND");
  Status s = ks_->Delete(t[1]);
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
  s = ks_->Put(t[1], out, e.meta().flags, e.meta().expire_at_ms);
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
  s = ks_->Put(t[1], e.payload(), e.meta().flags, at);
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

namespace {

// The flags of a meta command: tokens after the key (and data length).
struct MetaFlags {
  bool base64 = false, quiet = false, ret_cas = false, ret_flags = false,
       ret_key = false, ret_size = false, ret_ttl = false, ret_value = false;
  bool has_compare = false, has_ttl = false, has_flags = false,
       has_vivify = false;
  uint64_t compare_cas = 0;
  uint64_t ttl_at = 0;      // T
  uint64_t vivify_at = 0;   // N
  uint32_t client_flags = 0;  // F
  uint64_t initial = 0, delta = 1;  // J D
  char mode = 0;                    // M
  std::string opaque;               // O
  std::string order;                // return flags, in the order asked
};

bool ParseMetaFlags(const std::vector<std::string>& t, size_t from,
                    MetaFlags* f) {
  for (size_t i = from; i < t.size(); i++) {
    const std::string& tok = t[i];
    if (tok.empty()) return false;
    std::string_view arg = std::string_view(tok).substr(1);
    switch (tok[0]) {
      case 'b': f->base64 = true; break;
      case 'q': f->quiet = true; break;
      case 'c': f->ret_cas = true; f->order += 'c'; break;
      case 'f': f->ret_flags = true; f->order += 'f'; break;
      case 'k': f->ret_key = true; f->order += 'k'; break;
      case 's': f->ret_size = true; f->order += 's'; break;
      case 't': f->ret_ttl = true; f->order += 't'; break;
      case 'v': f->ret_value = true; break;
      case 'O': f->opaque = std::string(arg); f->order += 'O'; break;
      case 'h': case 'l': case 'u': case 'I': case 'x': case 'E': case 'R':
        break;  // accepted, no effect in shale
      case 'C':
        if (!ParseNum(arg, &f->compare_cas)) return false;
        f->has_compare = true;
        break;
      case 'T':
        if (!ParseExptime(arg, &f->ttl_at)) return false;
        f->has_ttl = true;
        break;
      case 'N':
        if (!ParseExptime(arg, &f->vivify_at)) return false;
        f->has_vivify = true;
        break;
      case 'F':
        if (!ParseNum(arg, &f->client_flags)) return false;
        f->has_flags = true;
        break;
      case 'J':
        if (!ParseNum(arg, &f->initial)) return false;
        break;
      case 'D':
        if (!ParseNum(arg, &f->delta)) return false;
        break;
      case 'M':
        if (arg.size() != 1) return false;
        f->mode = arg[0];
        break;
      default:
        return false;
    }
  }
  return true;
}

// " c123 f0 kkey ..." for the return flags asked for.
std::string MetaReturn(const MetaFlags& f, std::string_view wire_key,
                       const ValueMeta& m, size_t size) {
  std::string s;
  for (char c : f.order) {
    s += ' ';
    switch (c) {
      case 'c': s += "c" + std::to_string(m.cas); break;
      case 'f': s += "f" + std::to_string(m.flags); break;
      case 'k':
        s += "k" + std::string(wire_key);
        if (f.base64) s += " b";
        break;
      case 's': s += "s" + std::to_string(size); break;
      case 't': s += "t" + std::to_string(TtlSeconds(m)); break;
      case 'O': s += "O" + f.opaque; break;
    }
  }
  return s;
}

}  // namespace

// mg <key> <flags>*
void McSession::MetaGet(McRequest& req) {
  auto& t = req.tokens;
  MetaFlags f;
  if (t.size() < 2 || !ValidKey(t[1])) return Reply(kBadFormat);
  if (!ParseMetaFlags(t, 2, &f)) return Reply("CLIENT_ERROR invalid flag");
  std::string key = t[1];
  if (f.base64 && !Base64Decode(t[1], &key)) return Reply(kBadFormat);
  server_->mc_cmd_get++;
  Entry e;
  std::unique_ptr<KeyLock> lock;
  if (f.has_ttl) lock = std::make_unique<KeyLock>(ks_, key);
  Status s = ks_->Get(key, &e);
  if (!s.ok() && !s.IsNotFound()) return Reply("SERVER_ERROR " + s.ToString());
  if (s.IsNotFound()) {
    server_->mc_get_misses++;
    if (!f.quiet) Reply("EN");
    return;
  }
  server_->mc_get_hits++;
  ValueMeta meta = e.meta();
  if (f.has_ttl) {
    s = ks_->Put(key, e.payload(), meta.flags, f.ttl_at, &meta.cas);
    if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
    meta.expire_at_ms = f.ttl_at;
  }
  std::string ret = MetaReturn(f, t[1], meta, e.payload().size());
  if (f.ret_value) {
    out_->append("VA " + std::to_string(e.payload().size()) + ret + "\r\n");
    out_->append(e.payload());
    out_->append("\r\n");
  } else {
    out_->append("HD" + ret + "\r\n");
  }
}

// ms <key> <datalen> <flags>*
void McSession::MetaSet(McRequest& req) {
  auto& t = req.tokens;
  MetaFlags f;
  if (t.size() < 3 || !ValidKey(t[1])) return Reply(kBadFormat);
  if (!ParseMetaFlags(t, 3, &f)) return Reply("CLIENT_ERROR invalid flag");
  std::string key = t[1];
  if (f.base64 && !Base64Decode(t[1], &key)) return Reply(kBadFormat);
  char mode = f.mode == 0 ? 'S' : static_cast<char>(std::toupper(f.mode));
  if (mode != 'S' && mode != 'E' && mode != 'A' && mode != 'P' && mode != 'R') {
    return Reply("CLIENT_ERROR invalid mode for ms M token");
  }
  server_->mc_cmd_set++;
  KeyLock lock(ks_, key);
  Entry old;
  Status s = ks_->Get(key, &old);
  if (!s.ok() && !s.IsNotFound()) return Reply("SERVER_ERROR " + s.ToString());
  bool exists = s.ok();
  auto done = [&](const char* code) {
    if (!(f.quiet && code[0] == 'H')) {
      out_->append(std::string(code) +
                   MetaReturn(f, t[1], old.meta(), old.payload().size()) +
                   "\r\n");
    }
  };
  if (f.has_compare) {
    if (!exists) return done("NF");
    if (old.meta().cas != f.compare_cas) return done("EX");
  }
  if (mode == 'E' && exists) return done("NS");
  if ((mode == 'R' || mode == 'A' || mode == 'P') && !exists) return done("NS");
  std::string value = req.data;
  uint32_t flags = f.client_flags;
  uint64_t at = f.has_ttl ? f.ttl_at : 0;
  if (mode == 'A' || mode == 'P') {
    value = mode == 'A' ? std::string(old.payload()) + req.data
                        : req.data + std::string(old.payload());
    if (value.size() > server_->config.max_value_bytes) {
      return Reply("SERVER_ERROR out of memory storing object");
    }
    if (!f.has_flags) flags = old.meta().flags;
    if (!f.has_ttl) at = old.meta().expire_at_ms;
  }
  ValueMeta meta;
  s = ks_->Put(key, value, flags, at, &meta.cas);
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  meta.flags = flags;
  meta.expire_at_ms = at;
  if (!f.quiet) {
    out_->append("HD" + MetaReturn(f, t[1], meta, value.size()) + "\r\n");
  }
}

// md <key> <flags>*
void McSession::MetaDelete(McRequest& req) {
  auto& t = req.tokens;
  MetaFlags f;
  if (t.size() < 2 || !ValidKey(t[1])) return Reply(kBadFormat);
  if (!ParseMetaFlags(t, 2, &f)) return Reply("CLIENT_ERROR invalid flag");
  std::string key = t[1];
  if (f.base64 && !Base64Decode(t[1], &key)) return Reply(kBadFormat);
  KeyLock lock(ks_, key);
  Entry e;
  Status s = ks_->Get(key, &e);
  ValueMeta none;
  std::string ret = MetaReturn(f, t[1], none, 0);
  if (s.IsNotFound()) {
    if (!f.quiet) out_->append("NF" + ret + "\r\n");
    return;
  }
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  if (f.has_compare && e.meta().cas != f.compare_cas) {
    out_->append("EX" + ret + "\r\n");
    return;
  }
  s = ks_->Delete(key);
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  if (!f.quiet) out_->append("HD" + ret + "\r\n");
}

// ma <key> <flags>*
void McSession::MetaArith(McRequest& req) {
  auto& t = req.tokens;
  MetaFlags f;
  if (t.size() < 2 || !ValidKey(t[1])) return Reply(kBadFormat);
  if (!ParseMetaFlags(t, 2, &f)) return Reply("CLIENT_ERROR invalid flag");
  std::string key = t[1];
  if (f.base64 && !Base64Decode(t[1], &key)) return Reply(kBadFormat);
  char mode = f.mode == 0 ? 'I' : static_cast<char>(std::toupper(f.mode));
  if (mode == '+') mode = 'I';
  if (mode == '-') mode = 'D';
  if (mode != 'I' && mode != 'D') {
    return Reply("CLIENT_ERROR invalid mode for ma M token");
  }
  KeyLock lock(ks_, key);
  Entry e;
  Status s = ks_->Get(key, &e);
  if (!s.ok() && !s.IsNotFound()) return Reply("SERVER_ERROR " + s.ToString());
  ValueMeta meta = e.meta();
  uint64_t v;
  if (s.IsNotFound()) {
    if (!f.has_vivify) {
      ValueMeta none;
      if (!f.quiet) out_->append("NF" + MetaReturn(f, t[1], none, 0) + "\r\n");
      return;
    }
    v = f.initial;
    meta = ValueMeta();
    meta.expire_at_ms = f.vivify_at;
  } else {
    if (f.has_compare && meta.cas != f.compare_cas) {
      out_->append("EX" + MetaReturn(f, t[1], meta, 0) + "\r\n");
      return;
    }
    if (!ParseCounter(e.payload(), &v)) return Reply(kNonNumeric);
    if (mode == 'I') {
      v += f.delta;
    } else {
      v = f.delta > v ? 0 : v - f.delta;
    }
  }
  if (f.has_ttl) meta.expire_at_ms = f.ttl_at;
  std::string out = std::to_string(v);
  s = ks_->Put(key, out, meta.flags, meta.expire_at_ms, &meta.cas);
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  std::string ret = MetaReturn(f, t[1], meta, out.size());
  if (f.ret_value) {
    out_->append("VA " + std::to_string(out.size()) + ret + "\r\n" + out +
                 "\r\n");
  } else if (!f.quiet) {
    out_->append("HD" + ret + "\r\n");
  }
}

}  // namespace shale::server
