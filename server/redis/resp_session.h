// RespSession: one Redis-protocol client. Parses requests (RespParser),
// checks them against the command table (arity, authentication) and runs
// them, writing replies with a RespWriter in the client's RESP version.
#ifndef SHALE_SERVER_REDIS_RESP_SESSION_H_
#define SHALE_SERVER_REDIS_RESP_SESSION_H_

#include <memory>
#include <string>

#include "server/net/session.h"
#include "server/protocol/resp/resp_parser.h"
#include "server/protocol/resp/resp_writer.h"
#include "server/redis/command.h"
#include "server/redis/get_batch.h"
#include "server/redis/set_batch.h"
#include "server/server_state.h"

namespace shale::server {

class RespSession : public Session {
 public:
  RespSession(ServerState* server, const ConnectionInfo& info);
  ~RespSession() override;

  size_t OnData(std::string_view in, std::string* out,
                size_t output_limit) override;
  bool closing() const override { return closing_; }

  // For connection commands (HELLO, AUTH, QUIT, RESET).
  void set_authenticated(bool a) { authenticated_ = a; }
  bool authenticated() const { return authenticated_; }
  void set_resp(int version);
  void CloseAfterReply() { closing_ = true; }
  ClientState* client() { return &client_; }

 private:
  void Execute(Args& args);
  // True if args is the command name with argc - 1 arguments and may join a
  // batch: a plain `SET key value` (set_batch_) or `GET key` (get_batch_).
  bool Batchable(const Args& args, std::string_view name, size_t argc) const;
  // Runs and answers whatever a batch holds (at most one batch is non-empty).
  void FlushBatches();
  void FlushGets();

  ServerState* const server_;
  RespParser parser_;
  RespWriter writer_;
  SetBatch set_batch_;
  GetBatch get_batch_;
  ClientState client_;
  bool authenticated_ = false;
  bool closing_ = false;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_REDIS_RESP_SESSION_H_
