// shale-server: shale over the Redis protocol, the memcached protocol and
// HTTP. See docs/server.md.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>

#include "server/config.h"
#include "server/server.h"

int main(int argc, char** argv) {
  using namespace shale::server;
  Config config;
  std::string error;
  int exit_code = 1;
  if (!LoadConfig(argc, argv, &config, &error, &exit_code)) {
    std::fprintf(exit_code == 0 ? stdout : stderr, "%s\n", error.c_str());
    return exit_code;
  }

  try {
    std::shared_ptr<spdlog::logger> logger;
    if (config.log_file.empty()) {
      logger = spdlog::stderr_color_mt("shale");
    } else {
      logger = spdlog::basic_logger_mt("shale", config.log_file);
    }
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex& e) {
    std::fprintf(stderr, "cannot open log %s: %s\n", config.log_file.c_str(),
                 e.what());
    return 1;
  }
  auto level = spdlog::level::from_str(config.log_level);
  if (level == spdlog::level::off && config.log_level != "off") {
    std::fprintf(stderr, "unknown --log-level %s\n", config.log_level.c_str());
    return 1;
  }
  spdlog::set_level(level);
  spdlog::flush_on(spdlog::level::info);

  // Signals are taken synchronously by the main thread (sigwait); every
  // thread started from here on inherits the blocked mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Server server(config);
  if (!server.Start(&error)) {
    spdlog::error("{}", error);
    return 1;
  }
  server.WaitForSignal();
  server.Stop();
  return 0;
}
