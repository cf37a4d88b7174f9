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
}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, ConnectionLimits limits,
                       OnClose on_close)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
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

Connection::~Connection() = default;

void Connection::Start() { DoRead(); }

void Connection::ArmTimer(std::chrono::seconds timeout) {
  if (timeout.count() == 0) {
    timer_.cancel();
    return;
  }
  timer_.expires_after(timeout);
  timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    // A timer re-armed or cancelled completes with operation_aborted.
    if (!ec) self->Close();
  });
}

void Connection::DoRead() {
  if (closed_) return;
  if (stopping_ || session_->closing()) {
    Close();
    return;
  }
  ArmTimer(limits_.idle_timeout);
  ReserveInput();
  socket_.async_read_some(
      asio::buffer(in_.get() + in_end_, in_cap_ - in_end_),
      [self = shared_from_this()](const error_code& ec, size_t n) {
        self->in_end_ += n;
        if (ec) {
          self->Close();
          return;
        }
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
  if (closed_) return;
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
  if (!out_.empty()) {
    DoWrite();
  } else if (session_->closing()) {
    Close();
  } else {
    DoRead();
  }
}

void Connection::DoWrite() {
  writing_.swap(out_);
  out_.clear();
  ArmTimer(limits_.write_timeout);
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](const error_code& ec, size_t) {
                      if (ec) {
                        self->Close();
                        return;
                      }
                      // Keep the capacity of small buffers for the next write;
                      // release big ones.
                      if (self->writing_.capacity() > (256u << 10)) {
                        std::string().swap(self->writing_);
                      }
                      self->writing_.clear();
                      if (self->stopping_ || self->session_->closing()) {
                        self->Close();
                      } else if (self->in_begin_ != self->in_end_) {
                        self->Process();  // input left by the output limit
                      } else {
                        self->DoRead();
                      }
                    });
}

void Connection::Shutdown() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    // A connection waiting for a request closes now; one writing closes when
    // the write completes.
    if (self->writing_.empty()) self->Close();
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
  error_code ec;
  timer_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  if (on_close_) on_close_(info_.id);
}

}  // namespace shale::server
