#include "server/net/connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <exception>

namespace shale::server {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {
constexpr size_t kReadChunk = 16 << 10;

std::string Endpoint(const asio::ip::tcp::endpoint& ep) {
  if (ep.address().is_v6()) {
    return "[" + ep.address().to_string() + "]:" + std::to_string(ep.port());
  }
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, ConnectionLimits limits,
                       OnClose on_close)
    : socket_(std::move(socket)),
      idle_timer_(socket_.get_executor()),
      write_timer_(socket_.get_executor()),
      limits_(limits),
      on_close_(std::move(on_close)) {
  error_code ec;
  auto peer = socket_.remote_endpoint(ec);
  if (!ec) {
    info_.peer = Endpoint(peer);
    info_.loopback = peer.address().is_loopback();
  }
  auto local = socket_.local_endpoint(ec);
  if (!ec) info_.local = Endpoint(local);
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

Connection::~Connection() {
  // The session's destructor unregisters it from whatever other threads
  // reach it through: while the rest of the connection is still whole.
  session_.reset();
}

void Connection::set_session(std::unique_ptr<Session> s) {
  session_ = std::move(s);
  if (session_) session_->Attach(this);
}

void Connection::Start() { DoRead(); }

// --- output from any thread --------------------------------------------------

bool Connection::OverLimit(uint64_t pending) {
  if (limits_.output_buffer_limits == nullptr) return false;
  OutputBufferLimit l =
      limits_.output_buffer_limits->output_buffer_limit(client_class());
  // Redis counts only what its client's fixed reply buffer does not hold:
  // a CONFIG SET of `normal 1 2 3` does not cut off the client setting it.
  pending =
      pending > kUncountedOutputBytes ? pending - kUncountedOutputBytes : 0;
  if (l.hard_bytes != 0 && pending >= l.hard_bytes) return true;
  // The soft limit must be exceeded at every check for its seconds.
  if (l.soft_bytes != 0 && pending >= l.soft_bytes) {
    int64_t now = NowMs();
    if (soft_since_ms_ == 0) {
      soft_since_ms_ = now;
      return false;
    }
    return now - soft_since_ms_ > static_cast<int64_t>(l.soft_seconds * 1000);
  }
  soft_since_ms_ = 0;
  return false;
}

void Connection::OverflowLocked() {
  closing_.store(true, std::memory_order_release);
  uint64_t pending = owned_bytes_.load() + inbox_.size();
  std::string().swap(inbox_);
  if (limits_.output_limit_disconnections != nullptr) {
    (*limits_.output_limit_disconnections)++;
  }
  spdlog::warn(
      "client id={} addr={} closed for overcoming of output buffer limits "
      "(class {}, {} bytes pending)",
      info_.id, info_.peer, ClientClassName(client_class()), pending);
  if (auto self = weak_from_this().lock()) {
    asio::post(executor(), [self] { self->Close(); });
  }
}

bool Connection::PushLocked(std::string_view bytes, bool* post) {
  if (closing_.load(std::memory_order_relaxed)) return false;
  if (OverLimit(owned_bytes_.load(std::memory_order_relaxed) + inbox_.size() +
                bytes.size())) {
    OverflowLocked();
    return false;
  }
  inbox_.append(bytes);
  if (!drain_posted_) {
    drain_posted_ = true;
    *post = true;
  }
  return true;
}

bool Connection::Push(std::string_view bytes) {
  bool post = false;
  {
    MutexLock l(&push_mu_);
    if (!PushLocked(bytes, &post)) return false;
  }
  if (post) {
    // A connection being destroyed has no owner left to write for it.
    auto self = weak_from_this().lock();
    if (!self) return false;
    asio::post(executor(), [self] { self->Drain(); });
  }
  return true;
}

void Connection::Drain() {
  {
    MutexLock l(&push_mu_);
    drain_posted_ = false;
    if (closed_) return;
    owned_bytes_.fetch_add(inbox_.size(), std::memory_order_relaxed);
    if (out_.empty()) {
      out_.swap(inbox_);
    } else {
      out_.append(inbox_);
    }
    inbox_.clear();
  }
  Continue();
}

void Connection::TakeInbox(std::string* out) {
  // The bytes count as the session's output from here: Process accounts
  // for what OnData appended.
  MutexLock l(&push_mu_);
  out->append(inbox_);
  inbox_.clear();
}

void Connection::Post(std::function<void(std::string* out)> fn) {
  auto self = weak_from_this().lock();
  if (!self) return;
  asio::post(executor(), [self, fn = std::move(fn)] {
    if (self->closed_) return;
    size_t before = self->out_.size();
    fn(&self->out_);
    self->Account(static_cast<int64_t>(self->out_.size() - before));
    self->Continue();
  });
}

void Connection::Kill() {
  {
    MutexLock l(&push_mu_);
    closing_.store(true, std::memory_order_release);
    std::string().swap(inbox_);
  }
  auto self = weak_from_this().lock();
  if (self) asio::post(executor(), [self] { self->Close(); });
}

uint64_t Connection::output_bytes() {
  MutexLock l(&push_mu_);
  return owned_bytes_.load(std::memory_order_relaxed) + inbox_.size();
}

void Connection::Account(int64_t n) {
  if (n == 0) return;
  owned_bytes_.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
  if (n < 0 || limits_.output_buffer_limits == nullptr) return;
  OutputBufferLimit l =
      limits_.output_buffer_limits->output_buffer_limit(client_class());
  if (l.hard_bytes == 0 && l.soft_bytes == 0) return;
  MutexLock lock(&push_mu_);
  if (!closing_.load(std::memory_order_relaxed) &&
      OverLimit(owned_bytes_.load(std::memory_order_relaxed) + inbox_.size())) {
    OverflowLocked();
  }
}

// --- the connection's own loop ----------------------------------------------

void Connection::ArmIdleTimer() {
  std::chrono::seconds idle =
      limits_.live_idle_timeout != nullptr
          ? std::chrono::seconds(
                limits_.live_idle_timeout->load(std::memory_order_relaxed))
          : limits_.idle_timeout;
  if (idle.count() == 0 || session_->idle_exempt()) return;
  idle_timer_.expires_after(idle);
  idle_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    // A re-armed or cancelled timer completes with operation_aborted; one
    // armed for an earlier read finds none outstanding, or the session
    // exempt since.
    if (!ec && self->reading_ && !self->closed_ &&
        !self->session_->idle_exempt()) {
      self->Close();
    }
  });
}

void Connection::DoRead() {
  if (closed_) return;
  if (stopping_ || closing() || session_->closing()) {
    Close();
    return;
  }
  if (reading_) {
    ArmIdleTimer();  // idle counts from the last exchange, as in Redis
    return;
  }
  // A session waiting to be woken with a request buffered reads no more:
  // TCP throttles the client until it runs again.
  if (!session_->ready() && in_begin_ != in_end_) return;
  ArmIdleTimer();
  ReserveInput();
  reading_ = true;
  socket_.async_read_some(
      asio::buffer(in_.get() + in_end_, in_cap_ - in_end_),
      [self = shared_from_this()](const error_code& ec, size_t n) {
        self->reading_ = false;
        self->in_end_ += n;
        if (ec) {
          self->Close();
          return;
        }
        // Output pending (pushed while the read waited): the input is
        // processed once it is written.
        if (self->write_active_ || !self->out_.empty()) return;
        self->Process();
      });
}

void Connection::ReserveInput() {
  if (in_begin_ == in_end_) {
    in_begin_ = in_end_ = 0;
    // A long request made the buffer grow: give the memory back.
    if (in_cap_ > 4 * kReadChunk) {
      in_.reset();
      in_cap_ = 0;
    }
  }
  if (in_cap_ - in_end_ >= kReadChunk) return;
  size_t pending = in_end_ - in_begin_;
  if (in_cap_ - pending >= kReadChunk) {
    // Room enough once the consumed bytes are dropped.
    std::memmove(in_.get(), in_.get() + in_begin_, pending);
  } else {
    // A session holds at most a partial request here (it consumes bulk
    // bytes as they come), so this stays near one chunk.
    size_t cap = pending + kReadChunk;
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (pending > 0) std::memcpy(bigger.get(), in_.get() + in_begin_, pending);
    in_ = std::move(bigger);
    in_cap_ = cap;
  }
  in_begin_ = 0;
  in_end_ = pending;
}

void Connection::Process() {
  if (closed_ || closing() || !session_->ready()) return;
  size_t before = out_.size();
  size_t consumed;
  try {
    consumed = session_->OnData(
        std::string_view(in_.get() + in_begin_, in_end_ - in_begin_), &out_,
        limits_.output_limit);
  } catch (const std::exception& e) {
    // Sessions do not throw by design; if one does (bad_alloc...), drop the
    // client rather than the whole server.
    spdlog::error("connection {}: {}; closing it", info_.peer, e.what());
    Close();
    return;
  }
  in_begin_ += consumed;
  Account(static_cast<int64_t>(out_.size() - before));
  if (!out_.empty() || write_active_) {
    MaybeWrite();
  } else {
    // Input left over is a partial request: it needs more bytes.
    DoRead();
  }
}

void Connection::Continue() {
  if (closed_) return;
  if (!out_.empty() || write_active_) {
    MaybeWrite();
  } else if (in_begin_ != in_end_ && !reading_ && session_->ready() &&
             !stopping_ && !session_->closing()) {
    Process();  // input left by the output limit, or by a blocked session
  } else {
    DoRead();
  }
}

void Connection::MaybeWrite() {
  if (!closed_ && !closing() && !write_active_ && !out_.empty()) DoWrite();
}

void Connection::DoWrite() {
  writing_.swap(out_);
  out_.clear();
  write_active_ = true;
  write_timer_.expires_after(limits_.write_timeout);
  write_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    // Re-armed by every write: one that fires finds its write still
    // outstanding (a client that stopped reading).
    if (!ec && self->write_active_) self->Close();
  });
  asio::async_write(
      socket_, asio::buffer(writing_),
      [self = shared_from_this()](const error_code& ec, size_t) {
        self->write_active_ = false;
        self->Account(-static_cast<int64_t>(self->writing_.size()));
        // Keep the capacity of small buffers for the next write; release
        // big ones.
        if (self->writing_.capacity() > (256u << 10)) {
          std::string().swap(self->writing_);
        }
        self->writing_.clear();
        if (ec) {
          self->Close();
          return;
        }
        if (self->stopping_ && self->out_.empty()) {
          self->Close();
          return;
        }
        self->Continue();
      });
}

void Connection::Shutdown() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    // A connection waiting for a request closes now; one writing closes when
    // the write completes.
    if (!self->write_active_) self->Close();
  });
}

void Connection::Reject(std::string text) {
  out_ = std::move(text);
  stopping_ = true;
  DoWrite();
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  {
    MutexLock l(&push_mu_);
    closing_.store(true, std::memory_order_release);
    std::string().swap(inbox_);
  }
  error_code ec;
  idle_timer_.cancel();
  write_timer_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  owned_bytes_.fetch_sub(out_.size(), std::memory_order_relaxed);
  std::string().swap(out_);  // writing_ stays until its aborted write ends
  if (session_) session_->OnClose();
  if (on_close_) on_close_(info_.id);
}

// --- PushBatch ---------------------------------------------------------------

bool PushBatch::Add(Connection* c, std::string_view bytes) {
  bool post = false;
  {
    MutexLock l(&c->push_mu_);
    if (!c->PushLocked(bytes, &post)) return false;
  }
  if (!post) return true;  // a drain is already on its way
  auto self = c->weak_from_this().lock();
  if (!self) return false;
  auto ex = c->executor();
  for (Group& g : groups_) {
    if (g.executor == ex) {
      g.conns.push_back(std::move(self));
      return true;
    }
  }
  groups_.push_back({ex, {std::move(self)}});
  return true;
}

void PushBatch::Flush() {
  for (Group& g : groups_) {
    asio::post(g.executor, [conns = std::move(g.conns)] {
      for (const auto& c : conns) c->Drain();
    });
  }
  groups_.clear();
}

}  // namespace shale::server
