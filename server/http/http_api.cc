#include "server/http/http_api.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "server/base64.h"
#include "server/http/http_stats.h"
#include "server/keyspace/write_events.h"

namespace shale::server {
namespace {

using json = nlohmann::json;
using KeyLock = Keyspace::KeyLock;

constexpr int64_t kMaxScanLimit = 10000;
constexpr size_t kMaxScanBytes = 16 << 20;

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse EngineError(const Status& s) {
  return HttpResponse::Error(500, "engine_error", s.ToString());
}

std::string ETag(uint64_t cas) { return "\"" + std::to_string(cas) + "\""; }

// Parses an If-Match / If-None-Match value: "*" or one quoted token.
bool MatchesETag(std::string_view header, uint64_t cas) {
  if (header == "*") return true;
  // Accept a comma-separated list and weak validators.
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    std::string_view tok = header.substr(pos, comma == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : comma - pos);
    while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
    while (!tok.empty() && tok.back() == ' ') tok.remove_suffix(1);
    if (tok.substr(0, 2) == "W/") tok.remove_prefix(2);
    if (tok == ETag(cas)) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

std::map<std::string, std::string> ParseQuery(std::string_view q, bool* ok) {
  std::map<std::string, std::string> out;
  *ok = true;
  size_t pos = 0;
  while (pos < q.size()) {
    size_t amp = q.find('&', pos);
    std::string_view part =
        q.substr(pos, amp == std::string_view::npos ? std::string_view::npos
                                                    : amp - pos);
    size_t eq = part.find('=');
    std::string k, v;
    if (!PercentDecode(part.substr(0, eq), true, &k) ||
        (eq != std::string_view::npos &&
         !PercentDecode(part.substr(eq + 1), true, &v))) {
      *ok = false;
    }
    if (!k.empty()) out[k] = v;
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return out;
}

bool ParseUint(std::string_view s, uint64_t* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

// Puts bytes into j under name, or under name_b64 when not UTF-8 (or
// base64 forced).
void PutBytes(json* j, const std::string& name, std::string_view bytes,
              bool force_b64) {
  if (!force_b64 && IsValidUtf8(bytes)) {
    (*j)[name] = std::string(bytes);
  } else {
    (*j)[name + "_b64"] = Base64Encode(bytes);
  }
}

// Reads name or name_b64 from j; false if neither or a bad type/encoding.
bool GetBytes(const json& j, const std::string& name, std::string* out) {
  if (j.contains(name) && j[name].is_string()) {
    *out = j[name].get<std::string>();
    return true;
  }
  std::string b64 = name + "_b64";
  if (j.contains(b64) && j[b64].is_string()) {
    return Base64Decode(j[b64].get<std::string>(), out);
  }
  return false;
}

bool Authorized(ServerState* server, const HttpRequest& req) {
  if (!server->auth_required.load()) return true;
  std::string want = server->RequirePass();
  auto it = req.headers.find("authorization");
  if (it == req.headers.end()) return false;
  std::string_view v = it->second;
  if (v.substr(0, 7) == "Bearer ") return v.substr(7) == want;
  if (v.substr(0, 6) == "Basic ") {
    std::string decoded;
    if (!Base64Decode(v.substr(6), &decoded)) return false;
    size_t colon = decoded.find(':');
    if (colon == std::string::npos) return false;
    // Any user name, as Redis's requirepass: only the password counts.
    return decoded.substr(colon + 1) == want;
  }
  return false;
}

std::string Header(const HttpRequest& req, const std::string& name) {
  auto it = req.headers.find(name);
  return it == req.headers.end() ? std::string() : it->second;
}

// A key that holds a Redis collection (hash, set ...) has no single value:
// every request on it is refused with 409, the key untouched
// (docs/protocols.md, "HTTP").
bool IsCollection(const Status& st, const Entry& e) {
  return st.ok() && e.meta().type != KeyType::kString;
}
HttpResponse CollectionConflict(const Entry& e) {
  return HttpResponse::Error(409, "wrong_type",
                             std::string("the key holds a Redis ") +
                                 TypeName(e.meta().type) +
                                 ", not a string value");
}

HttpResponse GetKey(KeyspaceDb* ks, const std::string& key, bool head) {
  Entry e;
  Status st = ks->Get(key, &e);
  if (st.IsNotFound())
    return HttpResponse::Error(404, "not_found", "no such key");
  if (!st.ok()) return EngineError(st);
  if (IsCollection(st, e)) return CollectionConflict(e);
  HttpResponse r;
  r.content_type = "application/octet-stream";
  r.headers.push_back({"ETag", ETag(e.meta().cas)});
  if (e.meta().expire_at_ms != 0) {
    r.headers.push_back(
        {"X-Shale-Expire-At-Ms", std::to_string(e.meta().expire_at_ms)});
  }
  if (e.meta().flags != 0) {
    r.headers.push_back({"X-Shale-Flags", std::to_string(e.meta().flags)});
  }
  (void)head;  // the body is dropped by the serializer for HEAD
  r.body = e.TakePayload();
  return r;
}

HttpResponse PutKey(ServerState* s, KeyspaceDb* ks, const HttpRequest& req,
                    const std::string& key,
                    const std::map<std::string, std::string>& q) {
  uint64_t at = 0;
  if (auto it = q.find("ttl"); it != q.end()) {
    uint64_t ttl;
    if (!ParseUint(it->second, &ttl) || ttl == 0 || ttl > (1ull << 40)) {
      return HttpResponse::Error(400, "bad_request",
                                 "ttl must be a positive number of seconds");
    }
    at = Keyspace::NowMs() + ttl * 1000;
  }
  if (key.size() > s->config.max_key_bytes) {
    return HttpResponse::Error(400, "key_too_large", "key is too large");
  }
  if (req.body.size() > s->max_value_bytes()) {
    return HttpResponse::Error(413, "value_too_large", "value is too large");
  }
  std::string if_match = Header(req, "if-match");
  std::string if_none = Header(req, "if-none-match");
  KeyLock lock(ks, key);
  {
    // Read even without a precondition: a collection is refused, untouched.
    Entry e;
    Status st = ks->Get(key, &e);
    if (!st.ok() && !st.IsNotFound()) return EngineError(st);
    if (IsCollection(st, e)) return CollectionConflict(e);
    bool exists = st.ok();
    if (!if_match.empty() &&
        (!exists || !MatchesETag(if_match, e.meta().cas))) {
      return HttpResponse::Error(412, "precondition_failed",
                                 "the key's ETag does not match If-Match");
    }
    if (!if_none.empty() && exists && MatchesETag(if_none, e.meta().cas)) {
      return HttpResponse::Error(412, "precondition_failed",
                                 "the key exists (If-None-Match)");
    }
  }
  WriteEvents ev(ks);
  ev.Store(key, ev.WantsNew() ? ks->Exists(key) : true, "set", at);
  uint64_t cas = 0;
  Status st = ks->Put(key, req.body, 0, at, &cas, ev.span());
  if (!st.ok()) return EngineError(st);
  HttpResponse r = HttpResponse::Json(200, R"({"ok":true})");
  r.headers.push_back({"ETag", ETag(cas)});
  return r;
}

HttpResponse DeleteKey(KeyspaceDb* ks, const HttpRequest& req,
                       const std::string& key) {
  std::string if_match = Header(req, "if-match");
  KeyLock lock(ks, key);
  Entry e;
  Status st = ks->Get(key, &e);
  if (!st.ok() && !st.IsNotFound()) return EngineError(st);
  if (IsCollection(st, e)) return CollectionConflict(e);
  if (!if_match.empty() && (!st.ok() || !MatchesETag(if_match, e.meta().cas))) {
    return HttpResponse::Error(412, "precondition_failed",
                               "the key's ETag does not match If-Match");
  }
  if (st.IsNotFound())
    return HttpResponse::Error(404, "not_found", "no such key");
  WriteEvents ev(ks);
  ev.Add(kNotifyGeneric, "del", key);
  st = ks->Delete(key, ev.span());
  if (!st.ok()) return EngineError(st);
  return HttpResponse::Json(200, R"({"deleted":true})");
}

// The smallest key greater than every key starting with prefix ("" when
// none: the prefix is all 0xff).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char c = static_cast<unsigned char>(prefix.back());
    if (c != 0xff) {
      prefix.back() = static_cast<char>(c + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

HttpResponse Scan(KeyspaceDb* ks, const std::map<std::string, std::string>& q) {
  std::string start, end;
  bool has_end = false;
  if (auto it = q.find("prefix"); it != q.end()) {
    start = it->second;
    end = PrefixEnd(it->second);
    has_end = !end.empty();
  }
  if (auto it = q.find("start"); it != q.end() && it->second > start) {
    start = it->second;
  }
  if (auto it = q.find("end"); it != q.end()) {
    if (!has_end || it->second < end) end = it->second;
    has_end = true;
  }
  uint64_t limit = 100;
  if (auto it = q.find("limit"); it != q.end()) {
    if (!ParseUint(it->second, &limit) || limit == 0 ||
        limit > static_cast<uint64_t>(kMaxScanLimit)) {
      return HttpResponse::Error(400, "bad_request",
                                 "limit must be between 1 and 10000");
    }
  }
  bool b64 = false;
  if (auto it = q.find("encoding"); it != q.end()) {
    if (it->second == "base64") {
      b64 = true;
    } else if (it->second != "utf8" && it->second != "auto") {
      return HttpResponse::Error(400, "bad_request",
                                 "encoding must be auto or base64");
    }
  }
  std::string_view upper = end;
  auto iter = ks->NewIterator(has_end ? &upper : nullptr);
  json items = json::array();
  uint64_t n = 0;
  // A page also stops at about kMaxScanBytes of keys and values (at least
  // one item), so big values cannot make one response huge.
  size_t bytes = 0;
  for (iter->Seek(start);
       iter->Valid() && n < limit && (n == 0 || bytes < kMaxScanBytes);
       iter->Next(), n++) {
    std::string_view payload = iter->payload();
    const ValueMeta& meta = iter->meta();
    bytes += iter->key().size() + payload.size();
    json item;
    PutBytes(&item, "key", iter->key(), b64);
    if (meta.type == KeyType::kString) {
      PutBytes(&item, "value", payload, b64);
    } else {
      item["type"] = TypeName(meta.type);  // a collection: no value
    }
    if (meta.expire_at_ms != 0) item["expire_at_ms"] = meta.expire_at_ms;
    items.push_back(std::move(item));
  }
  if (!iter->status().ok()) return EngineError(iter->status());
  json out;
  out["items"] = std::move(items);
  if (iter->Valid()) {
    PutBytes(&out, "next", iter->key(), b64);
  } else {
    out["next"] = nullptr;
  }
  return HttpResponse::Json(200, Dump(out));
}

// {"ops":[{"op":"put","key":"k","value":"v","ttl":10},{"op":"delete",...}]}
HttpResponse Batch(ServerState* s, KeyspaceDb* ks, const HttpRequest& req) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("ops") ||
      !body["ops"].is_array()) {
    return HttpResponse::Error(400, "bad_request",
                               "body must be {\"ops\": [...]}");
  }
  struct Op {
    bool put;
    std::string key, value;
    uint64_t at = 0;
  };
  std::vector<Op> ops;
  uint64_t now = Keyspace::NowMs();
  size_t i = 0;
  for (const json& o : body["ops"]) {
    std::string where = "ops[" + std::to_string(i++) + "]: ";
    if (!o.is_object() || !o.contains("op") || !o["op"].is_string()) {
      return HttpResponse::Error(400, "bad_request", where + "missing op");
    }
    Op op;
    std::string kind = o["op"].get<std::string>();
    if (kind != "put" && kind != "delete") {
      return HttpResponse::Error(400, "bad_request",
                                 where + "op must be put or delete");
    }
    op.put = kind == "put";
    if (!GetBytes(o, "key", &op.key)) {
      return HttpResponse::Error(400, "bad_request",
                                 where + "missing key or key_b64");
    }
    if (op.key.size() > s->config.max_key_bytes) {
      return HttpResponse::Error(400, "key_too_large", where + "key too large");
    }
    if (op.put && !GetBytes(o, "value", &op.value)) {
      return HttpResponse::Error(400, "bad_request",
                                 where + "missing value or value_b64");
    }
    if (o.contains("ttl")) {
      if (!o["ttl"].is_number_unsigned() || o["ttl"].get<uint64_t>() == 0 ||
          o["ttl"].get<uint64_t>() > (1ull << 40)) {
        return HttpResponse::Error(400, "bad_request",
                                   where + "ttl must be a positive integer");
      }
      op.at = now + o["ttl"].get<uint64_t>() * 1000;
    }
    ops.push_back(std::move(op));
  }
  std::vector<std::string_view> keys;
  for (const Op& op : ops) keys.push_back(op.key);
  KeyLock lock(ks, keys);
  for (std::string_view k : keys) {
    // A batch touching a collection is refused whole.
    Entry e;
    Status st = ks->Get(k, &e);
    if (!st.ok() && !st.IsNotFound()) return EngineError(st);
    if (IsCollection(st, e)) return CollectionConflict(e);
  }
  WriteBatch batch;
  WriteEvents ev(ks);
  // Whether each key exists as the ops go (for "new" and "del"), only
  // when those events are wanted.
  const bool track = ev.WantsNew() || ks->keyspace()->Wants(kNotifyGeneric);
  std::map<std::string_view, bool> exists;
  auto existed = [&](std::string_view k) {
    if (!track) return true;
    auto [it, fresh] = exists.try_emplace(k, false);
    if (fresh) it->second = ks->Exists(k);
    return it->second;
  };
  for (const Op& op : ops) {
    const bool was = existed(op.key);
    if (op.put) {
      ks->AddPut(&batch, op.key, op.value, 0, op.at);
      ev.Store(op.key, was, "set", op.at);
      if (track) exists[op.key] = op.at == 0 || op.at > now;
    } else {
      ks->AddDelete(&batch, op.key);
      if (was) ev.Add(kNotifyGeneric, "del", op.key);
      if (track) exists[op.key] = false;
    }
  }
  Status st = ks->Write(&batch, keys, ev.span());
  if (!st.ok()) return EngineError(st);
  json out;
  out["ok"] = true;
  out["applied"] = ops.size();
  return HttpResponse::Json(200, Dump(out));
}

HttpResponse MethodNotAllowed(const char* allow) {
  HttpResponse r = HttpResponse::Error(405, "method_not_allowed",
                                       "method not allowed on this path");
  r.headers.push_back({"Allow", allow});
  return r;
}

}  // namespace

bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); i++) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      auto hex = [](char h) {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t j = 1; j <= n; j++) {
      unsigned char d = static_cast<unsigned char>(s[i + j]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
        (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

HttpResponse HandleHttp(ServerState* s, const HttpRequest& req) {
  const std::string& p = req.path;
  const std::string& m = req.method;
  if (p == "/healthz") {
    if (m != "GET" && m != "HEAD") return MethodNotAllowed("GET, HEAD");
    return HttpResponse::Json(200, R"({"status":"ok"})");
  }
  if (!Authorized(s, req)) {
    HttpResponse r =
        HttpResponse::Error(401, "unauthorized", "authentication required");
    r.headers.push_back({"WWW-Authenticate", "Basic realm=\"shale\""});
    return r;
  }
  bool query_ok;
  auto q = ParseQuery(req.query, &query_ok);
  if (!query_ok) {
    return HttpResponse::Error(400, "bad_request", "bad percent-encoding");
  }
  // ?db=N on every key, scan and batch endpoint (default 0).
  int db = 0;
  if (auto it = q.find("db"); it != q.end()) {
    uint64_t v;
    if (!ParseUint(it->second, &v) ||
        v >= static_cast<uint64_t>(s->ks->databases())) {
      return HttpResponse::Error(
          400, "bad_request",
          "db must be between 0 and " + std::to_string(s->ks->databases() - 1));
    }
    db = static_cast<int>(v);
  }
  KeyspaceDb ks(s->ks, db);
  static constexpr std::string_view kKeyPrefix = "/v1/kv/";
  if (p.compare(0, kKeyPrefix.size(), kKeyPrefix) == 0) {
    std::string key;
    if (!PercentDecode(std::string_view(p).substr(kKeyPrefix.size()), false,
                       &key)) {
      return HttpResponse::Error(400, "bad_request", "bad percent-encoding");
    }
    if (key.empty())
      return HttpResponse::Error(400, "bad_request", "empty key");
    if (m == "GET" || m == "HEAD") return GetKey(&ks, key, m == "HEAD");
    if (m == "PUT") return PutKey(s, &ks, req, key, q);
    if (m == "DELETE") return DeleteKey(&ks, req, key);
    return MethodNotAllowed("GET, HEAD, PUT, DELETE");
  }
  if (p == "/v1/kv") {
    if (m != "GET") return MethodNotAllowed("GET");
    return Scan(&ks, q);
  }
  if (p == "/v1/batch") {
    if (m != "POST") return MethodNotAllowed("POST");
    return Batch(s, &ks, req);
  }
  if (p == "/v1/admin/flush") {
    if (m != "POST") return MethodNotAllowed("POST");
    Status st = s->ks->db()->Flush();
    if (!st.ok()) return EngineError(st);
    return HttpResponse::Json(200, R"({"ok":true})");
  }
  if (p == "/v1/admin/compact") {
    if (m != "POST") return MethodNotAllowed("POST");
    Status st = s->ks->db()->CompactRange(nullptr, nullptr);
    if (!st.ok()) return EngineError(st);
    return HttpResponse::Json(200, R"({"ok":true})");
  }
  if (p == "/v1/stats") {
    if (m != "GET") return MethodNotAllowed("GET");
    return StatsJson(s);
  }
  if (p == "/metrics") {
    if (m != "GET") return MethodNotAllowed("GET");
    return PrometheusMetrics(s);
  }
  return HttpResponse::Error(404, "not_found", "no such endpoint");
}

}  // namespace shale::server
