// The memcached meta commands: mg ms md ma (mn is answered inline).
#include <cctype>

#include "server/base64.h"
#include "server/keyspace/write_events.h"
#include "server/memcache/mc_session.h"
#include "server/memcache/mc_util.h"

namespace shale::server {

using namespace mc;
using KeyLock = Keyspace::KeyLock;

namespace {

// The flags of a meta command: tokens after the key (and data length).
struct MetaFlags {
  bool base64 = false, quiet = false, ret_cas = false, ret_flags = false,
       ret_key = false, ret_size = false, ret_ttl = false, ret_value = false;
  bool has_compare = false, has_ttl = false, has_flags = false,
       has_vivify = false;
  uint64_t compare_cas = 0;
  uint64_t ttl_at = 0;              // T
  uint64_t vivify_at = 0;           // N
  uint32_t client_flags = 0;        // F
  uint64_t initial = 0, delta = 1;  // J D
  char mode = 0;                    // M
  std::string opaque;               // O
  std::string order;                // return flags, in the order asked
  // Why ParseMetaFlags failed: memcached's text for a bad number of an
  // exptime flag, else for an unknown flag.
  const char* error = "CLIENT_ERROR invalid flag";
};

constexpr const char* kBadToken =
    "CLIENT_ERROR bad token in command line format";

bool ParseMetaFlags(const std::vector<std::string>& t, size_t from,
                    MetaFlags* f) {
  for (size_t i = from; i < t.size(); i++) {
    const std::string& tok = t[i];
    if (tok.empty()) return false;
    std::string_view arg = std::string_view(tok).substr(1);
    switch (tok[0]) {
      case 'b':
        f->base64 = true;
        break;
      case 'q':
        f->quiet = true;
        break;
      case 'c':
        f->ret_cas = true;
        f->order += 'c';
        break;
      case 'f':
        f->ret_flags = true;
        f->order += 'f';
        break;
      case 'k':
        f->ret_key = true;
        f->order += 'k';
        break;
      case 's':
        f->ret_size = true;
        f->order += 's';
        break;
      case 't':
        f->ret_ttl = true;
        f->order += 't';
        break;
      case 'v':
        f->ret_value = true;
        break;
      case 'O':
        f->opaque = std::string(arg);
        f->order += 'O';
        break;
      case 'h':
      case 'l':
      case 'u':
      case 'I':
      case 'x':
      case 'E':
      case 'R':
        break;  // accepted, no effect in shale
      case 'C':
        if (!ParseNum(arg, &f->compare_cas)) return false;
        f->has_compare = true;
        break;
      case 'T':
        if (!ParseExptime(arg, &f->ttl_at)) {
          f->error = kBadToken;
          return false;
        }
        f->has_ttl = true;
        break;
      case 'N':
        if (!ParseExptime(arg, &f->vivify_at)) {
          f->error = kBadToken;
          return false;
        }
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
      case 'c':
        s += "c" + std::to_string(m.cas);
        break;
      case 'f':
        s += "f" + std::to_string(m.flags);
        break;
      case 'k':
        s += "k" + std::string(wire_key);
        if (f.base64) s += " b";
        break;
      case 's':
        s += "s" + std::to_string(size);
        break;
      case 't':
        s += "t" + std::to_string(TtlSeconds(m));
        break;
      case 'O':
        s += "O" + f.opaque;
        break;
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
  if (!ParseMetaFlags(t, 2, &f)) return Reply(f.error);
  std::string key = t[1];
  if (f.base64 && !Base64Decode(t[1], &key)) return Reply(kBadFormat);
  server_->mc_cmd_get++;
  Entry e;
  std::unique_ptr<KeyLock> lock;
  if (f.has_ttl) lock = std::make_unique<KeyLock>(ks_, key);
  Status s = ks_->Get(key, &e);
  if (!s.ok() && !s.IsNotFound()) return Reply("SERVER_ERROR " + s.ToString());
  if (IsCollection(s, e)) return Reply(CollectionError(e));
  if (s.IsNotFound()) {
    server_->mc_get_misses++;
    if (!f.quiet) Reply("EN");
    return;
  }
  server_->mc_get_hits++;
  ValueMeta meta = e.meta();
  if (f.has_ttl) {
    WriteEvents ev(ks_);
    ev.ExpiryChanged(key, f.ttl_at);
    s = ks_->Put(key, e.payload(), meta.flags, f.ttl_at, &meta.cas, ev.span());
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
  if (!ParseMetaFlags(t, 3, &f)) return Reply(f.error);
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
  if (IsCollection(s, old)) return Reply(CollectionError(old));
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
    if (value.size() > server_->max_value_bytes()) {
      return Reply("SERVER_ERROR out of memory storing object");
    }
    if (!f.has_flags) flags = old.meta().flags;
    if (!f.has_ttl) at = old.meta().expire_at_ms;
  }
  WriteEvents ev(ks_);
  const bool joined = mode == 'A' || mode == 'P';
  ev.Store(key, exists,
           !joined       ? "set"
           : mode == 'A' ? "append"
                         : "prepend",
           f.has_ttl ? at : 0);
  ValueMeta meta;
  s = ks_->Put(key, value, flags, at, &meta.cas, ev.span());
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
  if (!ParseMetaFlags(t, 2, &f)) return Reply(f.error);
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
  if (IsCollection(s, e)) return Reply(CollectionError(e));
  if (f.has_compare && e.meta().cas != f.compare_cas) {
    out_->append("EX" + ret + "\r\n");
    return;
  }
  WriteEvents ev(ks_);
  ev.Add(kNotifyGeneric, "del", key);
  s = ks_->Delete(key, ev.span());
  if (!s.ok()) return Reply("SERVER_ERROR " + s.ToString());
  if (!f.quiet) out_->append("HD" + ret + "\r\n");
}

// ma <key> <flags>*
void McSession::MetaArith(McRequest& req) {
  auto& t = req.tokens;
  MetaFlags f;
  if (t.size() < 2 || !ValidKey(t[1])) return Reply(kBadFormat);
  if (!ParseMetaFlags(t, 2, &f)) return Reply(f.error);
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
  if (IsCollection(s, e)) return Reply(CollectionError(e));
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
  WriteEvents ev(ks_);
  if (s.IsNotFound()) ev.Add(kNotifyNew, "new", key);
  ev.Add(kNotifyString, "incrby", key);
  if (f.has_ttl) ev.ExpiryChanged(key, f.ttl_at);
  s = ks_->Put(key, out, meta.flags, meta.expire_at_ms, &meta.cas, ev.span());
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
