#include "server/info.h"

#include <unistd.h>

#include <fstream>

#include "server/keyspace/expirer.h"
#include "server/scripting/lua_engine.h"

namespace shale::server {

uint64_t ResidentBytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(f >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string EngineStats(ServerState* s) {
  std::string v;
  if (!s->ks->db()->GetProperty("shale.stats", &v)) v.clear();
  return v;
}

std::vector<InfoSection> CollectInfo(ServerState* s, bool with_keyspace) {
  std::vector<InfoSection> out;
  uint64_t now = Keyspace::NowMs();
  uint64_t uptime = (now - s->start_ms) / 1000;
  auto str = [](auto v) { return std::to_string(v); };

  out.push_back(
      {"server",
       {{"redis_version", "7.0.0"},
        {"shale_version", "0.1.0"},
        {"redis_mode", "standalone"},
        {"os", "Linux"},
        {"process_id", str(getpid())},
        {"tcp_port", str(s->resp_port)},
        {"memcache_port", str(s->memcache_port)},
        {"http_port", str(s->http_port)},
        {"uptime_in_seconds", str(uptime)},
        {"uptime_in_days", str(uptime / 86400)},
        // shale has no dynamic-hz: the running hz is the
        // configured one (the expirer's, from CONFIG SET hz).
        {"hz", str(s->expirer == nullptr ? 10 : s->expirer->hz())},
        {"configured_hz", str(s->expirer == nullptr ? 10 : s->expirer->hz())},
        {"io_threads_active", str(s->config.threads)}}});
  out.push_back({"clients",
                 {{"connected_clients", str(s->registry->size())},
                  {"resp_clients", str(s->clients.size())},
                  {"maxclients", str(s->config.maxclients)},
                  {"blocked_clients",
                   str(s->blocking.size() +
                       static_cast<size_t>(s->paused_clients.load()))}}});
  std::string mem;
  s->ks->db()->GetProperty("shale.mem-bytes", &mem);
  std::shared_ptr<const FunctionSet> functions = s->functions.Current();
  size_t function_code = 0;
  for (const auto& [name, lib] : functions->libraries()) {
    function_code += lib->code.size();
  }
  uint64_t rss = ResidentBytes();
  out.push_back({"memory",
                 {{"used_memory", str(rss)},
                  {"used_memory_rss", str(rss)},
                  {"shale_memtable_bytes", mem.empty() ? "0" : mem},
                  // Every I/O thread's interpreter, as of its last script.
                  {"used_memory_lua", str(LuaEngine::TotalMemory())},
                  {"used_memory_vm_eval", str(LuaEngine::TotalMemory())},
                  {"used_memory_scripts_eval", str(s->scripts.bytes())},
                  {"number_of_cached_scripts", str(s->scripts.size())},
                  // The functions' Lua memory is in used_memory_lua (they
                  // share the scripts' interpreters).
                  {"number_of_functions", str(functions->function_count())},
                  {"used_memory_functions", str(function_code)},
                  {"maxmemory", "0"}}});
  std::string wal;
  s->ks->db()->GetProperty("shale.live-wal-bytes", &wal);
  out.push_back({"persistence",
                 {{"loading", "0"},
                  {"aof_enabled", "1"},
                  {"appendfsync", FsyncName(s->ks->fsync())},
                  {"rdb_changes_since_last_save", "0"},
                  {"shale_live_wal_bytes", wal.empty() ? "0" : wal}}});
  out.push_back(
      {"stats",
       {{"total_connections_received", str(s->registry->total_accepted())},
        {"rejected_connections", str(s->registry->total_rejected())},
        {"total_commands_processed", str(s->total_commands.load())},
        {"keyspace_hits", str(s->ks->hits.load())},
        {"keyspace_misses", str(s->ks->misses.load())},
        {"expired_keys", str(s->ks->expired_keys.load())},
        {"expire_cycle_cpu_milliseconds",
         str(s->expirer == nullptr ? 0 : s->expirer->cpu_us.load() / 1000)},
        {"evicted_keys", "0"},
        {"total_writes", str(s->ks->writes.load())},
        {"unexpected_error_replies", "0"},
        {"rejected_calls", str(s->rejected_calls.load())},
        {"pubsub_channels", str(s->pubsub.Count(PubSubKind::kChannel))},
        {"pubsub_patterns", str(s->pubsub.Count(PubSubKind::kPattern))},
        {"pubsubshard_channels", str(s->pubsub.Count(PubSubKind::kShard))},
        {"client_output_buffer_limit_disconnections",
         str(s->output_limit_disconnections.load())}}});
  InfoSection keyspace{"keyspace", {}};
  if (with_keyspace) {
    for (int db = 0; db < s->ks->databases(); db++) {
      uint64_t keys = 0, expires = 0, ttl_sum = 0;
      if (s->ks->CountKeys(db, &keys, &expires, &ttl_sum).ok() && keys > 0) {
        keyspace.fields.push_back(
            {"db" + str(db),
             "keys=" + str(keys) + ",expires=" + str(expires) +
                 ",avg_ttl=" + str(expires == 0 ? 0 : ttl_sum / expires)});
      }
    }
  }
  out.push_back(keyspace);
  InfoSection engine{"shale", {}};
  for (const char* p : {"shale.total-sst-bytes", "shale.live-wal-bytes",
                        "shale.mem-bytes", "shale.num-immutable-mem-table",
                        "shale.last-sequence", "shale.num-snapshots"}) {
    std::string v;
    if (s->ks->db()->GetProperty(p, &v)) {
      std::string name = std::string(p).substr(6);
      for (char& c : name) c = c == '-' ? '_' : c;
      engine.fields.push_back({name, v});
    }
  }
  for (int level = 0; level < 16; level++) {
    std::string v;
    if (!s->ks->db()->GetProperty(
            "shale.num-files-at-level" + std::to_string(level), &v)) {
      break;
    }
    engine.fields.push_back({"level" + str(level) + "_files", v});
  }
  out.push_back(engine);
  return out;
}

}  // namespace shale::server
