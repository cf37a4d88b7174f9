// CLIENT KILL, PAUSE, UNPAUSE, NO-EVICT and REPLY, with Redis 7.0's
// replies and error texts (docs/protocols.md, "CLIENT").
#include "server/redis/cmd_client.h"

#include <limits>
#include <memory>
#include <vector>

#include "server/net/connection.h"
#include "server/redis/resp_session.h"

namespace shale::server {
namespace {

// The filters of CLIENT KILL; each one set must match (AND).
struct KillFilter {
  uint64_t id = 0;  // 0: any
  int type = -1;    // -1: any, else a ClientClass or kTypeMaster
  const std::string* addr = nullptr;
  const std::string* laddr = nullptr;
  bool skipme = true;
};

// CLIENT KILL TYPE master: shale has no master link, so it matches none.
constexpr int kTypeMaster = 100;

// Redis's getClientTypeByName; -1 if unknown.
int ClientTypeByName(std::string_view n) {
  if (OptionIs(n, "normal")) return static_cast<int>(ClientClass::kNormal);
  if (OptionIs(n, "slave") || OptionIs(n, "replica")) {
    return static_cast<int>(ClientClass::kReplica);
  }
  if (OptionIs(n, "pubsub")) return static_cast<int>(ClientClass::kPubSub);
  if (OptionIs(n, "master")) return kTypeMaster;
  return -1;
}

// Parses the filter form; writes the error and returns false on a bad one.
bool ParseKillFilter(CommandContext& ctx, const Args& a, KillFilter* f) {
  for (size_t i = 2; i < a.size(); i += 2) {
    const bool more = i + 1 < a.size();
    if (OptionIs(a[i], "id") && more) {
      int64_t id;
      if (!ParseInt64(a[i + 1], &id) || id < 1) {
        ctx.w->Error("ERR client-id should be greater than 0");
        return false;
      }
      f->id = static_cast<uint64_t>(id);
    } else if (OptionIs(a[i], "type") && more) {
      f->type = ClientTypeByName(a[i + 1]);
      if (f->type == -1) {
        ReplyErrorFormat(ctx.w, "ERR Unknown client type '" +
                                    std::string(CString(a[i + 1])) + "'");
        return false;
      }
    } else if (OptionIs(a[i], "addr") && more) {
      f->addr = &a[i + 1];
    } else if (OptionIs(a[i], "laddr") && more) {
      f->laddr = &a[i + 1];
    } else if (OptionIs(a[i], "user") && more) {
      // Every client is the default user (shale has no ACL users).
      if (CString(a[i + 1]) != "default") {
        ReplyErrorFormat(
            ctx.w, "ERR No such user '" + std::string(CString(a[i + 1])) + "'");
        return false;
      }
    } else if (OptionIs(a[i], "skipme") && more) {
      if (OptionIs(a[i + 1], "yes")) {
        f->skipme = true;
      } else if (OptionIs(a[i + 1], "no")) {
        f->skipme = false;
      } else {
        ctx.w->Error(kErrSyntax);
        return false;
      }
    } else {
      ctx.w->Error(kErrSyntax);
      return false;
    }
  }
  return true;
}

// Kills the clients f matches; returns how many. The calling client, if
// matched, is closed once its reply is written (as Redis's
// CLIENT_CLOSE_AFTER_REPLY); the others at once, on their own threads.
int64_t KillClients(CommandContext& ctx, const KillFilter& f) {
  const uint64_t self = ctx.client->id;
  // Redis compares the addresses as C strings (strcmp).
  std::string_view addr = f.addr ? CString(*f.addr) : std::string_view();
  std::string_view laddr = f.laddr ? CString(*f.laddr) : std::string_view();
  std::vector<uint64_t> ids =
      ctx.server->clients.Select([&](const ClientState& c) {
        if (f.addr != nullptr && c.peer != addr) return false;
        if (f.laddr != nullptr && c.local != laddr) return false;
        if (f.id != 0 && c.id != f.id) return false;
        if (c.id == self && f.skipme) return false;
        return true;
      });
  int64_t killed = 0;
  for (uint64_t id : ids) {
    std::shared_ptr<Connection> conn = ctx.server->registry->Find(id);
    if (conn == nullptr || conn->closing()) continue;  // already going
    if (f.type != -1 && static_cast<int>(conn->client_class()) != f.type) {
      continue;
    }
    killed++;
    if (id == self) {
      ctx.session->CloseAfterReply();
      continue;
    }
    // Out of the blocking registry first, so that no write serves (pops
    // for) a client that will never read the reply; the element stays.
    BlockedClient* b = nullptr;
    ctx.server->blocking.RemoveById(id, &b);
    // Gone from CLIENT LIST at once, as in Redis (its session's OnClose
    // removes it again, harmlessly).
    ctx.server->clients.Remove(id);
    conn->Kill();
  }
  return killed;
}

void ClientKill(CommandContext& ctx, Args& a) {
  KillFilter f;
  if (a.size() == 3) {
    // The old form, CLIENT KILL ip:port: may kill the caller itself.
    f.addr = &a[2];
    f.skipme = false;
    if (KillClients(ctx, f) == 0) return ctx.w->Error("ERR No such client");
    return ctx.w->Ok();
  }
  if (!ParseKillFilter(ctx, a, &f)) return;
  ctx.w->Int(KillClients(ctx, f));
}

// CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked first, as Redis.
void ClientPauseCmd(CommandContext& ctx, Args& a) {
  ClientPause::Mode mode = ClientPause::Mode::kAll;
  if (a.size() == 4) {
    if (OptionIs(a[3], "write")) {
      mode = ClientPause::Mode::kWrite;
    } else if (!OptionIs(a[3], "all")) {
      return ctx.w->Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  }
  int64_t ms;
  if (!ParseInt64(a[2], &ms)) {
    return ctx.w->Error("ERR timeout is not an integer or out of range");
  }
  if (ms < 0) return ctx.w->Error("ERR timeout is negative");
  const int64_t now = ClientPause::NowMs();
  // Redis adds the timeout to the time in ms; a sum past int64 wraps to
  // the past there, ending the pause at once: so here too.
  int64_t end = ms > std::numeric_limits<int64_t>::max() - now ? now : now + ms;
  ctx.server->pause.Pause(mode, end);
  ctx.w->Ok();
}

}  // namespace

bool ClientAdmin(CommandContext& ctx, Args& a, const std::string& sub) {
  if (sub == "kill" && a.size() >= 3) {
    ClientKill(ctx, a);
    return true;
  }
  if (sub == "pause" && (a.size() == 3 || a.size() == 4)) {
    ClientPauseCmd(ctx, a);
    return true;
  }
  if (sub == "pause" && a.size() > 4) {
    // PAUSE's table arity is -3: Redis's handler answers the rest.
    ReplyErrorFormat(ctx.w,
                     "ERR unknown subcommand or wrong number of arguments "
                     "for '" +
                         std::string(CString(a[1])) + "'. Try CLIENT HELP.");
    return true;
  }
  if (sub == "unpause" && a.size() == 2) {
    ctx.server->pause.Unpause();
    ctx.w->Ok();
    return true;
  }
  if (sub == "reply" && a.size() == 3) {
    // OFF and SKIP answer nothing (the session mutes from the next
    // command on); ON answers +OK.
    if (OptionIs(a[2], "on")) {
      ctx.session->ReplyOn();
      ctx.w->Ok();
    } else if (OptionIs(a[2], "off")) {
      ctx.session->ReplyOff();
    } else if (OptionIs(a[2], "skip")) {
      ctx.session->ReplySkip();
    } else {
      ctx.w->Error(kErrSyntax);
    }
    return true;
  }
  if (sub == "no-evict" && a.size() == 3) {
    // Accepted as Redis: shale evicts no client for memory, so the flag
    // changes nothing but CLIENT LIST's `e`.
    if (OptionIs(a[2], "on")) {
      ctx.client->no_evict.store(true, std::memory_order_relaxed);
    } else if (OptionIs(a[2], "off")) {
      ctx.client->no_evict.store(false, std::memory_order_relaxed);
    } else {
      ctx.w->Error(kErrSyntax);
      return true;
    }
    ctx.w->Ok();
    return true;
  }
  return false;
}

}  // namespace shale::server
