// GET /v1/stats (JSON) and GET /metrics (Prometheus text format 0.0.4).
#ifndef SHALE_SERVER_HTTP_HTTP_STATS_H_
#define SHALE_SERVER_HTTP_HTTP_STATS_H_

#include "server/http/http_response.h"
#include "server/server_state.h"

namespace shale::server {

HttpResponse StatsJson(ServerState* s);
HttpResponse PrometheusMetrics(ServerState* s);

}  // namespace shale::server

#endif  // SHALE_SERVER_HTTP_HTTP_STATS_H_
