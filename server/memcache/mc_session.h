// McSession: one memcached text-protocol client, classic and meta commands,
// over database 0 of the shared Keyspace. Values keep their memcached client
// flags and CAS token in the key's metadata (keyspace/meta_codec.h), so
// `gets`/`cas` work across protocols: any write through any front end
// changes the token.
//
// Expiry times follow memcached: 0 never, negative already expired, up to 30
// days relative seconds, beyond that an absolute Unix time.
#ifndef SHALE_SERVER_MEMCACHE_MC_SESSION_H_
#define SHALE_SERVER_MEMCACHE_MC_SESSION_H_

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>

#include "server/net/session.h"
#include "server/protocol/memcache/mc_parser.h"
#include "server/redis/pause_hold.h"
#include "server/server_state.h"

namespace shale::server {

class McSession : public Session {
 public:
  McSession(ServerState* server, const ConnectionInfo& info);
  ~McSession() override { OnClose(); }

  void Attach(Connection* conn) override;
  size_t OnData(std::string_view in, std::string* out,
                size_t output_limit) override;
  bool closing() const override { return closing_; }
  // False while CLIENT PAUSE holds a request (mc_pause.cc).
  bool ready() const override { return !pause_.held(); }
  bool idle_exempt() const override { return pause_.held(); }
  void OnClose() override;

 private:
  // --- CLIENT PAUSE (mc_pause.cc): as RespSession's, for memcached ------
  // True if the pause in force holds req: everything under ALL; under
  // WRITE the requests that write (storage, delete, incr/decr, touch,
  // gat/gats, flush_all, ms, md, ma, mg with T/N/E flags).
  bool PauseHolds(const McRequest& req) const;
  // Holds req (copied) until the pause ends; true if held.
  bool HoldForPause(const McRequest& req);
  // On the connection's thread: runs the held request if the pause no
  // longer holds it, else waits again.
  void ResumeFromPause(std::string* out);

  void Execute(McRequest& req);
  // Classic commands.
  void Get(McRequest& req, bool with_cas, bool touch);
  void Store(McRequest& req);
  void Delete(McRequest& req);
  void Arith(McRequest& req, bool incr);
  void Touch(McRequest& req);
  void Stats(McRequest& req);
  // Meta commands.
  void MetaGet(McRequest& req);
  void MetaSet(McRequest& req);
  void MetaDelete(McRequest& req);
  void MetaArith(McRequest& req);

  bool ValidKey(std::string_view key) const;
  void Reply(std::string_view line);  // appends line + "\r\n" unless noreply

  ServerState* const server_;
  KeyspaceDb db0_;  // memcached serves database 0
  KeyspaceDb* const ks_ = &db0_;
  McParser parser_;
  std::string* out_ = nullptr;
  bool noreply_ = false;  // of the request being executed
  bool closing_ = false;
  uint64_t id_ = 0;  // the connection's id (ClientPause registrations)
  Connection* conn_ = nullptr;
  PauseHold pause_;
  McRequest held_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_MEMCACHE_MC_SESSION_H_
