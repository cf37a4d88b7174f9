// Connection over a real loopback socket: output pushed from other threads,
// output buffer limits, wakeups of a waiting session, kills and timeouts.
#include "server/net/connection.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <thread>

namespace shale::server {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

// Answers each line: "ping" -> "pong\n", "block" -> nothing, and the session
// waits until woken; "big N" -> N bytes of 'x'.
class LineSession : public Session {
 public:
  size_t OnData(std::string_view in, std::string* out,
                size_t output_limit) override {
    size_t used = 0;
    while (ready_ && out->size() < output_limit) {
      size_t nl = in.find('\n', used);
      if (nl == std::string_view::npos) break;
      std::string_view line = in.substr(used, nl - used);
      used = nl + 1;
      if (line == "ping") {
        out->append("pong\n");
      } else if (line == "block") {
        ready_ = false;
      } else if (line.starts_with("big ")) {
        out->append(std::stoul(std::string(line.substr(4))), 'x');
      }
    }
    return used;
  }
  bool closing() const override { return false; }
  bool ready() const override { return ready_; }
  bool idle_exempt() const override { return exempt_; }
  void OnClose() override { closed_calls_++; }

  std::atomic<bool> ready_{true};
  std::atomic<bool> exempt_{false};
  std::atomic<int> closed_calls_{0};
};

class ConnectionTest : public testing::Test {
 protected:
  void SetUp() override {
    limits_.output_buffer_limits = &live_;
    limits_.output_limit_disconnections = &disconnections_;
  }

  // Sets client-output-buffer-limit as CONFIG SET would.
  void SetOutputLimit(const char* value) {
    std::string err;
    ASSERT_TRUE(live_.Init("client-output-buffer-limit", value, &err)) << err;
  }

  void TearDown() override {
    if (client_) client_->close();
    if (conn_) conn_->Kill();
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

  // Connects a client; the server side has small socket buffers (so unread
  // output piles up in the connection, not the kernel) unless big_buffers.
  void Open(bool small_buffers = true) {
    asio::ip::tcp::acceptor acceptor(
        io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client_ = std::make_unique<asio::ip::tcp::socket>(client_io_);
    if (small_buffers) {
      client_->open(asio::ip::tcp::v4());
      client_->set_option(asio::socket_base::receive_buffer_size(4096));
    }
    client_->connect(acceptor.local_endpoint());
    asio::ip::tcp::socket s(io_);
    acceptor.accept(s);
    if (small_buffers) s.set_option(asio::socket_base::send_buffer_size(4096));
    auto session = std::make_unique<LineSession>();
    session_ = session.get();
    conn_ = std::make_shared<Connection>(std::move(s), limits_,
                                         [this](uint64_t) { closed_ = true; });
    conn_->set_session(std::move(session));
    asio::post(io_, [c = conn_] { c->Start(); });
    work_ = std::make_unique<Guard>(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }

  void Send(std::string_view s) { asio::write(*client_, asio::buffer(s)); }

  // Reads exactly n bytes (fails the test on EOF or after 10 s).
  std::string Read(size_t n) {
    std::string got(n, '\0');
    auto fut = std::async(std::launch::async, [&] {
      boost::system::error_code ec;
      size_t r = asio::read(*client_, asio::buffer(got), ec);
      got.resize(r);
    });
    EXPECT_EQ(fut.wait_for(10s), std::future_status::ready);
    return got;
  }

  // True if the server closed the connection within the deadline (bytes
  // before the end are discarded).
  bool ClosedWithin(std::chrono::milliseconds d) {
    auto fut = std::async(std::launch::async, [&] {
      char buf[65536];
      boost::system::error_code ec;
      while (!ec) client_->read_some(asio::buffer(buf), ec);
    });
    if (fut.wait_for(d) == std::future_status::ready) return true;
    client_->shutdown(asio::socket_base::shutdown_both);  // ends the reader
    return false;
  }

  // Polls cond until it holds or 10 s pass.
  template <typename F>
  bool Eventually(F cond) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (cond()) return true;
      std::this_thread::sleep_for(2ms);
    }
    return cond();
  }

  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  asio::io_context io_{1}, client_io_;
  std::unique_ptr<Guard> work_;
  std::thread thread_;
  LiveConfig live_;
  StatCounter disconnections_;
  ConnectionLimits limits_;
  std::unique_ptr<asio::ip::tcp::socket> client_;
  std::shared_ptr<Connection> conn_;
  LineSession* session_ = nullptr;
  std::atomic<bool> closed_{false};
};

TEST_F(ConnectionTest, PushFromAnotherThreadIsWritten) {
  Open();
  Send("ping\n");
  EXPECT_EQ(Read(5), "pong\n");
  // The connection waits in a read; the push is written anyway.
  ASSERT_TRUE(conn_->Push("hello\n"));
  EXPECT_EQ(Read(6), "hello\n");
  Send("ping\n");
  EXPECT_EQ(Read(5), "pong\n");
}

TEST_F(ConnectionTest, PushesKeepTheirOrderPerThread) {
  Open(false);
  constexpr int kPerThread = 2000;
  auto pusher = [&](char tag) {
    for (int i = 0; i < kPerThread; i++) {
      ASSERT_TRUE(conn_->Push(std::string(1, tag) + std::to_string(i) + "\n"));
    }
  };
  std::thread a(pusher, 'a'), b(pusher, 'b');
  a.join();
  b.join();
  size_t total = 0;
  for (int i = 0; i < kPerThread; i++) {
    total += 2 * (2 + std::to_string(i).size());
  }
  std::string got = Read(total);
  int next_a = 0, next_b = 0;
  size_t pos = 0;
  while (pos < got.size()) {
    size_t nl = got.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    int n = std::stoi(got.substr(pos + 1, nl - pos - 1));
    if (got[pos] == 'a') {
      EXPECT_EQ(n, next_a++);
    } else {
      EXPECT_EQ(n, next_b++);
    }
    pos = nl + 1;
  }
  EXPECT_EQ(next_a, kPerThread);
  EXPECT_EQ(next_b, kPerThread);
}

TEST_F(ConnectionTest, BatchPostsOncePerThreadAndDelivers) {
  Open();
  PushBatch batch;
  for (int i = 0; i < 100; i++) ASSERT_TRUE(batch.Add(conn_.get(), "m"));
  batch.Flush();
  EXPECT_EQ(Read(100), std::string(100, 'm'));
}

TEST_F(ConnectionTest, HardLimitDisconnectsAReaderThatDoesNotRead) {
  SetOutputLimit("pubsub 262144 0 0");
  Open();
  conn_->set_client_class(ClientClass::kPubSub);
  std::string chunk(1024, 'p');
  int pushed = 0;
  while (pushed < 64 << 10 && conn_->Push(chunk)) {
    pushed++;
    // Never more than the limit held for it.
    ASSERT_LT(conn_->output_bytes(), (256u << 10) + kUncountedOutputBytes);
  }
  // 64 MiB would have been pushed without the limit.
  EXPECT_LT(pushed, 64 << 10);
  EXPECT_TRUE(Eventually([&] { return closed_.load(); }));
  EXPECT_EQ(disconnections_.load(), 1u);
  EXPECT_EQ(session_->closed_calls_.load(), 1);
  EXPECT_FALSE(conn_->Push("late"));
  EXPECT_TRUE(ClosedWithin(10s));
}

TEST_F(ConnectionTest, SoftLimitNeedsItsSeconds) {
  SetOutputLimit("pubsub 0 65536 1");
  Open();
  conn_->set_client_class(ClientClass::kPubSub);
  std::string chunk(1024, 's');
  // Over the soft limit, but not for a second yet: still connected.
  for (int i = 0; i < 200; i++) ASSERT_TRUE(conn_->Push(chunk));
  EXPECT_FALSE(closed_.load());
  auto start = std::chrono::steady_clock::now();
  while (conn_->Push(chunk)) {
    ASSERT_LT(std::chrono::steady_clock::now() - start, 10s);
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
  EXPECT_TRUE(Eventually([&] { return closed_.load(); }));
}

TEST_F(ConnectionTest, NormalClassHasNoLimitByDefault) {
  Open();
  std::string chunk(64 << 10, 'n');
  for (int i = 0; i < 64; i++) ASSERT_TRUE(conn_->Push(chunk));
  EXPECT_FALSE(closed_.load());
  EXPECT_EQ(Read(chunk.size() * 64), std::string(chunk.size() * 64, 'n'));
}

TEST_F(ConnectionTest, PostWakesAWaitingSession) {
  Open();
  Send("block\nping\n");
  ASSERT_TRUE(Eventually([&] { return !session_->ready_; }));
  // The session waits: no pong, though requests are there.
  Send("ping\n");
  std::promise<void> ran;
  conn_->Post([&](std::string* out) {
    EXPECT_FALSE(session_->ready_);
    out->append("woken\n");
    session_->ready_ = true;
    ran.set_value();
  });
  ran.get_future().wait();
  EXPECT_EQ(Read(16), "woken\npong\npong\n");
}

TEST_F(ConnectionTest, KillFromAnotherThreadCloses) {
  Open();
  Send("ping\n");
  EXPECT_EQ(Read(5), "pong\n");
  conn_->Kill();
  EXPECT_TRUE(ClosedWithin(10s));
  EXPECT_TRUE(Eventually([&] { return closed_.load(); }));
  EXPECT_FALSE(conn_->Push("x"));
}

TEST_F(ConnectionTest, IdleTimeoutClosesAnIdleConnection) {
  limits_.idle_timeout = 1s;
  Open();
  Send("ping\n");
  EXPECT_EQ(Read(5), "pong\n");
  EXPECT_TRUE(ClosedWithin(5s));
}

TEST_F(ConnectionTest, IdleTimeoutSkipsExemptSession) {
  limits_.idle_timeout = 1s;
  Open();
  asio::post(io_, [this] { session_->exempt_ = true; });
  Send("ping\n");
  EXPECT_EQ(Read(5), "pong\n");
  // Twice the idle timeout without a request: still open.
  EXPECT_FALSE(ClosedWithin(2500ms));
}

TEST_F(ConnectionTest, ReplyLargerThanTheOutputLimitStopsReading) {
  limits_.output_limit = 64 << 10;
  Open();
  // Many requests of big replies, never read: the connection holds at most
  // about one output_limit of them (the rest waits in the socket).
  std::string reqs;
  for (int i = 0; i < 200; i++) reqs += "big 65536\n";
  Send(reqs);
  EXPECT_TRUE(Eventually([&] { return conn_->output_bytes() > 0; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_LE(conn_->output_bytes(), 2u * (64 << 10));
  EXPECT_EQ(Read(200 * 65536).size(), 200u * 65536);
}

}  // namespace
}  // namespace shale::server
