// Connection: one client socket, its buffers and timers, and the one way
// for any thread to send it output.
//
// The loop is read -> Session::OnData -> write -> (more buffered input?
// OnData again : read). Rules:
//   1. No read is started while output is pending (the session's replies or
//      pushed bytes): a client that sends faster than it reads is throttled
//      by TCP, and the server holds at most one read chunk plus
//      output_limit (plus one reply) of its own replies for it.
//   2. Output from other threads (Push, PushBatch) goes to an inbox under a
//      mutex and is moved to the output on the connection's thread, in
//      order, by one posted handler however many pushes arrive before it
//      runs. It is written even while a read is outstanding (a subscriber
//      waiting for nothing but messages). Every byte not yet written counts
//      against the client class's client-output-buffer-limit; a client
//      over its hard limit, or over its soft limit for longer than the soft
//      seconds, is disconnected, logged and counted, and its buffers freed.
//   3. A connection waiting for a request for `idle_timeout` is closed
//      (unless its session is exempt: pub/sub, blocked), and so is one whose
//      pending write makes no progress for `write_timeout`.
//   4. A session that is not ready() (a blocked client, CLIENT PAUSE) gets
//      no OnData until a Post()ed task makes it ready; meanwhile at most one
//      read chunk is buffered (so a disconnect is still noticed).
//
// Thread safety: the private loop runs on the connection's io_context (one
// thread), so handlers never run concurrently. Push, PushBatch, Post, Kill
// and Shutdown may be called from any thread; out-of-thread callers must
// hold a shared_ptr (or otherwise know the connection alive, as a registry
// whose entry the session removes in OnClose).
#ifndef SHALE_SERVER_NET_CONNECTION_H_
#define SHALE_SERVER_NET_CONNECTION_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "server/live_config.h"
#include "server/net/session.h"
#include "server/stat_counter.h"
#include "util/mutex.h"

namespace shale::server {

// Output bytes that never count against client-output-buffer-limit: Redis
// 7.0 counts a client's reply list, not its 16 KiB fixed reply buffer
// (getClientOutputBufferMemoryUsage), so small replies never trip a limit.
inline constexpr uint64_t kUncountedOutputBytes = 16 << 10;

struct ConnectionLimits {
  size_t output_limit = 1 << 20;
  std::chrono::seconds idle_timeout{300};  // 0: none
  // If set, the idle timeout in seconds is read here each time a connection
  // waits for a request (CONFIG SET timeout), instead of idle_timeout.
  const std::atomic<int64_t>* live_idle_timeout = nullptr;
  std::chrono::seconds write_timeout{60};
  // Per-class output buffer limits: client-output-buffer-limit, read at
  // every check (CONFIG SET changes it); nullptr: none.
  const LiveConfig* output_buffer_limits = nullptr;
  // Counts the clients disconnected for exceeding them; may be nullptr.
  StatCounter* output_limit_disconnections = nullptr;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using OnClose = std::function<void(uint64_t id)>;

  Connection(boost::asio::ip::tcp::socket socket, ConnectionLimits limits,
             OnClose on_close);
  ~Connection();

  // REQUIRES: called once, on the connection's thread, after set_session.
  void Start();
  void set_session(std::unique_ptr<Session> s);

  // Appends bytes to the client's output from any thread. False if the
  // connection is closed or closing, or if the bytes put it over its output
  // buffer limit (it is then being disconnected).
  bool Push(std::string_view bytes);

  // Runs fn on the connection's thread with its output buffer, unless the
  // connection is closed by then; then writes what fn appended and, if the
  // session is ready(), processes input it had left. For wakeups: fn makes
  // the session ready and writes the reply.
  void Post(std::function<void(std::string* out)> fn);

  // Moves what other threads pushed and is not written yet to the end of
  // out, so that what the session appends next follows it (a client's own
  // PUBLISH reaching itself). REQUIRES: on the connection's thread, inside
  // the session's OnData, with the buffer OnData writes to.
  void TakeInbox(std::string* out);

  // Closes the connection from any thread without writing what is pending
  // (CLIENT KILL).
  void Kill();

  // Asks the connection to close once its current request's reply is
  // written. Thread-safe.
  void Shutdown();

  // Writes text and closes (e.g. "max clients reached").
  void Reject(std::string text);

  // The class whose output limit applies; thread-safe.
  void set_client_class(ClientClass c) {
    class_.store(c, std::memory_order_relaxed);
  }
  ClientClass client_class() const {
    return class_.load(std::memory_order_relaxed);
  }
  // Bytes produced for the client and not yet written (CLIENT LIST omem).
  uint64_t output_bytes();
  bool closing() const { return closing_.load(std::memory_order_acquire); }
  // The connection's I/O thread.
  boost::asio::any_io_executor executor() { return socket_.get_executor(); }

  const ConnectionInfo& info() const { return info_; }
  ConnectionInfo* mutable_info() { return &info_; }

 private:
  friend class PushBatch;

  // Appends to the inbox; *post is set when the caller must post Drain.
  bool PushLocked(std::string_view bytes, bool* post) REQUIRES(push_mu_);
  // On the connection's thread: moves the inbox to out_, then writes.
  void Drain();
  // Checks bytes pending against the class's limit; true if over it.
  bool OverLimit(uint64_t pending) REQUIRES(push_mu_);
  // Begins the disconnect for being over the limit (any thread).
  void OverflowLocked() REQUIRES(push_mu_);

  void DoRead();
  // Makes room for one read chunk after in_end_.
  void ReserveInput();
  void Process();
  // Starts a write if output is pending and none is in flight.
  void MaybeWrite();
  void DoWrite();
  // After a write or a Post: more to write, input to process, or a read.
  void Continue();
  void Close();
  void ArmIdleTimer();
  // Adds n (may be negative) to the bytes out_ and writing_ hold.
  void Account(int64_t n);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer idle_timer_;
  boost::asio::steady_timer write_timer_;
  const ConnectionLimits limits_;
  OnClose on_close_;
  ConnectionInfo info_;

  // --- state of the connection's thread -----------------------------------
  // Received bytes not yet consumed by the session: in_[in_begin_,
  // in_end_) of a buffer of in_cap_ bytes. Not a std::string, whose resize
  // would zero every read chunk before the read fills it; consumed bytes
  // are skipped, not erased, and what is left is moved to the front only
  // when the next read needs the room.
  std::unique_ptr<char[]> in_;
  size_t in_cap_ = 0, in_begin_ = 0, in_end_ = 0;
  std::string out_;            // replies not yet written
  std::string writing_;        // the buffer of the write in flight
  bool reading_ = false;       // a read is outstanding
  bool write_active_ = false;  // a write is outstanding (of writing_)
  bool closed_ = false;
  bool stopping_ = false;  // set by Shutdown

  // --- shared with other threads -------------------------------------------
  std::atomic<ClientClass> class_{ClientClass::kNormal};
  std::atomic<bool> closing_{false};  // no more pushes: closing or closed
  // Bytes in out_ and writing_. Written on the connection's thread (under
  // push_mu_, so that inbox_ + owned_bytes_ is consistent there); read by
  // pushers under push_mu_ and by statistics without it.
  std::atomic<uint64_t> owned_bytes_{0};
  Mutex push_mu_;
  std::string inbox_ GUARDED_BY(push_mu_);
  bool drain_posted_ GUARDED_BY(push_mu_) = false;
  // When the buffer went over the soft limit; 0: it is under it.
  int64_t soft_since_ms_ GUARDED_BY(push_mu_) = 0;

  // Last: destroyed first, while everything it may touch in OnClose or its
  // destructor is still alive.
  std::unique_ptr<Session> session_;
};

// Output for many connections at once (PUBLISH to many subscribers):
// appends to each inbox as Add is called, and posts one drain task per
// destination I/O thread in Flush (or the destructor) instead of one per
// connection.
//
// Thread safety: a PushBatch is used by one thread; the connections it
// names must stay alive until Add returns (Flush holds its own references).
class PushBatch {
 public:
  PushBatch() = default;
  PushBatch(const PushBatch&) = delete;
  PushBatch& operator=(const PushBatch&) = delete;
  ~PushBatch() { Flush(); }

  // As Connection::Push.
  bool Add(Connection* c, std::string_view bytes);
  void Flush();

 private:
  struct Group {
    boost::asio::any_io_executor executor;
    std::vector<std::shared_ptr<Connection>> conns;
  };
  std::vector<Group> groups_;
};

}  // namespace shale::server

#endif  // SHALE_SERVER_NET_CONNECTION_H_
