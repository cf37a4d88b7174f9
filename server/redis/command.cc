#include "server/redis/command.h"

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <unordered_map>

#include "server/redis/monitor.h"

namespace shale::server {
namespace {

struct Table {
  std::deque<Command> commands;  // stable addresses
  std::vector<const Command*> all;
  std::unordered_map<std::string, const Command*> by_name;
  std::unordered_map<std::string, const Command*> by_fullname;

  Command* Add(const CommandSpec& spec, Command* parent) {
    Command& c = commands.emplace_back();
    static_cast<CommandSpec&>(c) = spec;
    c.parent = parent;
    c.fullname =
        parent ? parent->fullname + "|" + spec.name : std::string(spec.name);
    by_fullname[c.fullname] = &c;
    for (const CommandSpec& sub : spec.subcommands) {
      c.subs.push_back(Add(sub, &c));
    }
    return &c;
  }

  Table() {
    for (auto group :
         {StringCommands(),      BitCommands(),        BitFieldCommands(),
          LcsCommands(),         HashCommands(),       SetCommands(),
          SetOpCommands(),       ZSetCommands(),       ZSetRangeCommands(),
          ZSetOpCommands(),      ZSetPopCommands(),    ListCommands(),
          ListEditCommands(),    BlockingCommands(),   StreamCommands(),
          StreamReadCommands(),  StreamInfoCommands(), StreamGroupCommands(),
          StreamClaimCommands(), KeyCommands(),        DumpCommands(),
          SortCommands(),        ServerCommands(),     MultiCommands(),
          ConfigCommands(),      PubSubCommands(),     SlowlogCommands(),
          ScriptCommands(),      FunctionCommands()}) {
      for (const CommandSpec& spec : group) {
        const Command* c = Add(spec, nullptr);
        all.push_back(c);
        by_name[c->name] = c;
      }
    }
  }
};

const Table& GetTable() {
  static const Table* table = new Table();
  return *table;
}

// Lowercase copy into buf if it fits (command names are short).
bool LowerInto(std::string_view name, char (&buf)[32]) {
  if (name.size() > sizeof(buf)) return false;
  for (size_t i = 0; i < name.size(); i++) {
    buf[i] =
        static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  }
  return true;
}

}  // namespace

const Command* Command::FindSubcommand(std::string_view name) const {
  for (const Command* s : subs) {
    if (EqualsIgnoreCase(s->name, name)) return s;
  }
  return nullptr;
}

const Command* LookupCommand(std::string_view name) {
  char buf[32];
  if (!LowerInto(name, buf)) return nullptr;
  const auto& t = GetTable().by_name;
  auto it = t.find(std::string(buf, name.size()));
  return it == t.end() ? nullptr : it->second;
}

const Command* ResolveCommand(const Args& args) {
  const Command* c = LookupCommand(args[0]);
  if (c != nullptr && c->container() && args.size() >= 2) {
    return c->FindSubcommand(args[1]);
  }
  return c;
}

const Command* LookupCommandByFullName(std::string_view fullname) {
  const auto& t = GetTable().by_fullname;
  auto it = t.find(Lower(fullname));
  return it == t.end() ? nullptr : it->second;
}

const std::vector<const Command*>& AllCommands() { return GetTable().all; }

void CallCommand(const Command* cmd, CommandContext& ctx, Args& args) {
  // Redis's EVAL and EVALSHA feed the monitors before they run, so that
  // the script's commands follow them; every other command after.
  const bool feed_first = (cmd->flags & kCmdScript) != 0;
  if (feed_first) FeedMonitors(cmd, ctx, args);
  uint64_t errors = ctx.w->errors();
  auto start = std::chrono::steady_clock::now();
  cmd->handler(ctx, args);
  auto usec = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  cmd->stats.Call(static_cast<uint64_t>(usec), ctx.w->errors() != errors);
  MaybeSlowlog(cmd, ctx, args, static_cast<uint64_t>(usec));
  if (!feed_first) FeedMonitors(cmd, ctx, args);
}

namespace {

// Where a command with a numkeys argument has it (0: none).
int NumKeysIndex(std::string_view name) {
  if (name == "zunionstore" || name == "zinterstore" || name == "zdiffstore") {
    return 2;
  }
  if (name == "zmpop" || name == "zunion" || name == "zinter" ||
      name == "zdiff" || name == "zintercard" || name == "lmpop") {
    return 1;
  }
  if (name == "blmpop" || name == "bzmpop") return 2;
  return 0;
}

}  // namespace

bool CommandKeysKnown(const CommandSpec& cmd) {
  if (cmd.flags & kCmdNotKey) return false;
  return cmd.first_key > 0 || (cmd.handler != nullptr &&
                               (NumKeysIndex(cmd.name) > 0 ||
                                std::string_view(cmd.name) == "xreadgroup"));
}

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
  // The numkeys forms (ZUNIONSTORE dst numkeys k..., ZMPOP numkeys k...
  // ...): the keys after numkeys, as many as it says and the arguments
  // hold (the handler checks the rest).
  if (cmd.handler != nullptr) {
    const int numkeys_at = NumKeysIndex(cmd.name);
    if (numkeys_at > 0 && numkeys_at < n) {
      int64_t numkeys;
      if (ParseInt64(args[static_cast<size_t>(numkeys_at)], &numkeys) &&
          numkeys > 0) {
        for (int64_t i = 0; i < numkeys && numkeys_at + 1 + i < n; i++) {
          keys->push_back({db, args[static_cast<size_t>(numkeys_at + 1 + i)]});
        }
      }
    }
  }
  // XREADGROUP ... STREAMS key [key ...] id [id ...]: the first half of
  // what follows the first STREAMS (the handler checks the rest).
  if (cmd.handler != nullptr && std::string_view(cmd.name) == "xreadgroup") {
    for (int i = 1; i < n; i++) {
      if (OptionIs(args[static_cast<size_t>(i)], "streams")) {
        const int nkeys = (n - i - 1) / 2;
        for (int k = 0; k < nkeys; k++) {
          keys->push_back({db, args[static_cast<size_t>(i + 1 + k)]});
        }
        break;
      }
    }
  }
  // SORT ... STORE dst: the destination too (any argument after a
  // "store"; the handler parses the options).
  if (cmd.handler != nullptr && std::string_view(cmd.name) == "sort") {
    for (int i = 2; i + 1 < n; i++) {
      if (OptionIs(args[static_cast<size_t>(i)], "store")) {
        keys->push_back({db, args[static_cast<size_t>(i) + 1]});
      }
    }
  }
  // COPY ... DB n: the destination key in database n too (any "DB n" pair
  // among the options; the handler checks them).
  if (cmd.handler != nullptr && std::string_view(cmd.name) == "copy") {
    for (int i = 3; i + 1 < n; i++) {
      int64_t dst;
      if (OptionIs(args[static_cast<size_t>(i)], "db") &&
          ParseInt64(args[static_cast<size_t>(i) + 1], &dst) && dst >= 0 &&
          dst <= INT32_MAX) {
        keys->push_back({static_cast<int>(dst), args[2]});
      }
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

// Formats as Redis's "human" long double: %.17Lf with trailing zeros cut.
std::string HumanDouble(long double v) {
  char buf[5120];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
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

std::string UnknownSubcommandError(std::string_view cmd, std::string_view sub) {
  std::string upper(cmd);
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return "ERR unknown subcommand '" + std::string(sub.substr(0, 128)) +
         "'. Try " + upper + " HELP.";
}

void ReplyUnknownSubcommand(RespWriter* w, std::string_view cmd,
                            std::string_view sub) {
  w->Error(UnknownSubcommandError(cmd, sub));
}

void ReplyHelp(RespWriter* w, std::string_view cmd,
               std::span<const char* const> lines) {
  std::string upper(cmd);
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  w->Array(lines.size() + 3);
  w->Simple(upper +
            " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (const char* l : lines) w->Simple(l);
  w->Simple("HELP");
  w->Simple("    Prints this help.");
}

}  // namespace shale::server
