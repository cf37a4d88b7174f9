#include "server/config_params.h"

#include <strings.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "server/config_special.h"
#include "server/redis/command.h"

namespace shale::server {
namespace {

// --- enums (names and values as Redis's configEnum tables) ----------------

constexpr EnumName kSupervised[] = {
    {"upstart", 1}, {"systemd", 2}, {"auto", 3}, {"no", 0}, {nullptr, 0}};
constexpr EnumName kSyslogFacility[] = {
    {"user", 0},   {"local0", 1}, {"local1", 2}, {"local2", 3}, {"local3", 4},
    {"local4", 5}, {"local5", 6}, {"local6", 7}, {"local7", 8}, {nullptr, 0}};
constexpr EnumName kReplDisklessLoad[] = {
    {"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}, {nullptr, 0}};
constexpr EnumName kLogLevel[] = {
    {"debug", 0}, {"verbose", 1}, {"notice", 2}, {"warning", 3}, {nullptr, 0}};
constexpr EnumName kMaxmemoryPolicy[] = {
    {"volatile-lru", 0},   {"volatile-lfu", 1}, {"volatile-random", 2},
    {"volatile-ttl", 3},   {"allkeys-lru", 4},  {"allkeys-lfu", 5},
    {"allkeys-random", 6}, {"noeviction", 7},   {nullptr, 0}};
constexpr EnumName kAppendFsync[] = {
    {"everysec", 1}, {"always", 2}, {"no", 0}, {nullptr, 0}};
constexpr EnumName kOomScoreAdj[] = {
    {"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}, {nullptr, 0}};
constexpr EnumName kAclPubsubDefault[] = {
    {"allchannels", 1}, {"resetchannels", 0}, {nullptr, 0}};
constexpr EnumName kSanitizeDumpPayload[] = {
    {"no", 0}, {"yes", 1}, {"clients", 2}, {nullptr, 0}};
constexpr EnumName kProtectedAction[] = {
    {"no", 0}, {"yes", 1}, {"local", 2}, {nullptr, 0}};
constexpr EnumName kEndpointType[] = {
    {"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}, {nullptr, 0}};
constexpr EnumName kPropagationError[] = {
    {"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}, {nullptr, 0}};
constexpr EnumName kTlsAuthClients[] = {
    {"no", 0}, {"yes", 1}, {"optional", 2}, {nullptr, 0}};

}  // namespace

using namespace param_values;  // NOLINT: the table names them

namespace {

// --- the table
// ----------------------------------------------------------------

constexpr int64_t kIntMax = INT_MAX;
constexpr int64_t kIntMin = INT_MIN;
constexpr int64_t kLongMax = LONG_MAX;
constexpr int64_t kLLongMax = LLONG_MAX;
constexpr uint32_t I = kParamImmutable, P = kParamProtected,
                   S = kParamSensitive, H = kParamHidden, M = kParamMultiArg,
                   A = kParamApplied;

ParamSpec Bool(const char* name, const char* alias, uint32_t flags,
               const char* def,
               bool (*check)(std::string_view, const char**) = nullptr) {
  ParamSpec p{name, alias, ParamType::kBool, flags, def};
  p.check = check;
  return p;
}

ParamSpec Str(const char* name, const char* alias, uint32_t flags,
              const char* def,
              bool (*check)(std::string_view, const char**) = nullptr) {
  ParamSpec p{name, alias, ParamType::kString, flags, def};
  p.check = check;
  return p;
}

ParamSpec Enum(const char* name, uint32_t flags, const EnumName* names,
               const char* def) {
  ParamSpec p{name, nullptr, ParamType::kEnum, flags, def};
  p.enum_names = names;
  return p;
}

ParamSpec Signed(const char* name, const char* alias, uint32_t flags,
                 int64_t min, int64_t max, const char* def,
                 uint8_t syntax = kNumPlain) {
  ParamSpec p{name, alias, ParamType::kSigned, flags, def};
  p.min = min;
  p.max = static_cast<uint64_t>(max);
  p.syntax = syntax;
  return p;
}

ParamSpec Unsigned(const char* name, const char* alias, uint32_t flags,
                   uint64_t min, uint64_t max, const char* def,
                   uint8_t syntax = kNumPlain) {
  ParamSpec p{name, alias, ParamType::kUnsigned, flags, def};
  p.min = static_cast<int64_t>(min);
  p.max = max;
  p.syntax = syntax;
  return p;
}

ParamSpec Special(const char* name, const char* alias, uint32_t flags,
                  const char* def,
                  bool (*parse)(std::span<const std::string>, std::string*,
                                std::string*)) {
  ParamSpec p{name, alias, ParamType::kSpecial, flags, def};
  p.special = parse;
  return p;
}

const std::vector<ParamSpec>& Table() {
  static const std::vector<ParamSpec>* table = new std::vector<ParamSpec>{
      // yes/no
      Bool("rdbchecksum", nullptr, I, "yes"),
      Bool("daemonize", nullptr, I, "no"),
      Bool("io-threads-do-reads", nullptr, I, "no"),
      Bool("always-show-logo", nullptr, I, "no"),
      Bool("protected-mode", nullptr, 0, "yes"),
      Bool("rdbcompression", nullptr, 0, "yes"),
      Bool("rdb-del-sync-files", nullptr, 0, "no"),
      Bool("activerehashing", nullptr, 0, "yes"),
      Bool("stop-writes-on-bgsave-error", nullptr, 0, "yes"),
      Bool("set-proc-title", nullptr, I, "yes"),
      Bool("dynamic-hz", nullptr, 0, "yes"),
      Bool("lazyfree-lazy-eviction", nullptr, 0, "no"),
      Bool("lazyfree-lazy-expire", nullptr, 0, "no"),
      Bool("lazyfree-lazy-server-del", nullptr, 0, "no"),
      Bool("lazyfree-lazy-user-del", nullptr, 0, "no"),
      Bool("lazyfree-lazy-user-flush", nullptr, 0, "no"),
      Bool("repl-disable-tcp-nodelay", nullptr, 0, "no"),
      Bool("repl-diskless-sync", nullptr, 0, "yes"),
      Bool("aof-rewrite-incremental-fsync", nullptr, 0, "yes"),
      Bool("no-appendfsync-on-rewrite", nullptr, 0, "no"),
      Bool("cluster-require-full-coverage", nullptr, 0, "yes"),
      Bool("rdb-save-incremental-fsync", nullptr, 0, "yes"),
      Bool("aof-load-truncated", nullptr, 0, "yes"),
      Bool("aof-use-rdb-preamble", nullptr, 0, "yes"),
      Bool("aof-timestamp-enabled", nullptr, 0, "no"),
      Bool("cluster-replica-no-failover", "cluster-slave-no-failover", 0, "no"),
      Bool("replica-lazy-flush", "slave-lazy-flush", 0, "no"),
      Bool("replica-serve-stale-data", "slave-serve-stale-data", 0, "yes"),
      Bool("replica-read-only", "slave-read-only", 0, "yes"),
      Bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0, "yes"),
      Bool("jemalloc-bg-thread", nullptr, 0, "yes"),
      Bool("activedefrag", nullptr, 0, "no", CheckActiveDefrag),
      Bool("syslog-enabled", nullptr, I, "no"),
      Bool("cluster-enabled", nullptr, I, "no"),
      Bool("appendonly", nullptr, 0, "no"),
      Bool("cluster-allow-reads-when-down", nullptr, 0, "no"),
      Bool("cluster-allow-pubsubshard-when-down", nullptr, 0, "yes"),
      Bool("crash-log-enabled", nullptr, 0, "yes"),
      Bool("crash-memcheck-enabled", nullptr, 0, "yes"),
      Bool("use-exit-on-panic", nullptr, H, "no"),
      Bool("disable-thp", nullptr, I, "yes"),
      Bool("cluster-allow-replica-migration", nullptr, 0, "yes"),
      Bool("replica-announced", nullptr, 0, "yes"),
      Bool("latency-tracking", nullptr, 0, "yes"),
      Bool("aof-disable-auto-gc", nullptr, 0, "no"),
      Bool("replica-ignore-disk-write-errors", nullptr, 0, "no"),
      // strings
      Str("aclfile", nullptr, I, ""),
      Str("unixsocket", nullptr, I, ""),
      Str("pidfile", nullptr, I, ""),
      Str("replica-announce-ip", "slave-announce-ip", 0, ""),
      Str("masteruser", nullptr, S, ""),
      Str("cluster-announce-ip", nullptr, 0, ""),
      Str("cluster-config-file", nullptr, I, "nodes.conf"),
      Str("cluster-announce-hostname", nullptr, 0, "", CheckHostname),
      Str("syslog-ident", nullptr, I, "redis"),
      Str("dbfilename", nullptr, P, "dump.rdb", CheckDbFilename),
      Str("appendfilename", nullptr, I, "appendonly.aof", CheckAofFilename),
      Str("appenddirname", nullptr, I, "appendonlydir", CheckAofDirname),
      Str("server_cpulist", nullptr, I, ""),
      Str("bio_cpulist", nullptr, I, ""),
      Str("aof_rewrite_cpulist", nullptr, I, ""),
      Str("bgsave_cpulist", nullptr, I, ""),
      Str("ignore-warnings", nullptr, 0, ""),
      Str("proc-title-template", nullptr, 0,
          "{title} {listen-addr} {server-mode}", CheckProcTitle),
      Str("bind-source-addr", nullptr, 0, ""),
      Str("logfile", nullptr, I | A, ""),
      Str("masterauth", nullptr, S, ""),
      Str("requirepass", nullptr, S | A, ""),
      // enums
      Enum("supervised", I, kSupervised, "no"),
      Enum("syslog-facility", I, kSyslogFacility, "local0"),
      Enum("repl-diskless-load", 0, kReplDisklessLoad, "disabled"),
      Enum("loglevel", A, kLogLevel, "notice"),
      Enum("maxmemory-policy", 0, kMaxmemoryPolicy, "noeviction"),
      Enum("appendfsync", A, kAppendFsync, "everysec"),
      Enum("oom-score-adj", 0, kOomScoreAdj, "no"),
      Enum("acl-pubsub-default", 0, kAclPubsubDefault, "resetchannels"),
      Enum("sanitize-dump-payload", 0, kSanitizeDumpPayload, "no"),
      Enum("enable-protected-configs", I, kProtectedAction, "no"),
      Enum("enable-debug-command", I, kProtectedAction, "no"),
      Enum("enable-module-command", I, kProtectedAction, "no"),
      Enum("cluster-preferred-endpoint-type", 0, kEndpointType, "ip"),
      Enum("propagation-error-behavior", 0, kPropagationError, "ignore"),
      // int
      Signed("databases", nullptr, I | A, 1, kIntMax, "16"),
      // Redis listens on a new port at once; shale's listeners are fixed.
      Signed("port", nullptr, I | A, 0, 65535, "6379"),
      Signed("io-threads", nullptr, I | A, 1, 128, "1"),
      Signed("auto-aof-rewrite-percentage", nullptr, 0, 0, kIntMax, "100"),
      Signed("cluster-replica-validity-factor", "cluster-slave-validity-factor",
             0, 0, kIntMax, "10"),
      Signed("list-max-listpack-size", "list-max-ziplist-size", 0, kIntMin,
             kIntMax, "-2"),
      Signed("tcp-keepalive", nullptr, 0, 0, kIntMax, "300"),
      Signed("cluster-migration-barrier", nullptr, 0, 0, kIntMax, "1"),
      Signed("active-defrag-cycle-min", nullptr, 0, 1, 99, "1"),
      Signed("active-defrag-cycle-max", nullptr, 0, 1, 99, "25"),
      Signed("active-defrag-threshold-lower", nullptr, 0, 0, 1000, "10"),
      Signed("active-defrag-threshold-upper", nullptr, 0, 0, 1000, "100"),
      Signed("lfu-log-factor", nullptr, 0, 0, kIntMax, "10"),
      Signed("lfu-decay-time", nullptr, 0, 0, kIntMax, "1"),
      Signed("replica-priority", "slave-priority", 0, 0, kIntMax, "100"),
      Signed("repl-diskless-sync-delay", nullptr, 0, 0, kIntMax, "5"),
      Signed("maxmemory-samples", nullptr, 0, 1, kIntMax, "5"),
      Signed("maxmemory-eviction-tenacity", nullptr, 0, 0, 100, "10"),
      Signed("timeout", nullptr, A, 0, kIntMax, "0"),
      Signed("replica-announce-port", "slave-announce-port", 0, 0, 65535, "0"),
      Signed("tcp-backlog", nullptr, I, 0, kIntMax, "511"),
      Signed("cluster-port", nullptr, I, 0, 65535, "0"),
      Signed("cluster-announce-bus-port", nullptr, 0, 0, 65535, "0"),
      Signed("cluster-announce-port", nullptr, 0, 0, 65535, "0"),
      Signed("cluster-announce-tls-port", nullptr, 0, 0, 65535, "0"),
      Signed("repl-timeout", nullptr, 0, 1, kIntMax, "60"),
      Signed("repl-ping-replica-period", "repl-ping-slave-period", 0, 1,
             kIntMax, "10"),
      Signed("list-compress-depth", nullptr, 0, 0, kIntMax, "0"),
      Signed("rdb-key-save-delay", nullptr, H, kIntMin, kIntMax, "0"),
      Signed("key-load-delay", nullptr, H, kIntMin, kIntMax, "0"),
      Signed("active-expire-effort", nullptr, A, 1, 10, "1"),
      Signed("hz", nullptr, A, 0, kIntMax, "10"),
      Signed("min-replicas-to-write", "min-slaves-to-write", 0, 0, kIntMax,
             "0"),
      Signed("min-replicas-max-lag", "min-slaves-max-lag", 0, 0, kIntMax, "10"),
      Signed("watchdog-period", nullptr, H, 0, kIntMax, "0"),
      Signed("shutdown-timeout", nullptr, 0, 0, kIntMax, "10"),
      Signed("repl-diskless-sync-max-replicas", nullptr, 0, 0, kIntMax, "0"),
      // unsigned int
      Unsigned("maxclients", nullptr, A, 1, UINT_MAX, "10000"),
      Unsigned("unixsocketperm", nullptr, I, 0, 0777, "0", kNumOctal),
      Unsigned("socket-mark-id", nullptr, I, 0, UINT_MAX, "0"),
      // unsigned long: bounds checked as signed, as Redis does
      Signed("active-defrag-max-scan-fields", nullptr, 0, 1, kLongMax, "1000"),
      Signed("slowlog-max-len", nullptr, A, 0, kLongMax, "128"),
      Signed("acllog-max-len", nullptr, 0, 0, kLongMax, "128"),
      // long long
      Signed("busy-reply-threshold", "lua-time-limit", 0, 0, kLongMax, "5000"),
      Signed("cluster-node-timeout", nullptr, 0, 0, kLLongMax, "15000"),
      Signed("slowlog-log-slower-than", nullptr, A, -1, kLLongMax, "10000"),
      Signed("latency-monitor-threshold", nullptr, A, 0, kLLongMax, "0"),
      Signed("proto-max-bulk-len", nullptr, A, 1024 * 1024, kLongMax,
             "536870912", kNumMemory),
      Signed("stream-node-max-entries", nullptr, 0, 0, kLLongMax, "100"),
      Signed("repl-backlog-size", nullptr, 0, 1, kLLongMax, "1048576",
             kNumMemory),
      // unsigned long long
      Unsigned("maxmemory", nullptr, 0, 0, ULLONG_MAX, "0", kNumMemory),
      Unsigned("cluster-link-sendbuf-limit", nullptr, 0, 0, ULLONG_MAX, "0",
               kNumMemory),
      // size_t
      Unsigned("hash-max-listpack-entries", "hash-max-ziplist-entries", 0, 0,
               kLongMax, "512"),
      Unsigned("set-max-intset-entries", nullptr, 0, 0, kLongMax, "512"),
      Unsigned("zset-max-listpack-entries", "zset-max-ziplist-entries", 0, 0,
               kLongMax, "128"),
      Unsigned("active-defrag-ignore-bytes", nullptr, 0, 1, kLLongMax,
               "104857600", kNumMemory),
      Unsigned("hash-max-listpack-value", "hash-max-ziplist-value", 0, 0,
               kLongMax, "64", kNumMemory),
      Unsigned("stream-node-max-bytes", nullptr, 0, 0, kLongMax, "4096",
               kNumMemory),
      Unsigned("zset-max-listpack-value", "zset-max-ziplist-value", 0, 0,
               kLongMax, "64", kNumMemory),
      Unsigned("hll-sparse-max-bytes", nullptr, 0, 0, kLongMax, "3000",
               kNumMemory),
      Unsigned("tracking-table-max-keys", nullptr, 0, 0, kLongMax, "1000000"),
      Unsigned("client-query-buffer-limit", nullptr, 0, 1024 * 1024, kLongMax,
               "1073741824", kNumMemory),
      // ssize_t, time_t, off_t
      Signed("maxmemory-clients", nullptr, 0, -100, kLongMax, "0",
             kNumMemory | kNumPercent),
      Signed("repl-backlog-ttl", nullptr, 0, 0, kLongMax, "3600"),
      Signed("auto-aof-rewrite-min-size", nullptr, 0, 0, kLLongMax, "67108864",
             kNumMemory),
      Signed("loading-process-events-interval-bytes", nullptr, H, 1024, kIntMax,
             "2097152"),
      // TLS (shale has none: enabling it fails as a TLS setup failure does)
      Signed("tls-port", nullptr, 0, 0, 65535, "0"),
      Signed("tls-session-cache-size", nullptr, 0, 0, kIntMax, "20480"),
      Signed("tls-session-cache-timeout", nullptr, 0, 0, kIntMax, "300"),
      Bool("tls-cluster", nullptr, 0, "no"),
      Bool("tls-replication", nullptr, 0, "no"),
      Enum("tls-auth-clients", 0, kTlsAuthClients, "yes"),
      Bool("tls-prefer-server-ciphers", nullptr, 0, "no"),
      Bool("tls-session-caching", nullptr, 0, "yes"),
      Str("tls-cert-file", nullptr, 0, ""),
      Str("tls-key-file", nullptr, 0, ""),
      Str("tls-key-file-pass", nullptr, 0, ""),
      Str("tls-client-cert-file", nullptr, 0, ""),
      Str("tls-client-key-file", nullptr, 0, ""),
      Str("tls-client-key-file-pass", nullptr, 0, ""),
      Str("tls-dh-params-file", nullptr, 0, ""),
      Str("tls-ca-cert-file", nullptr, 0, ""),
      Str("tls-ca-cert-dir", nullptr, 0, ""),
      Str("tls-protocols", nullptr, 0, ""),
      Str("tls-ciphers", nullptr, 0, ""),
      Str("tls-ciphersuites", nullptr, 0, ""),
      // special
      Special("dir", nullptr, P | A, "", ParseDir),
      Special("save", nullptr, M, "3600 1 300 100 60 10000", ParseSave),
      Special("client-output-buffer-limit", nullptr, M | A,
              "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 "
              "8388608 60",
              ParseOutputLimitsStandalone),
      Special("oom-score-adj-values", nullptr, M, "0 200 800", ParseOomValues),
      Special("notify-keyspace-events", nullptr, A, "", ParseNotify),
      // Redis binds the new addresses at once; shale's listeners are fixed.
      Special("bind", nullptr, I | M | A, "* -::*", ParseBind),
      Special("replicaof", "slaveof", I | M, "", ParseReplicaOf),
      Special("latency-tracking-info-percentiles", nullptr, M, "50 99 99.9",
              ParsePercentiles),
      Special("shutdown-on-sigint", nullptr, M, "default", ParseShutdownFlags),
      Special("shutdown-on-sigterm", nullptr, M, "default", ParseShutdownFlags),
  };
  return *table;
}

struct NameIndex {
  // lowercase name or alias -> (spec, via alias)
  std::unordered_map<std::string, std::pair<const ParamSpec*, bool>> map;
  NameIndex() {
    for (const ParamSpec& p : Table()) {
      map[p.name] = {&p, false};
      if (p.alias) map[p.alias] = {&p, true};
    }
  }
};

bool ParseNumber(const ParamSpec& p, std::string_view v, int64_t* out,
                 std::string* err) {
  // In Redis's order: memory, percent, octal, then a plain integer for
  // parameters with no special syntax.
  uint64_t mem;
  if ((p.syntax & kNumMemory) && ParseMemory(v, &mem)) {
    *out = static_cast<int64_t>(mem);
    return true;
  }
  int64_t n;
  if ((p.syntax & kNumPercent) && v.size() > 1 && v.back() == '%' &&
      ParseInt64(v.substr(0, v.size() - 1), &n) && n >= 0) {
    *out = -n;
    return true;
  }
  if (p.syntax & kNumOctal) {
    std::string s(v);
    char* end;
    errno = 0;
    long long o = std::strtoll(s.c_str(), &end, 8);
    if (errno == 0 && *end == '\0') {
      *out = o;
      return true;
    }
  }
  if (p.syntax == kNumPlain && ParseInt64(v, &n)) {
    *out = n;
    return true;
  }
  if ((p.syntax & kNumMemory) && (p.syntax & kNumPercent)) {
    *err = "argument must be a memory or percent value";
  } else if (p.syntax & kNumMemory) {
    *err = "argument must be a memory value";
  } else if (p.syntax & kNumOctal) {
    *err = "argument couldn't be parsed as an octal number";
  } else {
    *err = "argument couldn't be parsed into an integer";
  }
  return false;
}

bool CheckBounds(const ParamSpec& p, int64_t v, std::string* err) {
  char buf[160];
  if (p.type == ParamType::kUnsigned) {
    uint64_t u = static_cast<uint64_t>(v);
    uint64_t lo = static_cast<uint64_t>(p.min);
    if (u > p.max || u < lo) {
      std::snprintf(buf, sizeof(buf),
                    (p.syntax & kNumOctal)
                        ? "argument must be between %llo and %llo inclusive"
                        : "argument must be between %llu and %llu inclusive",
                    static_cast<unsigned long long>(lo),
                    static_cast<unsigned long long>(p.max));
      *err = buf;
      return false;
    }
    return true;
  }
  int64_t hi = static_cast<int64_t>(p.max);
  if ((p.syntax & kNumPercent) && v < 0) {
    if (v < p.min) {
      std::snprintf(buf, sizeof(buf),
                    "percentage argument must be less or equal to %lld",
                    static_cast<long long>(-p.min));
      *err = buf;
      return false;
    }
    return true;
  }
  if (v > hi || v < p.min) {
    std::snprintf(buf, sizeof(buf),
                  "argument must be between %lld and %lld inclusive",
                  static_cast<long long>(p.min), static_cast<long long>(hi));
    *err = buf;
    return false;
  }
  return true;
}

std::string FormatNumber(const ParamSpec& p, int64_t v) {
  if ((p.syntax & kNumPercent) && v < 0) return std::to_string(-v) + "%";
  if ((p.syntax & kNumMemory) || p.type == ParamType::kUnsigned) {
    if (p.syntax & kNumOctal) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%llo",
                    static_cast<unsigned long long>(v));
      return buf;
    }
    return std::to_string(static_cast<uint64_t>(v));
  }
  return std::to_string(v);
}

}  // namespace

std::span<const ParamSpec> AllParams() { return Table(); }

const ParamSpec* FindParam(std::string_view name, bool* via_alias) {
  static const NameIndex* index = new NameIndex();
  auto it = index->map.find(Lower(name));
  if (it == index->map.end()) return nullptr;
  if (via_alias) *via_alias = it->second.second;
  return it->second.first;
}

bool ParseMemory(std::string_view s, uint64_t* v) {
  if (!s.empty() && s[0] == '-') return false;
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') digits++;
  std::string_view unit = s.substr(digits);
  uint64_t mul;
  if (unit.empty() || EqualsIgnoreCase(unit, "b")) {
    mul = 1;
  } else if (EqualsIgnoreCase(unit, "k")) {
    mul = 1000;
  } else if (EqualsIgnoreCase(unit, "kb")) {
    mul = 1024;
  } else if (EqualsIgnoreCase(unit, "m")) {
    mul = 1000 * 1000;
  } else if (EqualsIgnoreCase(unit, "mb")) {
    mul = 1024 * 1024;
  } else if (EqualsIgnoreCase(unit, "g")) {
    mul = 1000ull * 1000 * 1000;
  } else if (EqualsIgnoreCase(unit, "gb")) {
    mul = 1024ull * 1024 * 1024;
  } else {
    return false;
  }
  if (digits >= 128) return false;
  // strtoull as Redis calls it: an overflow saturates, no digits is 0, and
  // the product wraps.
  std::string num(s.substr(0, digits));
  *v = std::strtoull(num.c_str(), nullptr, 10) * mul;
  return true;
}

std::vector<std::string> SplitWords(std::string_view s) {
  std::vector<std::string> words;
  if (s.empty()) return words;
  size_t start = 0;
  while (true) {
    size_t sp = s.find(' ', start);
    words.emplace_back(s.substr(start, sp - start));
    if (sp == std::string_view::npos) break;
    start = sp + 1;
  }
  return words;
}

namespace {

// Redis's NOTIFY_* bits (see config_params.h).
enum NotifyBit : uint32_t {
  kBitKeyspace = 1u << 0,  // K
  kBitKeyevent = 1u << 1,  // E
  kBitGeneric = 1u << 2,   // g
  kBitString = 1u << 3,    // $
  kBitList = 1u << 4,      // l
  kBitSet = 1u << 5,       // s
  kBitHash = 1u << 6,      // h
  kBitZset = 1u << 7,      // z
  kBitExpired = 1u << 8,   // x
  kBitEvicted = 1u << 9,   // e
  kBitStream = 1u << 10,   // t
  kBitKeyMiss = 1u << 11,  // m
  kBitModule = 1u << 13,   // d
  kBitNew = 1u << 14,      // n
  // A: every class but m and n.
  kBitAll = kBitGeneric | kBitString | kBitList | kBitSet | kBitHash |
            kBitZset | kBitExpired | kBitEvicted | kBitStream | kBitModule,
};

}  // namespace

bool ParseNotifyFlags(std::string_view s, uint32_t* flags) {
  uint32_t f = 0;
  for (char c : s) {
    switch (c) {
      case 'A':
        f |= kBitAll;
        break;
      case 'g':
        f |= kBitGeneric;
        break;
      case '$':
        f |= kBitString;
        break;
      case 'l':
        f |= kBitList;
        break;
      case 's':
        f |= kBitSet;
        break;
      case 'h':
        f |= kBitHash;
        break;
      case 'z':
        f |= kBitZset;
        break;
      case 'x':
        f |= kBitExpired;
        break;
      case 'e':
        f |= kBitEvicted;
        break;
      case 'K':
        f |= kBitKeyspace;
        break;
      case 'E':
        f |= kBitKeyevent;
        break;
      case 't':
        f |= kBitStream;
        break;
      case 'm':
        f |= kBitKeyMiss;
        break;
      case 'd':
        f |= kBitModule;
        break;
      case 'n':
        f |= kBitNew;
        break;
      default:
        return false;
    }
  }
  *flags = f;
  return true;
}

std::string NotifyFlagsString(uint32_t f) {
  std::string s;
  if ((f & kBitAll) == kBitAll) {
    s += 'A';
  } else {
    const std::pair<uint32_t, char> classes[] = {
        {kBitGeneric, 'g'}, {kBitString, '$'},  {kBitList, 'l'},
        {kBitSet, 's'},     {kBitHash, 'h'},    {kBitZset, 'z'},
        {kBitExpired, 'x'}, {kBitEvicted, 'e'}, {kBitStream, 't'},
        {kBitModule, 'd'},  {kBitNew, 'n'}};
    for (auto [bit, c] : classes) {
      if (f & bit) s += c;
    }
  }
  if (f & kBitKeyspace) s += 'K';
  if (f & kBitKeyevent) s += 'E';
  if (f & kBitKeyMiss) s += 'm';
  return s;
}

void ParseOutputBufferLimits(std::string_view canonical,
                             OutputBufferLimit limits[3]) {
  std::string err;
  ParseOutputLimitWords(SplitWords(canonical), limits, &err);
}

bool ParseParam(const ParamSpec& p, std::string_view value,
                std::string_view current, std::string* canonical,
                std::string* err) {
  const char* check_err = nullptr;
  switch (p.type) {
    case ParamType::kBool: {
      if (EqualsIgnoreCase(value, "yes")) {
        *canonical = "yes";
      } else if (EqualsIgnoreCase(value, "no")) {
        *canonical = "no";
      } else {
        *err = "argument must be 'yes' or 'no'";
        return false;
      }
      break;
    }
    case ParamType::kEnum: {
      const EnumName* found = nullptr;
      for (const EnumName* e = p.enum_names; e->name; e++) {
        if (EqualsIgnoreCase(value, e->name)) {
          found = e;
          break;
        }
      }
      if (found == nullptr) {
        *err = "argument(s) must be one of the following: ";
        for (const EnumName* e = p.enum_names; e->name; e++) {
          if (e != p.enum_names) *err += ", ";
          *err += e->name;
        }
        return false;
      }
      // The first name with that value is the one shown.
      for (const EnumName* e = p.enum_names; e->name; e++) {
        if (e->value == found->value) {
          *canonical = e->name;
          break;
        }
      }
      break;
    }
    case ParamType::kString:
      *canonical = std::string(value);
      break;
    case ParamType::kSigned:
    case ParamType::kUnsigned: {
      int64_t v;
      if (!ParseNumber(p, value, &v, err) || !CheckBounds(p, v, err)) {
        return false;
      }
      *canonical = FormatNumber(p, v);
      break;
    }
    case ParamType::kSpecial: {
      std::vector<std::string> words;
      if (p.flags & kParamMultiArg) {
        words = SplitWords(value);
      } else {
        words.emplace_back(value);
      }
      if (p.special == ParseOutputLimitsStandalone) {
        OutputBufferLimit limits[3];
        ParseOutputBufferLimits(current, limits);
        if (!ParseOutputLimitWords(words, limits, err)) return false;
        *canonical = FormatOutputLimits(limits);
        return true;
      }
      return p.special(words, canonical, err);
    }
  }
  if (p.check && !p.check(*canonical, &check_err)) {
    *err = check_err;
    return false;
  }
  return true;
}

int64_t ParamInt(const ParamSpec& p, std::string_view canonical) {
  switch (p.type) {
    case ParamType::kBool:
      return canonical == "yes" ? 1 : 0;
    case ParamType::kEnum:
      for (const EnumName* e = p.enum_names; e->name; e++) {
        if (canonical == e->name) return e->value;
      }
      return 0;
    case ParamType::kSigned:
    case ParamType::kUnsigned: {
      int64_t v = 0;
      std::string err;
      ParseNumber(p, canonical, &v, &err);
      return v;
    }
    default:
      return 0;
  }
}

const char* ClientClassName(ClientClass c) {
  switch (c) {
    case ClientClass::kReplica:
      return "slave";
    case ClientClass::kPubSub:
      return "pubsub";
    default:
      return "normal";
  }
}

}  // namespace shale::server
