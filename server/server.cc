#include "server/server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "server/http/http_session.h"
#include "server/keyspace/data_dir.h"
#include "server/keyspace/kind_partitioner.h"
#include "server/memcache/mc_session.h"
#include "server/redis/resp_session.h"
#include "server/scripting/function_store.h"

namespace shale::server {

namespace {

// File descriptors kept free beside the clients', as Redis keeps them.
constexpr uint64_t kReservedFds = 32;

// Makes room in RLIMIT_NOFILE for maxclients connections, raising the soft
// limit if needed. Returns the number of clients the limit allows
// (maxclients if it fits).
uint64_t FitOpenFiles(uint64_t maxclients) {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return maxclients;
  uint64_t want = maxclients + kReservedFds;
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want) return maxclients;
  // Both limits to what is wanted (a privileged process may raise the hard
  // one, as Redis does), else the soft one up to the hard one.
  rlimit raised{want, std::max<rlim_t>(want, rl.rlim_max)};
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    raised.rlim_max = rl.rlim_max;
    raised.rlim_cur = rl.rlim_max == RLIM_INFINITY
                          ? want
                          : std::min<uint64_t>(want, rl.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) raised = rl;
  }
  rl = raised;
  if (rl.rlim_cur >= want) return maxclients;
  return rl.rlim_cur > kReservedFds ? rl.rlim_cur - kReservedFds : 1;
}

}  // namespace

Server::Server(Config config) : config_(std::move(config)) {}

Server::~Server() { Stop(); }

bool Server::OpenListener(const std::string& name, int port,
                          Listener::SessionFactory factory, std::string reject,
                          std::string* error) {
  ConnectionLimits limits;
  limits.output_limit = config_.client_output_limit;
  limits.idle_timeout = std::chrono::seconds(config_.timeout);
  limits.live_idle_timeout =
      state_->live.IntAddress(LiveConfig::Resolve("timeout"));
  limits.write_timeout = std::chrono::seconds(config_.write_timeout);
  limits.output_buffer_limits = &state_->live;
  limits.output_limit_disconnections = &state_->output_limit_disconnections;
  auto l =
      std::make_unique<Listener>(name, pool_.get(), registry_.get(), limits,
                                 std::move(factory), std::move(reject));
  if (!l->Open(config_.bind, port, error)) return false;
  listeners_.push_back(std::move(l));
  return true;
}

bool Server::Start(std::string* error) {
  std::error_code ec;
  Options options;
  options.create_if_missing = true;
  options.block_cache_capacity = config_.block_cache_bytes;
  options.compaction_thread_nice = config_.compaction_nice;
  // Drops what FLUSHDB, DEL and expiry orphan (keyspace/server_filter.h);
  // bound to the table below, it keeps everything until then.
  filter_ = std::make_shared<ServerCompactionFilter>();
  options.compaction_filter = filter_;
  // Table files end where the key kind changes (keyspace/kind_partitioner.h).
  options.table_partitioner = std::make_shared<KindPartitioner>();
  uint64_t kill_after = 0;
  if (const char* k = std::getenv("SHALE_TEST_MIGRATE_KILL_AFTER")) {
    kill_after = std::strtoull(k, nullptr, 10);
  }
  MigrationStats migration;
  Status s = OpenDataDir(config_.dir, options, &db_, &migration, kill_after);
  if (!s.ok()) {
    *error = "cannot open " + config_.dir + ": " + s.ToString();
    return false;
  }
  if (migration.migrated) {
    spdlog::info("migrated {} keys{} into database 0", migration.keys,
                 migration.resumed ? " (resumed)" : "");
  }
  s = Keyspace::Open(db_.get(), config_.fsync, config_.databases, &ks_);
  if (!s.ok()) {
    *error = "cannot open " + config_.dir + ": " + s.ToString();
    return false;
  }
  filter_->Bind(db_.get(), &ks_->table());
  // Runs under every policy (CONFIG SET appendfsync), syncing under everysec.
  syncer_ = std::make_unique<WalSyncer>(ks_.get(), std::chrono::seconds(1));
  pool_ = std::make_unique<IoPool>(config_.threads);
  uint64_t fit = FitOpenFiles(config_.maxclients);
  if (fit < static_cast<uint64_t>(config_.maxclients)) {
    spdlog::warn(
        "the open file limit allows {} clients, not maxclients {}: serving "
        "{} (raise `ulimit -n`)",
        fit, config_.maxclients, fit);
    config_.maxclients = static_cast<int>(fit);
  }
  registry_ = std::make_unique<Registry>(config_.maxclients);
  state_ = std::make_unique<ServerState>(config_, ks_.get(), registry_.get());
  {
    // As Redis, which refuses to start when its RDB holds a library that
    // does not load.
    auto functions = std::make_shared<FunctionSet>();
    s = LoadStoredFunctions(db_.get(), functions.get());
    if (!s.ok()) {
      *error = "cannot load the function libraries of " + config_.dir + ": " +
               s.ToString();
      Stop();
      return false;
    }
    if (!functions->libraries().empty()) {
      spdlog::info("loaded {} function libraries",
                   functions->libraries().size());
    }
    auto lock = state_->functions.LockChanges();
    state_->functions.Publish(std::move(functions));
  }
  // Commit hooks, in the order they run (keyspace/commit_hook.h).
  ks_->AddHook(&state_->watches);
  // Publishes through pub/sub once notify-keyspace-events names classes;
  // until then writers record no events.
  notifier_ = std::make_unique<KeyspaceNotifier>(ks_.get());
  ks_->AddHook(notifier_.get());
  state_->notifier = notifier_.get();
  notifier_->set_publisher([ps = &state_->pubsub](std::string_view channel,
                                                  std::string_view message) {
    ps->Publish(channel, message);
  });
  expirer_ = std::make_unique<ActiveExpirer>(ks_.get());
  state_->expirer = expirer_.get();
  ServerState* state = state_.get();
  if (!InitLiveConfig(config_, config_.port, &state_->live, error)) {
    Stop();
    return false;
  }
  WireConfig();

  if (config_.port != 0) {
    if (!OpenListener(
            "resp", config_.port,
            [state](const ConnectionInfo& info) {
              return std::make_unique<RespSession>(state, info);
            },
            "-ERR max number of clients reached\r\n", error)) {
      Stop();
      return false;
    }
    state_->resp_port = listeners_.back()->port();
  }
  if (config_.memcache_port != 0) {
    boost::system::error_code bec;
    auto addr = boost::asio::ip::make_address(config_.bind, bec);
    if (!bec && !addr.is_loopback() && !config_.memcache_allow_remote) {
      // The memcached text protocol has no authentication.
      spdlog::error(
          "memcache: refusing to listen on non-loopback address {}: the "
          "memcached protocol has no authentication (set "
          "memcache_allow_remote to allow it); the memcached front end is off",
          config_.bind);
    } else {
      if (!OpenListener(
              "memcache", config_.memcache_port,
              [state](const ConnectionInfo& info) {
                return std::make_unique<McSession>(state, info);
              },
              "SERVER_ERROR too many open connections\r\n", error)) {
        Stop();
        return false;
      }
      state_->memcache_port = listeners_.back()->port();
    }
  }
  if (config_.http_port != 0) {
    if (!OpenListener(
            "http", config_.http_port,
            [state](const ConnectionInfo& info) {
              return std::make_unique<HttpSession>(state, info);
            },
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: "
            "0\r\nConnection: close\r\n\r\n",
            error)) {
      Stop();
      return false;
    }
    state_->http_port = listeners_.back()->port();
  }
  std::string port_error;
  if (!state_->live.Init("port", std::to_string(state_->resp_port),
                         &port_error)) {
    spdlog::error("port {}: {}", state_->resp_port, port_error);
  }
  std::string ports;
  for (auto& l : listeners_) {
    spdlog::info("{} listening on {}:{}", l->name(), config_.bind, l->port());
    ports += l->name() + " " + std::to_string(l->port()) + "\n";
    l->Start();
  }
  if (!config_.port_file.empty()) {
    // Written whole, then renamed: a reader never sees a partial file.
    std::string tmp = config_.port_file + ".tmp";
    std::ofstream(tmp) << ports;
    std::filesystem::rename(tmp, config_.port_file, ec);
  }
  pool_->Start();
  expirer_->Start();
  spdlog::info("shale-server ready: data in {}, fsync {}, {} I/O threads",
               config_.dir, FsyncName(config_.fsync), config_.threads);
  return true;
}

void Server::WireConfig() {
  LiveConfig& live = state_->live;
  ServerState* state = state_.get();
  live.OnChange("requirepass", [state](const std::string& v, std::string*) {
    state->SetRequirePass(v);
    return true;
  });
  live.OnChange("maxclients", [this](const std::string& v, std::string* err) {
    uint64_t n = std::strtoull(v.c_str(), nullptr, 10);
    uint64_t fit = FitOpenFiles(n);
    if (fit < n) {
      *err =
          "The operating system is not able to handle the specified number "
          "of clients, try with " +
          std::to_string(fit);
      return false;
    }
    registry_->set_max_connections(n);
    return true;
  });
  live.OnChange("appendfsync", [this](const std::string& v, std::string*) {
    ks_->set_fsync(v == "always" ? FsyncPolicy::kAlways
                   : v == "no"   ? FsyncPolicy::kNo
                                 : FsyncPolicy::kEverySec);
    return true;
  });
  live.OnChange("loglevel", [](const std::string& v, std::string*) {
    spdlog::set_level(v == "debug" || v == "verbose" ? spdlog::level::debug
                      : v == "notice"                ? spdlog::level::info
                                                     : spdlog::level::warn);
    return true;
  });
  // shale has no TLS: turning it on fails as a TLS setup failure does.
  auto no_tls = [](const char* name) {
    return [name](const std::string& v, std::string* err) {
      if (v == "0" || v == "no") return true;
      spdlog::warn("CONFIG SET {} {}: shale-server has no TLS", name, v);
      *err = "Unable to update TLS configuration. Check server logs.";
      return false;
    };
  };
  for (const char* p : {"tls-port", "tls-replication", "tls-cluster"}) {
    live.OnChange(p, no_tls(p));
  }

  // Keyspace notifications and active expiry take their start values from
  // the config file (already in `live`) and follow CONFIG SET. LiveConfig's
  // integer form of notify-keyspace-events is Redis's NOTIFY_* bits, the
  // notifier's NotifyClass bits.
  KeyspaceNotifier* notifier = notifier_.get();
  auto notify = [notifier, &live](const std::string&, std::string*) {
    notifier->set_classes(live.notify_keyspace_events());
    return true;
  };
  notify("", nullptr);
  live.OnChange("notify-keyspace-events", notify);
  ActiveExpirer* expirer = expirer_.get();
  static const LiveConfig::Ref kHz = LiveConfig::Resolve("hz");
  static const LiveConfig::Ref kEffort =
      LiveConfig::Resolve("active-expire-effort");
  auto expiry = [expirer, &live](const std::string&, std::string*) {
    expirer->set_hz(static_cast<int>(live.Int(kHz)));
    expirer->set_effort(static_cast<int>(live.Int(kEffort)));
    return true;
  };
  expiry("", nullptr);
  live.OnChange("hz", expiry);
  live.OnChange("active-expire-effort", expiry);
}

void Server::WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("received {}, shutting down",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
}

void Server::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& l : listeners_) l->Stop();
  if (registry_ && !registry_->ShutdownAll(std::chrono::seconds(2))) {
    spdlog::warn("some connections did not close in time");
  }
  if (pool_) pool_->Stop();
  // It writes through the commit hooks, which use state_.
  expirer_.reset();
  listeners_.clear();
  // Destroying the io_contexts destroys the handlers still queued, and with
  // them the last connections and sessions, which use state_: before it.
  pool_.reset();
  syncer_.reset();
  if (db_) {
    Status s = ks_->Sync();
    if (!s.ok()) spdlog::error("final WAL sync failed: {}", s.ToString());
    s = db_->Flush();
    if (!s.ok()) spdlog::error("final flush failed: {}", s.ToString());
  }
  state_.reset();
  notifier_.reset();
  registry_.reset();
  pool_.reset();
  // The filter runs on the engine's threads until db_ closes: it must stop
  // reading the table before ks_ (which owns it) goes.
  if (filter_) filter_->Unbind();
  ks_.reset();
  db_.reset();
  spdlog::info("shale-server stopped");
}

}  // namespace shale::server
