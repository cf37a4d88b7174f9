// IoPool: N Asio io_contexts, each run by one thread.
//
// A connection lives on one context for its whole life, so its handlers never
// run concurrently and need no strand; connections are spread round-robin.
#ifndef SHALE_SERVER_NET_IO_POOL_H_
#define SHALE_SERVER_NET_IO_POOL_H_

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace shale::server {

class IoPool {
 public:
  explicit IoPool(int threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  // Starts one thread per context.
  void Start();
  // Stops every context (running handlers finish) and joins the threads.
  void Stop();

  // The next context, round-robin.
  boost::asio::io_context& Next();
  boost::asio::io_context& At(size_t i) { return *contexts_[i]; }
  size_t size() const { return contexts_.size(); }

 private:
  using Guard =
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

}  // namespace shale::server

#endif  // SHALE_SERVER_NET_IO_POOL_H_
