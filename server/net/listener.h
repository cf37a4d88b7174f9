// Listener: one front end's listening socket.
//
// Accepts on its own io_context and hands each socket to the next context of
// the IoPool, wrapped in a Connection whose Session the factory makes.
#ifndef SHALE_SERVER_NET_LISTENER_H_
#define SHALE_SERVER_NET_LISTENER_H_

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "server/net/connection.h"
#include "server/net/io_pool.h"
#include "server/net/registry.h"

namespace shale::server {

class Listener {
 public:
  using SessionFactory =
      std::function<std::unique_ptr<Session>(const ConnectionInfo& info)>;

  // reject_text is written to a client refused because of maxclients.
  Listener(std::string name, IoPool* pool, Registry* registry,
           ConnectionLimits limits, SessionFactory factory,
           std::string reject_text);

  // Binds and listens; false with *error on failure.
  bool Open(const std::string& address, int port, std::string* error);
  // Starts accepting. REQUIRES: Open succeeded.
  void Start();
  // Stops accepting (thread-safe).
  void Stop();

  const std::string& name() const { return name_; }
  int port() const { return port_; }

 private:
  void Accept();

  const std::string name_;
  IoPool* const pool_;
  Registry* const registry_;
  const ConnectionLimits limits_;
  SessionFactory factory_;
  const std::string reject_text_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  int port_ = 0;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_NET_LISTENER_H_
