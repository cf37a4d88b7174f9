// shale-bench: runs the same workloads against shale, RocksDB and LevelDB
// in one process and reports them side by side, with shale's ratio to each.
//
// The engines take turns (A B C, A B C, ... for --rounds), each on a fresh
// directory, so slow drift of a shared machine hits them alike. Within a
// turn the benchmarks of --benchmarks run in order on that engine's DB.
#include <cstdio>
#include <filesystem>
#include <map>

#include "engine.h"
#include "flags.h"
#include "proc_stats.h"
#include "report.h"
#include "runner.h"

namespace shale_bench {
namespace {

void Banner(const std::string& text) {
  std::string bar(78, '!');
  std::fprintf(stdout, "%s\n%s\n%s\n", bar.c_str(), text.c_str(), bar.c_str());
  std::fprintf(stderr, "%s\n%s\n%s\n", bar.c_str(), text.c_str(), bar.c_str());
}

void PrintProgress(const BenchResult& r) {
  double ops = r.seconds > 0 ? r.ops / r.seconds : 0;
  std::printf("  %-16s %-12s r%d %10.0f ops/s  p99 %8.2f us  %6.2f s",
              r.benchmark.c_str(), r.engine.c_str(), r.round, ops,
              r.hist.Percentile(0.99) / 1000, r.seconds);
  if (r.settle_seconds > 0.05)
    std::printf("  (+%.1f s settle, %.1f s of it background work)",
                r.settle_seconds, r.background_seconds);
  if (r.found != r.ops && r.ops > 0 && r.benchmark.find("read") == 0)
    std::printf("  found %lld/%lld", (long long)r.found, (long long)r.ops);
  if (r.verify_failures)
    std::printf("  VERIFY FAILURES %lld", (long long)r.verify_failures);
  if (!r.error.empty()) std::printf("  ERROR %s", r.error.c_str());
  std::printf("\n");
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  Flags flags;
  bool help = false;
  std::string error;
  if (!ParseFlags(argc, argv, &flags, &help, &error)) {
    std::fprintf(stderr, "shale-bench: %s\n", error.c_str());
    return 2;
  }
  if (help) {
    std::fputs(FlagsHelp().c_str(), stdout);
    return 0;
  }
  if (flags.list_engines) {
    std::vector<std::string> names = AvailableEngines();
    for (size_t i = 0; i < names.size(); i++)
      std::printf("%s%s", i ? "," : "", names[i].c_str());
    std::printf("\n");
    return 0;
  }
  for (const std::string& b : flags.benchmarks) {
    if (!IsKnownBenchmark(b)) {
      std::fprintf(stderr, "shale-bench: unknown benchmark '%s'\n", b.c_str());
      return 2;
    }
  }
  KeyFormat kf(flags.key_size);
  if (static_cast<uint64_t>(flags.num) + 2 * flags.reads > kf.MaxIndex()) {
    std::fprintf(stderr, "shale-bench: --key_size %d is too small for --num\n",
                 flags.key_size);
    return 2;
  }

  // Which of the requested engines this binary has.
  std::vector<std::string> available = AvailableEngines(), engines;
  for (const std::string& e : flags.engines) {
    if (std::find(available.begin(), available.end(), e) != available.end()) {
      engines.push_back(e);
    } else {
      std::printf("SKIP engine %s: not built into this shale-bench\n",
                  e.c_str());
    }
  }
  for (const std::string& m : MissingEngines())
    std::printf("NOTE %s\n", m.c_str());
  if (engines.empty()) {
    std::fprintf(stderr, "shale-bench: no engine to run\n");
    return 2;
  }
  flags.engines = engines;

  std::map<std::string, EngineInfo> info;
  for (const std::string& e : engines) {
    info[e].baseline_build = BaselineBuild(e);
    info[e].version = EngineVersion(e);
    if (info[e].baseline_build == "debian-asserts") {
      Banner(
          "WARNING: " + e + " " + info[e].version +
          " is Debian's build, compiled WITH ASSERTIONS; it runs slower than "
          "a release build.\nRatios against it flatter shale. Run `make "
          "bench` (scripts/build_baselines.sh) for release baselines.");
    }
  }

  std::printf("shale-bench: engines=");
  for (size_t i = 0; i < engines.size(); i++) {
    std::printf("%s%s(%s%s%s)", i ? "," : "", engines[i].c_str(),
                info[engines[i]].version.c_str(),
                info[engines[i]].version.empty() ? "" : " ",
                info[engines[i]].baseline_build.c_str());
  }
  std::printf(
      " num=%lld reads=%lld key=%d value=%d threads=%d rounds=%d "
      "seed=%llu%s\n",
      (long long)flags.num, (long long)flags.reads, flags.key_size,
      flags.value_size, flags.threads, flags.rounds,
      (unsigned long long)flags.seed, flags.verify ? " verify" : "");

  namespace fs = std::filesystem;
  std::vector<BenchResult> results;
  results.reserve(flags.rounds * engines.size() * flags.benchmarks.size());
  bool failed = false;
  for (int round = 1; round <= flags.rounds; round++) {
    for (const std::string& e : engines) {
      std::string dir = flags.db + "/" + e + "-r" + std::to_string(round);
      std::error_code ec;
      fs::remove_all(dir, ec);
      fs::create_directories(flags.db, ec);
      std::vector<std::string> ignored;
      std::unique_ptr<Engine> engine =
          OpenEngine(e, dir, flags.engine, &ignored, &error);
      if (!engine) {
        std::printf("ERROR opening %s in %s: %s\n", e.c_str(), dir.c_str(),
                    error.c_str());
        failed = true;
        continue;
      }
      info[e].ignored = ignored;
      Runner runner(flags, engine.get());
      for (size_t i = 0; i < flags.benchmarks.size(); i++) {
        const std::string& b = flags.benchmarks[i];
        if (NeedsData(b) && !runner.loaded()) {
          std::printf("  (loading %lld keys into %s, untimed)\n",
                      (long long)flags.num, e.c_str());
          BenchResult load = runner.Run("fillrandom", 1000);
          if (!load.error.empty()) {
            std::printf("ERROR loading %s: %s\n", e.c_str(),
                        load.error.c_str());
            failed = true;
            break;
          }
        }
        BenchResult r = runner.Run(b, static_cast<int>(i));
        r.benchmark = flags.benchmark_labels[i];
        r.engine = e;
        r.round = round;
        r.disk_bytes = DirBytes(dir);
        PrintProgress(r);
        if (!r.error.empty() || r.verify_failures) failed = true;
        results.push_back(std::move(r));
        if (!results.back().error.empty()) break;
      }
      if (flags.verbose) {
        std::printf("--- %s stats ---\n%s\n", e.c_str(),
                    engine->DebugStats().c_str());
      }
      engine.reset();
      if (!flags.keep_db) fs::remove_all(dir, ec);
    }
  }

  std::vector<Row> rows = Aggregate(results, flags);
  PrintTable(stdout, rows, flags, info);
  for (const auto& [e, i] : info) {
    if (i.baseline_build == "debian-asserts") {
      Banner("WARNING: " + e +
             " ran as Debian's assertion-enabled build "
             "(baseline_build: debian-asserts in the JSON).");
    }
  }
  if (!flags.json.empty()) {
    if (!WriteJson(flags.json, rows, flags, info, &error)) {
      std::fprintf(stderr, "shale-bench: %s\n", error.c_str());
      return 1;
    }
    std::printf("wrote %s\n", flags.json.c_str());
  }
  if (failed) {
    std::printf(
        "shale-bench: FAILED (errors or verification failures above)\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace shale_bench

int main(int argc, char** argv) { return shale_bench::Main(argc, argv); }
