// Session: the protocol side of one client connection.
//
// A Connection (net/connection.h) owns the socket and the buffers; it hands
// every byte received to its Session and writes back whatever the Session
// appends. A Session never touches the socket, so each protocol is testable
// over plain strings.
//
// Thread safety: a Session is only called from its connection's I/O thread.
#ifndef SHALE_SERVER_NET_SESSION_H_
#define SHALE_SERVER_NET_SESSION_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace shale::server {

class Connection;

class Session {
 public:
  virtual ~Session() = default;

  // Called once, on the connection's thread, before the first OnData: the
  // connection that owns this session, for handing out to other threads
  // (Connection::Push / Post / Kill). Sessions tested without a connection
  // never get it.
  virtual void Attach(Connection* /*conn*/) {}

  // Consumes requests from the front of in, appends their replies to *out,
  // and returns the bytes consumed. A partial request may be consumed into
  // the session's own state (so big values need no big input buffer).
  // Stops early once out->size() reaches output_limit: the connection writes
  // the output, then calls again with the rest. Never blocks on the network.
  virtual size_t OnData(std::string_view in, std::string* out,
                        size_t output_limit) = 0;

  // True once the connection should close after the pending output is
  // written (QUIT, a protocol error).
  virtual bool closing() const = 0;

  // False while the session holds a request it cannot run yet (a blocked
  // client, CLIENT PAUSE): the connection then calls OnData again only
  // after a Connection::Post task made it ready.
  virtual bool ready() const { return true; }

  // True while the idle timeout does not apply (Redis exempts subscribers
  // and blocked clients).
  virtual bool idle_exempt() const { return false; }

  // The connection closed (any reason): drop every registration other
  // threads could use to reach it. Called once, on the connection's thread;
  // a connection destroyed without closing (server shutdown) only runs the
  // destructor, which must do the same.
  virtual void OnClose() {}
};

// Peer and local addresses of a connection, for CLIENT LIST and logs.
struct ConnectionInfo {
  uint64_t id = 0;
  std::string peer;   // "ip:port"
  std::string local;  // "ip:port"
  bool loopback = true;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_NET_SESSION_H_
