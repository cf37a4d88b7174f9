// The server's request parsers: RESP multibulk and the memcached text
// protocol, over a buffer of pipelined SET and GET requests (100-byte
// values), fed whole or in 4 KiB reads as a socket would deliver them.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>

#include "server/protocol/memcache/mc_parser.h"
#include "server/protocol/resp/resp_parser.h"

namespace {

constexpr int kRequests = 1000;

std::string RespRequests() {
  std::string out, value(100, 'v');
  char key[32];
  for (int i = 0; i < kRequests; i++) {
    std::snprintf(key, sizeof(key), "key:%012d", i);
    if (i % 2 == 0) {
      out += "*3\r\n$3\r\nSET\r\n$16\r\n" + std::string(key) + "\r\n$100\r\n" +
             value + "\r\n";
    } else {
      out += "*2\r\n$3\r\nGET\r\n$16\r\n" + std::string(key) + "\r\n";
    }
  }
  return out;
}

std::string McRequests() {
  std::string out, value(100, 'v');
  char key[32];
  for (int i = 0; i < kRequests; i++) {
    std::snprintf(key, sizeof(key), "key:%012d", i);
    if (i % 2 == 0) {
      out += "set " + std::string(key) + " 0 0 100\r\n" + value + "\r\n";
    } else {
      out += "get " + std::string(key) + "\r\n";
    }
  }
  return out;
}

// Feeds buf in chunks of `chunk` bytes; returns the requests parsed.
template <typename Parser>
int ParseAll(Parser& parser, const std::string& buf, size_t chunk) {
  int requests = 0;
  size_t pos = 0;
  while (pos < buf.size()) {
    std::string_view window(buf.data() + pos,
                            std::min(chunk, buf.size() - pos));
    size_t consumed = 0;
    auto r = parser.Parse(window, &consumed);
    pos += consumed;
    if (r == Parser::Result::kRequest)
      requests++;
    else if (r == Parser::Result::kError)
      return -1;
    else if (consumed == 0)
      break;  // needs more than the window holds
  }
  return requests;
}

void BM_RespParse(benchmark::State& state) {
  const std::string buf = RespRequests();
  const size_t chunk = static_cast<size_t>(state.range(0));
  int64_t requests = 0;
  for (auto _ : state) {
    shale::server::RespParser parser;
    int n = ParseAll(parser, buf, chunk);
    if (n != kRequests) {
      state.SkipWithError("RESP parse failed");
      break;
    }
    requests += n;
  }
  state.SetItemsProcessed(requests);
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_RespParse)->Arg(4096)->Arg(1 << 20);

void BM_MemcacheParse(benchmark::State& state) {
  const std::string buf = McRequests();
  const size_t chunk = static_cast<size_t>(state.range(0));
  int64_t requests = 0;
  for (auto _ : state) {
    shale::server::McParser parser(1 << 20, 64 << 10);
    int n = ParseAll(parser, buf, chunk);
    if (n != kRequests) {
      state.SkipWithError("memcached parse failed");
      break;
    }
    requests += n;
  }
  state.SetItemsProcessed(requests);
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_MemcacheParse)->Arg(4096)->Arg(1 << 20);

}  // namespace
