#include "server/config_special.h"

#include <strings.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "server/redis/command.h"

namespace shale::server::param_values {

// --- value checks (Redis's is_valid_fn) -------------------------------------

bool CheckActiveDefrag(std::string_view v, const char** err) {
  // Debian's redis-server is built without the jemalloc that active
  // defragmentation needs, and shale has nothing to defragment: refused as
  // that build refuses it.
  if (v == "yes") {
    *err =
        "Active defragmentation cannot be enabled: it requires a Redis server "
        "compiled with a modified Jemalloc like the one shipped by default "
        "with the Redis source distribution";
    return false;
  }
  return true;
}

bool CheckDbFilename(std::string_view v, const char** err) {
  if (v.find('/') != std::string_view::npos) {
    *err = "dbfilename can't be a path, just a filename";
    return false;
  }
  return true;
}

bool CheckAofFilename(std::string_view v, const char** err) {
  if (v.empty()) {
    *err = "appendfilename can't be empty";
    return false;
  }
  if (v.find('/') != std::string_view::npos) {
    *err = "appendfilename can't be a path, just a filename";
    return false;
  }
  return true;
}

bool CheckAofDirname(std::string_view v, const char** err) {
  if (v.empty()) {
    *err = "appenddirname can't be empty";
    return false;
  }
  if (v.find('/') != std::string_view::npos) {
    *err = "appenddirname can't be a path, just a dirname";
    return false;
  }
  return true;
}

bool CheckHostname(std::string_view v, const char** err) {
  if (v.size() >= 256) {
    *err = "Hostnames must be less than 256 characters";
    return false;
  }
  for (char c : v) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '.')) {
      *err =
          "Hostnames may only contain alphanumeric characters, hyphens or "
          "dots";
      return false;
    }
  }
  return true;
}

// A process title template: text with {variable}s ("{{" is a literal '{')
// that must not expand to nothing. {title} and {server-mode} expand to
// nothing in a standalone server checking a template, and so does
// {unixsocket}: shale listens on no unix socket.
bool CheckProcTitle(std::string_view v, const char** err) {
  static const char* kVars[] = {"title",      "listen-addr", "server-mode",
                                "port",       "tls-port",    "unixsocket",
                                "config-file"};
  bool nonempty = false;
  size_t i = 0;
  while (i < v.size()) {
    if (v[i] != '{') {
      // The expansion is trimmed before it is checked.
      if (v[i] != ' ' && v[i] != '\t' && v[i] != '\r' && v[i] != '\n') {
        nonempty = true;
      }
      i++;
      continue;
    }
    if (i + 1 >= v.size()) break;  // a lone '{' at the end
    if (v[i + 1] == '{') {
      nonempty = true;
      i += 2;
      continue;
    }
    size_t end = v.find('}', i + 1);
    if (end == std::string_view::npos) break;
    std::string_view name = v.substr(i + 1, end - i - 1);
    bool known = false;
    for (const char* k : kVars) known |= name == k;
    if (!known) break;
    if (name != "title" && name != "server-mode" && name != "unixsocket") {
      nonempty = true;
    }
    i = end + 1;
  }
  if (i < v.size() || !nonempty) {
    *err = "template format is invalid or contains unknown variables";
    return false;
  }
  return true;
}

// --- special parameters -----------------------------------------------------

// strtoll over the whole word (leading blanks and a sign allowed, as Redis).
static bool StrToLL(const std::string& s, long long* v) {
  char* end;
  *v = std::strtoll(s.c_str(), &end, 10);
  return *end == '\0';
}

bool ParseSave(std::span<const std::string> w, std::string* out,
               std::string* err) {
  if (w.size() == 1 && w[0].empty()) w = {};
  if (w.size() % 2 != 0) {
    *err = "Invalid save parameters";
    return false;
  }
  for (size_t j = 0; j < w.size(); j++) {
    long long v;
    if (!StrToLL(w[j], &v) || (j % 2 == 0 && v < 1) || (j % 2 == 1 && v < 0)) {
      *err = "Invalid save parameters";
      return false;
    }
  }
  out->clear();
  for (size_t j = 0; j < w.size(); j += 2) {
    if (!out->empty()) *out += ' ';
    *out += std::to_string(std::strtoll(w[j].c_str(), nullptr, 10)) + " " +
            std::to_string(
                static_cast<int>(std::strtoll(w[j + 1].c_str(), nullptr, 10)));
  }
  return true;
}

static int ClientClassByName(std::string_view n) {
  if (EqualsIgnoreCase(n, "normal")) return 0;
  if (EqualsIgnoreCase(n, "slave") || EqualsIgnoreCase(n, "replica")) return 1;
  if (EqualsIgnoreCase(n, "pubsub")) return 2;
  return -1;  // "master" too: it has no limit
}

std::string FormatOutputLimits(const OutputBufferLimit l[3]) {
  std::string s;
  for (int j = 0; j < 3; j++) {
    if (j) s += ' ';
    s += std::string(ClientClassName(static_cast<ClientClass>(j))) + " " +
         std::to_string(l[j].hard_bytes) + " " +
         std::to_string(l[j].soft_bytes) + " " +
         std::to_string(l[j].soft_seconds);
  }
  return s;
}

bool ParseOutputLimitWords(std::span<const std::string> w,
                           OutputBufferLimit limits[3], std::string* err) {
  if (w.size() % 4 != 0) {
    *err = "Wrong number of arguments in buffer limit configuration.";
    return false;
  }
  OutputBufferLimit values[3];
  bool seen[3] = {false, false, false};
  for (size_t j = 0; j < w.size(); j += 4) {
    int c = ClientClassByName(w[j]);
    if (c < 0) {
      *err = "Invalid client class specified in buffer limit configuration.";
      return false;
    }
    uint64_t hard, soft;
    long long secs;
    if (!ParseMemory(w[j + 1], &hard) || !ParseMemory(w[j + 2], &soft) ||
        !StrToLL(w[j + 3], &secs) || static_cast<int>(secs) < 0) {
      *err =
          "Error in hard, soft or soft_seconds setting in buffer limit "
          "configuration.";
      return false;
    }
    values[c] = {hard, soft, static_cast<int>(secs)};
    seen[c] = true;
  }
  for (int c = 0; c < 3; c++) {
    if (seen[c]) limits[c] = values[c];
  }
  return true;
}

bool ParseOomValues(std::span<const std::string> w, std::string* out,
                    std::string* err) {
  if (w.size() != 3) {
    *err = "wrong number of arguments";
    return false;
  }
  out->clear();
  for (const std::string& s : w) {
    long long v;
    if (!StrToLL(s, &v) || v < -2000 || v > 2000) {
      *err =
          "Invalid oom-score-adj-values, elements must be between -2000 and "
          "2000.";
      return false;
    }
    if (!out->empty()) *out += ' ';
    *out += std::to_string(v);
  }
  return true;
}

bool ParseNotify(std::span<const std::string> w, std::string* out,
                 std::string* err) {
  uint32_t flags;
  if (w.size() != 1 || !ParseNotifyFlags(w[0], &flags)) {
    *err = w.size() != 1
               ? "wrong number of arguments"
               : "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
    return false;
  }
  *out = NotifyFlagsString(flags);
  return true;
}

bool ParseBind(std::span<const std::string> w, std::string* out,
               std::string* err) {
  if (w.size() > 16) {
    *err = "Too many bind addresses specified.";
    return false;
  }
  if (w.size() == 1 && w[0].empty()) w = {};
  out->clear();
  for (const std::string& a : w) {
    if (!out->empty()) *out += ' ';
    *out += a;
  }
  return true;
}

bool ParseReplicaOf(std::span<const std::string> w, std::string* out,
                    std::string* err) {
  if (w.size() != 2) {
    *err = "wrong number of arguments";
    return false;
  }
  if (EqualsIgnoreCase(w[0], "no") && EqualsIgnoreCase(w[1], "one")) {
    out->clear();
    return true;
  }
  char* end;
  long port = std::strtol(w[1].c_str(), &end, 10);
  if (port < 0 || port > 65535 || *end != '\0') {
    *err = "Invalid master port";
    return false;
  }
  *out = w[0] + " " + std::to_string(port);
  return true;
}

// Redis's string2d: a whole, finite-or-infinite, non-NaN double.
static bool StrToD(const std::string& s, double* v) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  char* end;
  errno = 0;
  *v = std::strtod(s.c_str(), &end);
  if (*end != '\0' || std::isnan(*v)) return false;
  if (errno == ERANGE &&
      (*v == HUGE_VAL || *v == -HUGE_VAL || std::fpclassify(*v) == FP_ZERO)) {
    return false;
  }
  return true;
}

// "%f" without trailing zeros (and without a trailing '.').
static std::string TrimmedDouble(double d) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%f", d);
  std::string s(buf);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s;
}

bool ParsePercentiles(std::span<const std::string> w, std::string* out,
                      std::string* err) {
  if (w.size() == 1 && w[0].empty()) w = {};
  out->clear();
  for (const std::string& s : w) {
    double p;
    if (!StrToD(s, &p)) {
      *err = "Invalid latency-tracking-info-percentiles parameters";
      return false;
    }
    if (p > 100.0 || p < 0.0) {
      *err =
          "latency-tracking-info-percentiles parameters should sit between "
          "[0.0,100.0]";
      return false;
    }
    if (!out->empty()) *out += ' ';
    *out += TrimmedDouble(p);
  }
  return true;
}

// shutdown-on-sigint/sigterm: a set of flags (default = none).
bool ParseShutdownFlags(std::span<const std::string> w, std::string* out,
                        std::string* err) {
  static const char* kFlags[] = {"save", "nosave", "now", "force"};
  unsigned bits = 0;
  for (const std::string& word : w) {
    int bit = EqualsIgnoreCase(word, "default") ? -1 : -2;
    for (int i = 0; i < 4; i++) {
      if (EqualsIgnoreCase(word, kFlags[i])) bit = i;
    }
    if (bit == -2) {
      *err =
          "argument(s) must be one of the following: default, save, nosave, "
          "now, force";
      return false;
    }
    if (bit >= 0) bits |= 1u << bit;
  }
  if (w.empty()) {
    *err =
        "argument(s) must be one of the following: default, save, nosave, "
        "now, force";
    return false;
  }
  if ((bits & 3) == 3) {
    *err = "shutdown options SAVE and NOSAVE can't be used simultaneously";
    return false;
  }
  out->clear();
  for (int i = 0; i < 4; i++) {
    if (!(bits & (1u << i))) continue;
    if (!out->empty()) *out += ' ';
    *out += kFlags[i];
  }
  if (bits == 0) *out = "default";
  return true;
}

bool ParseDir(std::span<const std::string> w, std::string* out,
              std::string* err) {
  if (w.size() != 1) {
    *err = "wrong number of arguments";
    return false;
  }
  *out = w[0];
  return true;
}

// client-output-buffer-limit parses against the current value (a class it
// does not name keeps its limits): done in ParseParam, not here.
bool ParseOutputLimitsStandalone(std::span<const std::string>, std::string*,
                                 std::string*) {
  return true;
}

}  // namespace shale::server::param_values
