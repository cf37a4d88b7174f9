#include "server/http/http_stats.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "server/info.h"

namespace shale::server {
namespace {

using json = nlohmann::json;

bool ParseUint(std::string_view s, uint64_t* v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

HttpResponse StatsJson(ServerState* s) {
  json out;
  for (const InfoSection& sec : CollectInfo(s, false)) {
    json fields = json::object();
    for (auto& [k, v] : sec.fields) {
      uint64_t n;
      if (ParseUint(v, &n)) {
        fields[k] = n;
      } else {
        fields[k] = v;
      }
    }
    out[sec.name] = std::move(fields);
  }
  out["http"]["requests"] = s->http_requests.load();
  out["http"]["errors"] = s->http_errors.load();
  out["engine_stats"] = EngineStats(s);
  std::map<std::string, double> engine;
  s->ks->db()->GetStatsMap(&engine);
  out["engine"] = engine;
  return HttpResponse::Json(
      200, out.dump(-1, ' ', false, json::error_handler_t::replace));
}

HttpResponse PrometheusMetrics(ServerState* s) {
  std::string m;
  auto metric = [&m](const std::string& name, const char* type,
                     const char* help, const std::string& value,
                     const std::string& labels = "") {
    m += "# HELP " + name + " " + help + "\n";
    m += "# TYPE " + name + " " + type + "\n";
    m += name + labels + " " + value + "\n";
  };
  auto str = [](uint64_t v) { return std::to_string(v); };
  metric("shale_uptime_seconds", "gauge", "Seconds since the server started.",
         str((Keyspace::NowMs() - s->start_ms) / 1000));
  metric("shale_connected_clients", "gauge", "Open connections.",
         str(s->registry->size()));
  metric("shale_connections_received_total", "counter", "Connections accepted.",
         str(s->registry->total_accepted()));
  metric("shale_resp_commands_total", "counter", "RESP commands processed.",
         str(s->total_commands.load()));
  metric("shale_keyspace_hits_total", "counter", "Reads that found a key.",
         str(s->ks->hits.load()));
  metric("shale_keyspace_misses_total", "counter", "Reads that found no key.",
         str(s->ks->misses.load()));
  metric("shale_keyspace_writes_total", "counter", "Keys written or deleted.",
         str(s->ks->writes.load()));
  metric("shale_memcache_get_total", "counter", "memcached key lookups.",
         str(s->mc_cmd_get.load()));
  metric("shale_http_requests_total", "counter", "HTTP requests.",
         str(s->http_requests.load()));
  metric("shale_resident_memory_bytes", "gauge", "Resident set size.",
         str(ResidentBytes()));
  for (auto [prop, name, help] :
       {std::tuple{"shale.mem-bytes", "shale_memtable_bytes",
                   "Bytes held by memtables."},
        std::tuple{"shale.total-sst-bytes", "shale_sst_bytes",
                   "Bytes of live table files."},
        std::tuple{"shale.live-wal-bytes", "shale_wal_bytes",
                   "Bytes of WAL files still needed."},
        std::tuple{"shale.last-sequence", "shale_last_sequence",
                   "Sequence number of the newest write."}}) {
    std::string v;
    if (s->ks->db()->GetProperty(prop, &v)) metric(name, "gauge", help, v);
  }
  m += "# HELP shale_level_files Table files per LSM level.\n";
  m += "# TYPE shale_level_files gauge\n";
  for (int level = 0; level < 16; level++) {
    std::string v;
    if (!s->ks->db()->GetProperty(
            "shale.num-files-at-level" + std::to_string(level), &v)) {
      break;
    }
    m += "shale_level_files{level=\"" + std::to_string(level) + "\"} " + v +
         "\n";
  }
  std::map<std::string, double> engine;
  s->ks->db()->GetStatsMap(&engine);
  m += "# HELP shale_engine Engine statistics (DB::GetStatsMap), by name.\n";
  m += "# TYPE shale_engine gauge\n";
  for (auto& [k, v] : engine) {
    std::string name;
    for (char c : k)
      name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    m += "shale_engine{stat=\"" + name + "\"} " + buf + "\n";
  }
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = std::move(m);
  return r;
}

}  // namespace shale::server
