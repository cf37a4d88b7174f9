#include "server/redis/command.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

namespace shale::server {
namespace {

struct Table {
  std::vector<const CommandSpec*> all;
  std::unordered_map<std::string, const CommandSpec*> by_name;
  Table() {
    for (auto group : {StringCommands(), KeyCommands(), ServerCommands(),
                       MultiCommands(), PubSubCommands()}) {
      for (const CommandSpec& c : group) {
        all.push_back(&c);
        by_name[c.name] = &c;
      }
    }
  }
};

const Table& GetTable() {
  static const Table* table = new Table();
  return *table;
}

}  // namespace

const CommandSpec* LookupCommand(std::string_view name) {
  if (name.size() > 32) return nullptr;
  char buf[32];
  for (size_t i = 0; i < name.size(); i++) {
    buf[i] =
        static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  }
  const auto& t = GetTable().by_name;
  auto it = t.find(std::string(buf, name.size()));
  return it == t.end() ? nullptr : it->second;
}

const std::vector<const CommandSpec*>& AllCommands() { return GetTable().all; }

void CommandKeys(const CommandSpec& cmd, const Args& args, int db,
                 std::vector<Tx::DbKey>* keys) {
  const int n = static_cast<int>(args.size());
  if (cmd.first_key > 0 && !(cmd.flags & kCmdNotKey)) {
    int last = cmd.last_key < 0 ? n + cmd.last_key : cmd.last_key;
    for (int i = cmd.first_key; i <= last && i < n; i += cmd.step) {
      keys->push_back({db, args[static_cast<size_t>(i)]});
    }
  }
  if (cmd.handler != nullptr && std::string_view(cmd.name) == "move" &&
      n == 3) {
    int64_t dst;
    if (ParseInt64(args[2], &dst) && dst >= 0 && dst <= INT32_MAX) {
      keys->push_back({static_cast<int>(dst), args[1]});
    }
  }
}

namespace {

// Decimal digits only, within uint64; false on anything else.
bool ParseDigits(std::string_view s, uint64_t* v) {
  uint64_t u = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (u > (UINT64_MAX - d) / 10) return false;
    u = u * 10 + d;
  }
  *v = u;
  return true;
}

}  // namespace

const SubcommandSpec* LookupSubcommand(const CommandSpec& c, const Args& args) {
  if (c.subcommands.empty() || args.size() < 2) return nullptr;
  for (const SubcommandSpec& s : c.subcommands) {
    std::string_view name = s.name;
    if (EqualsIgnoreCase(args[1], name.substr(name.find('|') + 1))) return &s;
  }
  return nullptr;
}

bool ParseInt64(std::string_view s, int64_t* v) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  if (s.size() == 1 && s[0] == '0') {
    *v = 0;
    return true;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t u;
  if (!ParseDigits(s.substr(i), &u)) return false;
  if (neg) {
    if (u > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *v = static_cast<int64_t>(0 - u);
  } else {
    if (u > static_cast<uint64_t>(INT64_MAX)) return false;
    *v = static_cast<int64_t>(u);
  }
  return true;
}

bool ParseLongDouble(std::string_view s, long double* v) {
  if (s.empty() || s.size() >= 5120) return false;
  std::string buf(s);
  if (std::isspace(static_cast<unsigned char>(buf[0]))) return false;
  char* end;
  errno = 0;
  long double d = std::strtold(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(d) || errno == EINVAL) {
    return false;
  }
  // Overflow (to infinity) and underflow to zero are errors; a subnormal
  // result is not.
  if (errno == ERANGE && (std::isinf(d) || d == 0)) return false;
  *v = d;
  return true;
}

bool ParseScanCursor(std::string_view arg, uint64_t* v) {
  std::string_view s = CString(arg);
  if (s.empty()) {
    *v = 0;
    return true;
  }
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return false;  // a sign alone: strtoul reads nothing
  uint64_t u;
  if (!ParseDigits(s.substr(i), &u)) return false;
  *v = neg ? 0 - u : u;
  return true;
}

std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view CString(std::string_view s) {
  return s.substr(0, s.find('\0'));
}

void ReplyErrorFormat(RespWriter* w, std::string_view msg) {
  size_t b = msg.find_first_not_of("\r\n");
  if (b == std::string_view::npos) return w->Error("");
  size_t e = msg.find_last_not_of("\r\n");
  w->Error(msg.substr(b, e - b + 1));
}

void ReplyInvalidExpire(RespWriter* w, std::string_view cmd) {
  w->Error("ERR invalid expire time in '" + Lower(cmd) + "' command");
}

void ReplyStatus(RespWriter* w, const Status& s) {
  w->Error("ERR " + s.ToString());
}

void ReplyArity(RespWriter* w, std::string_view name) {
  w->Error("ERR wrong number of arguments for '" + Lower(name) + "' command");
}

}  // namespace shale::server
