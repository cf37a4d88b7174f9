// Connection: one client socket, its buffers and timers.
//
// The loop is read -> Session::OnData -> write -> (more buffered input?
// OnData again : read). At most one read or one write is outstanding, so:
//   1. Input is never read while output is pending: a client that sends
//      faster than it reads is throttled by TCP, and the server holds at most
//      one read chunk plus output_limit (plus one reply) for it.
//   2. An idle connection (no request for `idle_timeout`) is closed, and so
//      is one whose pending write makes no progress for `write_timeout`.
//
// Thread safety: all handlers run on the connection's io_context (one
// thread); Shutdown may be called from any thread (it posts).
#ifndef SHALE_SERVER_NET_CONNECTION_H_
#define SHALE_SERVER_NET_CONNECTION_H_

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "server/net/session.h"

namespace shale::server {

struct ConnectionLimits {
  size_t output_limit = 1 << 20;
  std::chrono::seconds idle_timeout{300};  // 0: none
  std::chrono::seconds write_timeout{60};
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using OnClose = std::function<void(uint64_t id)>;

  Connection(boost::asio::ip::tcp::socket socket, ConnectionLimits limits,
             OnClose on_close);
  ~Connection();

  // REQUIRES: called once, on the connection's thread, after set_session.
  void Start();
  void set_session(std::unique_ptr<Session> s) { session_ = std::move(s); }

  // Asks the connection to close once its current request's reply is
  // written. Thread-safe.
  void Shutdown();

  // Writes text and closes (e.g. "max clients reached").
  void Reject(std::string text);

  const ConnectionInfo& info() const { return info_; }
  ConnectionInfo* mutable_info() { return &info_; }

 private:
  void DoRead();
  // Makes room for one read chunk after in_end_.
  void ReserveInput();
  void Process();
  void DoWrite();
  void Close();
  void ArmTimer(std::chrono::seconds timeout);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  const ConnectionLimits limits_;
  OnClose on_close_;
  std::unique_ptr<Session> session_;
  ConnectionInfo info_;

  // Received bytes not yet consumed by the session: in_[in_begin_,
  // in_end_) of a buffer of in_cap_ bytes. Not a std::string, whose resize
  // would zero every read chunk before the read fills it; consumed bytes
  // are skipped, not erased, and what is left is moved to the front only
  // when the next read needs the room.
  std::unique_ptr<char[]> in_;
  size_t in_cap_ = 0, in_begin_ = 0, in_end_ = 0;
  std::string out_;      // replies not yet written
  std::string writing_;  // the buffer of the write in flight
  bool closed_ = false;
  bool stopping_ = false;  // set by Shutdown
};

}  // namespace shale::server

#endif  // SHALE_SERVER_NET_CONNECTION_H_
