#include "report.h"

#include <cmath>
#include <fstream>
#include <sstream>

namespace shale_bench {

namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string Mega(int64_t bytes) {
  if (bytes < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", static_cast<double>(bytes) / 1048576);
  return buf;
}

std::string Fixed(double v, int decimals) {
  if (v < 0 || !std::isfinite(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

const Row* Find(const std::vector<Row>& rows, const std::string& engine,
                const std::string& benchmark) {
  for (const Row& r : rows) {
    if (r.engine == engine && r.benchmark == benchmark) return &r;
  }
  return nullptr;
}

// The mean over rounds of amount / seconds (0 for a round without time).
template <typename Amount, typename Seconds>
double MeanRate(const std::vector<const BenchResult*>& rounds, Amount amount,
                Seconds seconds) {
  double sum = 0;
  for (const BenchResult* r : rounds) {
    const double s = seconds(*r);
    if (s > 0) sum += amount(*r) / s;
  }
  return rounds.empty() ? 0 : sum / rounds.size();
}

double Ops(const BenchResult& r) { return static_cast<double>(r.ops); }
double TimedSeconds(const BenchResult& r) { return r.seconds; }

}  // namespace

double Row::OpsPerSec() const { return MeanRate(rounds, Ops, TimedSeconds); }

double Row::SustainedOpsPerSec() const {
  return MeanRate(rounds, Ops, [](const BenchResult& r) {
    return r.seconds + r.background_seconds;
  });
}

double Row::MBPerSec() const {
  return MeanRate(
      rounds,
      [](const BenchResult& r) {
        return (r.user_bytes_written + r.user_bytes_read) / 1048576.0;
      },
      TimedSeconds);
}

int64_t Row::Sum(int64_t BenchResult::*field) const {
  int64_t s = 0;
  for (const BenchResult* r : rounds) {
    if (r->*field < 0) return -1;
    s += r->*field;
  }
  return s;
}

int64_t Row::Last(int64_t BenchResult::*field) const {
  return rounds.empty() ? -1 : rounds.back()->*field;
}

int64_t Row::Max(int64_t BenchResult::*field) const {
  int64_t m = -1;
  for (const BenchResult* r : rounds) m = std::max(m, r->*field);
  return m;
}

double Row::Seconds() const {
  double s = 0;
  for (const BenchResult* r : rounds) s += r->seconds;
  return s;
}

double Row::WriteAmp() const {
  int64_t user = Sum(&BenchResult::user_bytes_written);
  int64_t disk = Sum(&BenchResult::disk_write_bytes);
  return user > 0 && disk >= 0 ? double(disk) / double(user) : -1;
}

double Row::EngineWriteAmp() const {
  int64_t user = Sum(&BenchResult::user_bytes_written);
  int64_t eng = Sum(&BenchResult::engine_write_bytes);
  return user > 0 && eng >= 0 ? double(eng) / double(user) : -1;
}

std::vector<Row> Aggregate(const std::vector<BenchResult>& results,
                           const Flags& flags) {
  std::vector<Row> rows;
  for (const std::string& b : flags.benchmark_labels) {
    for (const std::string& e : flags.engines) {
      Row row;
      row.engine = e;
      row.benchmark = b;
      for (const BenchResult& r : results) {
        if (r.engine == e && r.benchmark == b) {
          row.rounds.push_back(&r);
          row.hist.Merge(r.hist);
        }
      }
      if (!row.rounds.empty()) rows.push_back(std::move(row));
    }
  }
  return rows;
}

void PrintTable(std::FILE* out, const std::vector<Row>& rows,
                const Flags& flags,
                const std::map<std::string, EngineInfo>& engines) {
  std::fprintf(out, "\n%-16s %-12s %11s %8s %8s %8s %9s %6s %8s %8s %7s %8s\n",
               "benchmark", "engine", "ops/s", "MB/s", "p50us", "p99us",
               "p99.9us", "w-amp", "wrMB", "diskMB", "rssMB", "shale/x");
  std::string last;
  for (const Row& r : rows) {
    const Row* shale = Find(rows, "shale", r.benchmark);
    std::string ratio = "-";
    if (shale && &r != shale && r.OpsPerSec() > 0) {
      ratio = Fixed(shale->OpsPerSec() / r.OpsPerSec(), 2) + "x";
    }
    std::fprintf(
        out, "%-16s %-12s %11.0f %8.1f %8.2f %8.2f %9.2f %6s %8s %8s %7s %8s\n",
        r.benchmark == last ? "" : r.benchmark.c_str(), r.engine.c_str(),
        r.OpsPerSec(), r.MBPerSec(), r.hist.Percentile(0.50) / 1000,
        r.hist.Percentile(0.99) / 1000, r.hist.Percentile(0.999) / 1000,
        Fixed(r.WriteAmp(), 2).c_str(),
        Mega(r.Sum(&BenchResult::disk_write_bytes)).c_str(),
        Mega(r.Last(&BenchResult::disk_bytes)).c_str(),
        Mega(r.Max(&BenchResult::peak_rss)).c_str(), ratio.c_str());
    last = r.benchmark;
  }
  std::fprintf(out,
               "\nops/s: mean of %d round(s); latency: merged histogram; "
               "w-amp: disk writes (/proc/self/io) / user bytes written;\n"
               "wrMB: disk writes; diskMB: DB size at the end; "
               "shale/x: shale's ops/s over this engine's.\n",
               flags.rounds);
  for (const auto& [name, info] : engines) {
    for (const std::string& ig : info.ignored) {
      std::fprintf(out, "NOTE %s ignores %s\n", name.c_str(), ig.c_str());
    }
  }
}

bool WriteJson(const std::string& path, const std::vector<Row>& rows,
               const Flags& flags,
               const std::map<std::string, EngineInfo>& engines,
               std::string* error) {
  std::ostringstream o;
  o << "[\n";
  for (size_t i = 0; i < rows.size(); i++) {
    const Row& r = rows[i];
    const EngineInfo* info = nullptr;
    if (auto it = engines.find(r.engine); it != engines.end())
      info = &it->second;
    const Row* shale = Find(rows, "shale", r.benchmark);
    double ratio =
        shale && r.OpsPerSec() > 0 ? shale->OpsPerSec() / r.OpsPerSec() : NAN;
    std::string per_round, ignored, errors;
    int64_t verify = 0;
    for (const BenchResult* b : r.rounds) {
      per_round += (per_round.empty() ? "" : ", ") +
                   JsonNumber(b->seconds > 0 ? b->ops / b->seconds : 0);
      verify += b->verify_failures;
      if (!b->error.empty()) errors += (errors.empty() ? "" : "; ") + b->error;
    }
    if (info) {
      for (const std::string& s : info->ignored)
        ignored += (ignored.empty() ? "" : ", ") + JsonString(s);
    }
    auto field = [&](const char* name, const std::string& value) {
      o << "    " << JsonString(name) << ": " << value;
    };
    o << "  {\n";
    field("engine", JsonString(r.engine));
    o << ",\n";
    field("benchmark", JsonString(r.benchmark));
    o << ",\n";
    field("label", JsonString(flags.label));
    o << ",\n";
    field("engine_version", JsonString(info ? info->version : ""));
    o << ",\n";
    field("baseline_build", JsonString(info ? info->baseline_build : ""));
    o << ",\n";
    field("num", std::to_string(flags.num));
    o << ",\n";
    field("key_size", std::to_string(flags.key_size));
    o << ",\n";
    field("value_size", std::to_string(flags.value_size));
    o << ",\n";
    field("threads", std::to_string(flags.threads));
    o << ",\n";
    field("rounds", std::to_string(r.rounds.size()));
    o << ",\n";
    field("ops", std::to_string(r.Sum(&BenchResult::ops)));
    o << ",\n";
    field("found", std::to_string(r.Sum(&BenchResult::found)));
    o << ",\n";
    field("seconds", JsonNumber(r.Seconds()));
    o << ",\n";
    field("ops_per_sec", JsonNumber(r.OpsPerSec()));
    o << ",\n";
    field("ops_per_sec_rounds", "[" + per_round + "]");
    o << ",\n";
    field("sustained_ops_per_sec", JsonNumber(r.SustainedOpsPerSec()));
    o << ",\n";
    field("mb_per_sec", JsonNumber(r.MBPerSec()));
    o << ",\n";
    field("p50_us", JsonNumber(r.hist.Percentile(0.50) / 1000));
    o << ",\n";
    field("p99_us", JsonNumber(r.hist.Percentile(0.99) / 1000));
    o << ",\n";
    field("p999_us", JsonNumber(r.hist.Percentile(0.999) / 1000));
    o << ",\n";
    field("mean_us", JsonNumber(r.hist.Mean() / 1000));
    o << ",\n";
    field("max_us", JsonNumber(r.hist.max() / 1000.0));
    o << ",\n";
    field("user_bytes_written",
          std::to_string(r.Sum(&BenchResult::user_bytes_written)));
    o << ",\n";
    field("user_bytes_read",
          std::to_string(r.Sum(&BenchResult::user_bytes_read)));
    o << ",\n";
    field("disk_write_bytes",
          std::to_string(r.Sum(&BenchResult::disk_write_bytes)));
    o << ",\n";
    field("disk_read_bytes",
          std::to_string(r.Sum(&BenchResult::disk_read_bytes)));
    o << ",\n";
    field("engine_write_bytes",
          std::to_string(r.Sum(&BenchResult::engine_write_bytes)));
    o << ",\n";
    field("engine_write_bytes_scope",
          JsonString(r.rounds.back()->engine_write_scope));
    o << ",\n";
    field("write_amp", r.WriteAmp() < 0 ? "null" : JsonNumber(r.WriteAmp()));
    o << ",\n";
    field("engine_write_amp",
          r.EngineWriteAmp() < 0 ? "null" : JsonNumber(r.EngineWriteAmp()));
    o << ",\n";
    field("disk_bytes", std::to_string(r.Last(&BenchResult::disk_bytes)));
    o << ",\n";
    field("peak_rss_bytes", std::to_string(r.Max(&BenchResult::peak_rss)));
    o << ",\n";
    field("writer_ops", std::to_string(r.Sum(&BenchResult::writer_ops)));
    o << ",\n";
    double settle = 0, background = 0;
    for (const BenchResult* b : r.rounds) {
      settle += b->settle_seconds;
      background += b->background_seconds;
    }
    field("settle_seconds", JsonNumber(settle));
    o << ",\n";
    field("background_seconds", JsonNumber(background));
    o << ",\n";
    field("shale_ratio", JsonNumber(ratio));
    o << ",\n";
    field("verify", flags.verify ? "true" : "false");
    o << ",\n";
    field("verify_failures", std::to_string(verify));
    o << ",\n";
    field("error", JsonString(errors));
    o << ",\n";
    field("ignored_options", "[" + ignored + "]");
    o << ",\n";
    std::ostringstream cfg;
    cfg << "{\"write_buffer_size\": " << flags.engine.write_buffer_size
        << ", \"cache_size\": " << flags.engine.cache_size
        << ", \"bloom_bits\": " << flags.engine.bloom_bits
        << ", \"compression\": " << JsonString(flags.engine.compression)
        << ", \"sync\": " << (flags.engine.sync ? "true" : "false")
        << ", \"value_separation\": "
        << (flags.engine.value_separation ? "true" : "false")
        << ", \"min_blob_size\": " << flags.engine.min_blob_size
        << ", \"seek_nexts\": " << flags.seek_nexts
        << ", \"seed\": " << flags.seed << "}";
    field("config", cfg.str());
    o << "\n";
    o << "  }" << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  o << "]\n";
  std::ofstream f(path);
  f << o.str();
  f.close();
  if (!f) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace shale_bench
