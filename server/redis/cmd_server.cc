// Connection and server commands: PING ECHO HELLO AUTH SELECT QUIT RESET
// CLIENT CONFIG COMMAND INFO TIME.
#include <algorithm>

#include "server/info.h"
#include "server/net/connection.h"
#include "server/redis/cmd_client.h"
#include "server/redis/command.h"
#include "server/redis/monitor.h"
#include "server/redis/resp_session.h"

namespace shale::server {
namespace {

void UnknownSubcommand(CommandContext& ctx, std::string_view cmd,
                       std::string_view sub) {
  std::string upper(cmd);
  for (char& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ctx.w->Error("ERR unknown subcommand '" + std::string(sub.substr(0, 128)) +
               "'. Try " + upper + " HELP.");
}

void Ping(CommandContext& ctx, Args& a) {
  if (a.size() > 2) return ReplyArity(ctx.w, a[0]);
  if (ctx.session->subscriptions()->any() && ctx.w->version() == 2) {
    // A subscribed RESP2 connection carries message arrays: so does PONG.
    ctx.w->Array(2);
    ctx.w->Bulk("pong");
    return ctx.w->Bulk(a.size() == 2 ? a[1] : "");
  }
  if (a.size() == 2) return ctx.w->Bulk(a[1]);
  ctx.w->Simple("PONG");
}

void Echo(CommandContext& ctx, Args& a) { ctx.w->Bulk(a[1]); }

// Checks user/password; writes the error and returns false on failure.
bool CheckAuth(CommandContext& ctx, std::string_view user,
               std::string_view pass) {
  std::string want = ctx.server->RequirePass();
  if (want.empty() && user == "default") {
    return true;  // no password configured: anything authenticates default
  }
  if (user != "default" || pass != want) {
    ctx.w->Error(
        "WRONGPASS invalid username-password pair or user is disabled.");
    return false;
  }
  return true;
}

void Auth(CommandContext& ctx, Args& a) {
  if (a.size() > 3) return ctx.w->Error(kErrSyntax);
  if (a.size() == 2 && !ctx.server->auth_required.load()) {
    return ctx.w->Error(
        "ERR AUTH <password> called without any password configured for the "
        "default user. Are you sure your configuration is correct?");
  }
  std::string_view user = a.size() == 3 ? std::string_view(a[1]) : "default";
  if (!CheckAuth(ctx, user, a.back())) return;
  ctx.session->set_authenticated(true);
  ctx.w->Ok();
}

bool ValidClientName(std::string_view n) {
  for (char c : n) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

constexpr const char* kErrClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

// HELLO [protover [AUTH user pass] [SETNAME name]]
void Hello(CommandContext& ctx, Args& a) {
  int64_t ver = ctx.w->version();
  if (a.size() >= 2) {
    if (!ParseInt64(a[1], &ver)) {
      return ctx.w->Error(
          "ERR Protocol version is not an integer or out of range");
    }
    if (ver < 2 || ver > 3) {
      return ctx.w->Error("NOPROTO unsupported protocol version");
    }
  }
  std::string name;
  bool setname = false;
  for (size_t i = 2; i < a.size(); i++) {
    std::string o = Lower(a[i]);
    if (o == "auth" && i + 2 < a.size()) {
      if (!CheckAuth(ctx, a[i + 1], a[i + 2])) return;
      ctx.session->set_authenticated(true);
      i += 2;
    } else if (o == "setname" && i + 1 < a.size()) {
      name = a[++i];
      if (!ValidClientName(name)) return ctx.w->Error(kErrClientName);
      setname = true;
    } else {
      return ReplyErrorFormat(ctx.w, "ERR Syntax error in HELLO option '" +
                                         std::string(CString(a[i])) + "'");
    }
  }
  if (!ctx.session->authenticated() && ctx.server->auth_required.load()) {
    return ctx.w->Error(
        "NOAUTH HELLO must be called with the client already authenticated, "
        "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
        "authenticate the client and select the RESP protocol version at the "
        "same time");
  }
  if (setname) ctx.server->clients.SetName(ctx.client, name);
  ctx.session->set_resp(static_cast<int>(ver));
  ctx.w->Map(7);
  ctx.w->Bulk("server");
  ctx.w->Bulk("redis");
  ctx.w->Bulk("version");
  ctx.w->Bulk("7.0.0");
  ctx.w->Bulk("proto");
  ctx.w->Int(ver);
  ctx.w->Bulk("id");
  ctx.w->Int(static_cast<int64_t>(ctx.client->id));
  ctx.w->Bulk("mode");
  ctx.w->Bulk("standalone");
  ctx.w->Bulk("role");
  ctx.w->Bulk("master");
  ctx.w->Bulk("modules");
  ctx.w->Array(0);
}

void Quit(CommandContext& ctx, Args&) {
  ctx.w->Ok();
  ctx.session->CloseAfterReply();
}

void Reset(CommandContext& ctx, Args&) {
  ctx.session->subscriptions()->Clear();
  // Ends MONITOR, as Redis's clearClientConnectionState.
  if (MonitorRegistry::AnyInProcess()) ctx.server->monitors.Remove(ctx.client);
  ctx.server->clients.SetName(ctx.client, "");
  ctx.session->set_resp(2);
  ctx.client->db.store(0, std::memory_order_relaxed);
  ctx.session->set_authenticated(!ctx.server->auth_required.load());
  ctx.session->ResetTransaction();
  ctx.w->Simple("RESET");
}

void Client(CommandContext& ctx, Args& a) {
  std::string sub = Lower(a[1]);
  if (sub == "setname" && a.size() == 3) {
    if (!ValidClientName(a[2])) return ctx.w->Error(kErrClientName);
    ctx.server->clients.SetName(ctx.client, a[2]);
    return ctx.w->Ok();
  }
  if (sub == "getname" && a.size() == 2) {
    std::string n = ctx.server->clients.Name(ctx.client);
    if (n.empty()) return ctx.w->Null();
    return ctx.w->Bulk(n);
  }
  if (sub == "id" && a.size() == 2) {
    return ctx.w->Int(static_cast<int64_t>(ctx.client->id));
  }
  if (sub == "list" && a.size() == 2) {
    return ctx.w->Verbatim(ctx.server->clients.List());
  }
  if (sub == "info" && a.size() == 2) {
    return ctx.w->Verbatim(ctx.server->clients.Describe(ctx.client));
  }
  if (sub == "setinfo" && a.size() == 4) return ctx.w->Ok();
  if (sub == "unblock" && (a.size() == 3 || a.size() == 4)) {
    bool error = false;
    if (a.size() == 4) {
      if (OptionIs(a[3], "error")) {
        error = true;
      } else if (!OptionIs(a[3], "timeout")) {
        return ctx.w->Error(
            "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
      }
    }
    int64_t id;
    if (!ParseInt64(a[2], &id)) return ctx.w->Error(kErrNotInt);
    BlockedClient* b = nullptr;
    std::shared_ptr<Connection> conn =
        ctx.server->blocking.RemoveById(static_cast<uint64_t>(id), &b);
    if (conn == nullptr) return ctx.w->Int(0);
    conn->Post([b, error](std::string* out) { b->unblock(error, out); });
    return ctx.w->Int(1);
  }
  if (ClientAdmin(ctx, a, sub)) return;
  if (sub == "help") {
    const char* lines[] = {"CLIENT <subcommand> [<arg> ...]. Subcommands are:",
                           "GETNAME",
                           "SETNAME <name>",
                           "ID",
                           "LIST",
                           "INFO",
                           "KILL <ip:port>",
                           "KILL <option> <value> [<option> <value> [...]]",
                           "PAUSE <timeout> [WRITE|ALL]",
                           "UNPAUSE",
                           "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                           "NO-EVICT (ON|OFF)",
                           "REPLY (ON|OFF|SKIP)"};
    ctx.w->Array(std::size(lines));
    for (auto l : lines) ctx.w->Simple(l);
    return;
  }
  if (sub == "setname" || sub == "getname" || sub == "id" || sub == "list" ||
      sub == "info" || sub == "unblock" || sub == "kill" || sub == "pause" ||
      sub == "unpause" || sub == "no-evict" || sub == "reply") {
    return ReplyArity(ctx.w, "client|" + sub);
  }
  UnknownSubcommand(ctx, a[0], a[1]);
}

// MONITOR: from now on the client receives every command run (monitor.h).
// A second MONITOR answers nothing, as Redis.
void Monitor(CommandContext& ctx, Args&) {
  Connection* conn = ctx.session->connection();
  if (conn == nullptr) return ctx.w->Ok();  // a bare session in a test
  if (!ctx.session->CanBlock()) {
    // Inside EXEC (Redis's CLIENT_DENY_BLOCKING).
    return ctx.w->Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  }
  if (!ctx.server->monitors.Add(ctx.client, conn->weak_from_this())) {
    return;
  }
  ctx.w->Ok();
}

void CommandInfo(CommandContext& ctx, const Command* c) {
  ctx.w->Array(10);
  ctx.w->Bulk(c->name);
  ctx.w->Int(c->arity);
  std::vector<const char*> flags;
  if (c->flags & kCmdWrite) flags.push_back("write");
  if (c->flags & kCmdReadOnly) flags.push_back("readonly");
  if (c->flags & kCmdFast) flags.push_back("fast");
  if (c->flags & kCmdNoAuth) flags.push_back("no_auth");
  if (c->flags & kCmdAdmin) flags.push_back("admin");
  ctx.w->Set(flags.size());
  for (auto f : flags) ctx.w->Simple(f);
  ctx.w->Int(c->first_key);
  ctx.w->Int(c->last_key);
  ctx.w->Int(c->step);
  ctx.w->Set(1);
  ctx.w->Simple(std::string("@") + c->group);
  ctx.w->Set(0);
  ctx.w->Array(0);
  ctx.w->Array(0);
}

void CommandDoc(CommandContext& ctx, const Command* c) {
  ctx.w->Bulk(c->name);
  ctx.w->Map(3);
  ctx.w->Bulk("summary");
  ctx.w->Bulk(c->summary);
  ctx.w->Bulk("since");
  ctx.w->Bulk("1.0.0");
  ctx.w->Bulk("group");
  ctx.w->Bulk(c->group);
}

void CommandCmd(CommandContext& ctx, Args& a) {
  const auto& all = AllCommands();
  if (a.size() == 1) {
    ctx.w->Array(all.size());
    for (auto c : all) CommandInfo(ctx, c);
    return;
  }
  std::string sub = Lower(a[1]);
  if (sub == "count" && a.size() == 2) {
    return ctx.w->Int(static_cast<int64_t>(all.size()));
  }
  if (sub == "info") {
    if (a.size() == 2) {
      ctx.w->Array(all.size());
      for (auto c : all) CommandInfo(ctx, c);
      return;
    }
    ctx.w->Array(a.size() - 2);
    for (size_t i = 2; i < a.size(); i++) {
      const Command* c = LookupCommand(a[i]);
      if (c == nullptr) {
        ctx.w->NullArray();
      } else {
        CommandInfo(ctx, c);
      }
    }
    return;
  }
  if (sub == "docs") {
    std::vector<const Command*> pick;
    if (a.size() == 2) {
      pick = all;
    } else {
      for (size_t i = 2; i < a.size(); i++) {
        if (auto c = LookupCommand(a[i])) pick.push_back(c);
      }
    }
    ctx.w->Map(pick.size());
    for (auto c : pick) CommandDoc(ctx, c);
    return;
  }
  if (sub == "list" && a.size() == 2) {
    ctx.w->Array(all.size());
    for (auto c : all) ctx.w->Bulk(c->name);
    return;
  }
  UnknownSubcommand(ctx, a[0], a[1]);
}

void Info(CommandContext& ctx, Args& a) {
  std::vector<std::string> want;
  for (size_t i = 1; i < a.size(); i++) want.push_back(Lower(a[i]));
  bool all = want.empty() ||
             std::find_if(want.begin(), want.end(), [](const std::string& s) {
               return s == "all" || s == "everything" || s == "default";
             }) != want.end();
  bool keyspace =
      all || std::find(want.begin(), want.end(), "keyspace") != want.end();
  std::string text;
  for (const InfoSection& sec : CollectInfo(ctx.server, keyspace)) {
    if (!all && std::find(want.begin(), want.end(), sec.name) == want.end()) {
      continue;
    }
    if (!text.empty()) text += "\r\n";
    std::string title = sec.name;
    title[0] =
        static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
    text += "# " + title + "\r\n";
    for (auto& [k, v] : sec.fields) text += k + ":" + v + "\r\n";
  }
  ctx.w->Verbatim(text);
}

void Time(CommandContext& ctx, Args&) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  int64_t us =
      std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  ctx.w->Array(2);
  ctx.w->Bulk(std::to_string(us / 1000000));
  ctx.w->Bulk(std::to_string(us % 1000000));
}

constexpr uint32_t F = kCmdFast, N = kCmdNoAuth, L = kCmdLoading, A = kCmdAdmin;

const CommandSpec kCommands[] = {
    {"ping", -1, F | L, Ping, 0, 0, 0, "connection", "Ping the server"},
    {"echo", 2, F | L, Echo, 0, 0, 0, "connection", "Echo a message"},
    {"hello", -1, F | L | N, Hello, 0, 0, 0, "connection",
     "Handshake, choose RESP"},
    {"auth", -2, F | L | N, Auth, 0, 0, 0, "connection", "Authenticate"},
    {"quit", -1, F | L | N | kCmdTxControl, Quit, 0, 0, 0, "connection",
     "Close the connection"},
    {"reset", 1, F | L | N | kCmdTxControl, Reset, 0, 0, 0, "connection",
     "Reset the connection"},
    {"client", -2, L, Client, 0, 0, 0, "connection",
     "Client connection commands"},
    {"monitor", 1, A | L, Monitor, 0, 0, 0, "server",
     "Listen to every command the server runs"},
    {"command", -1, L, CommandCmd, 0, 0, 0, "server",
     "Command table information"},
    {"info", -1, L, Info, 0, 0, 0, "server", "Server information"},
    {"time", 1, F | L, Time, 0, 0, 0, "server", "Server time"},
};

}  // namespace

std::span<const CommandSpec> ServerCommands() { return kCommands; }

}  // namespace shale::server
