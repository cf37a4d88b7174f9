#include "server/net/listener.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

namespace shale::server {
namespace asio = boost::asio;
using boost::system::error_code;

Listener::Listener(std::string name, IoPool* pool, Registry* registry,
                   ConnectionLimits limits, SessionFactory factory,
                   std::string reject_text)
    : name_(std::move(name)),
      pool_(pool),
      registry_(registry),
      limits_(limits),
      factory_(std::move(factory)),
      reject_text_(std::move(reject_text)) {}

bool Listener::Open(const std::string& address, int port, std::string* error) {
  error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) {
    *error = "bad bind address '" + address + "': " + ec.message();
    return false;
  }
  asio::ip::tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(pool_->At(0));
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = name_ + ": cannot listen on " + address + ":" +
             std::to_string(port) + ": " + ec.message();
    return false;
  }
  port_ = acceptor_->local_endpoint().port();
  return true;
}

void Listener::Start() { Accept(); }

void Listener::Stop() {
  asio::post(acceptor_->get_executor(), [this] {
    error_code ec;
    acceptor_->close(ec);
  });
}

void Listener::Accept() {
  asio::io_context& ctx = pool_->Next();
  acceptor_->async_accept(
      ctx, [this, &ctx](const error_code& ec, asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_->is_open())
          return;
        if (!ec) {
          auto conn = std::make_shared<Connection>(
              std::move(socket), limits_,
              [r = registry_](uint64_t id) { r->Remove(id); });
          // The connection starts on its own thread.
          asio::post(ctx, [this, conn] {
            if (!registry_->Add(conn)) {
              spdlog::warn("{}: refusing {}: max number of clients reached",
                           name_, conn->info().peer);
              conn->set_session(nullptr);
              conn->Reject(reject_text_);
              return;
            }
            conn->set_session(factory_(conn->info()));
            conn->Start();
          });
        } else {
          spdlog::warn("{}: accept: {}", name_, ec.message());
        }
        Accept();
      });
}

}  // namespace shale::server
