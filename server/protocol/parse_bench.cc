// server_parse_bench: throughput of the RESP and memcached parsers over
// in-memory pipelines (no sockets, no engine).
//   build/server_parse_bench [requests]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/protocol/memcache/mc_parser.h"
#include "server/protocol/resp/resp_parser.h"

namespace {

template <typename Fn>
void Report(const char* name, size_t n, size_t bytes, Fn fn) {
  auto t0 = std::chrono::steady_clock::now();
  size_t got = fn();
  double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  if (got != n) {
    std::fprintf(stderr, "%s: parsed %zu of %zu\n", name, got, n);
    std::exit(1);
  }
  std::printf("%-28s %10.0f req/s %8.1f MB/s\n", name, n / s, bytes / s / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shale::server;
  size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
  std::string set, get, mc;
  for (size_t i = 0; i < n; i++) {
    std::string k = "key:" + std::to_string(i % 100000);
    set += "*3\r\n$3\r\nSET\r\n$" + std::to_string(k.size()) + "\r\n" + k +
           "\r\n$64\r\n" + std::string(64, 'v') + "\r\n";
    get +=
        "*2\r\n$3\r\nGET\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n";
    mc += "set " + k + " 0 0 64\r\n" + std::string(64, 'v') + "\r\n";
  }
  auto resp = [n](const std::string& in) {
    return [&in, n] {
      RespParser p;
      size_t pos = 0, count = 0, used;
      while (p.Parse(std::string_view(in).substr(pos), &used) ==
             RespParser::Result::kRequest) {
        pos += used;
        count++;
      }
      (void)n;
      return count;
    };
  };
  Report("resp SET key 64B", n, set.size(), resp(set));
  Report("resp GET key", n, get.size(), resp(get));
  Report("memcache set key 64B", n, mc.size(), [&] {
    McParser p(1 << 20, 1 << 16);
    size_t pos = 0, count = 0, used;
    while (p.Parse(std::string_view(mc).substr(pos), &used) ==
           McParser::Result::kRequest) {
      pos += used;
      count++;
    }
    return count;
  });
  return 0;
}
