#include "flags.h"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

namespace shale_bench {

namespace {

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Integers with an optional binary suffix: 64M, 4K, 1G.
bool ParseSize(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc()) return false;
  std::string rest(p, s.data() + s.size());
  int shift = 0;
  if (rest == "K" || rest == "k" || rest == "KiB")
    shift = 10;
  else if (rest == "M" || rest == "m" || rest == "MiB")
    shift = 20;
  else if (rest == "G" || rest == "g" || rest == "GiB")
    shift = 30;
  else if (!rest.empty())
    return false;
  *out = v << shift;
  return true;
}

bool ParseBool(const std::string& s, bool* out) {
  if (s.empty() || s == "true" || s == "1")
    *out = true;
  else if (s == "false" || s == "0")
    *out = false;
  else
    return false;
  return true;
}

}  // namespace

bool ParseFlags(int argc, char** argv, Flags* f, bool* help,
                std::string* error) {
  using Setter = std::function<bool(const std::string&)>;
  auto size = [](auto* field) {
    return Setter([field](const std::string& v) {
      int64_t x;
      if (!ParseSize(v, &x)) return false;
      *field = static_cast<std::remove_pointer_t<decltype(field)>>(x);
      return true;
    });
  };
  auto boolean = [](bool* field) {
    return Setter(
        [field](const std::string& v) { return ParseBool(v, field); });
  };
  auto text = [](std::string* field) {
    return Setter([field](const std::string& v) {
      *field = v;
      return true;
    });
  };
  auto list = [](std::vector<std::string>* field) {
    return Setter([field](const std::string& v) {
      *field = SplitList(v);
      return !field->empty();
    });
  };
  std::map<std::string, Setter> setters = {
      {"engine", list(&f->engines)},
      {"benchmarks", list(&f->benchmarks)},
      {"num", size(&f->num)},
      {"reads", size(&f->reads)},
      {"ycsb_e_ops", size(&f->ycsb_e_ops)},
      {"key_size", size(&f->key_size)},
      {"value_size", size(&f->value_size)},
      {"compression_ratio",
       [f](const std::string& v) {
         char* end;
         f->compression_ratio = std::strtod(v.c_str(), &end);
         return *end == 0 && f->compression_ratio > 0 &&
                f->compression_ratio <= 1;
       }},
      {"threads", size(&f->threads)},
      {"seek_nexts", size(&f->seek_nexts)},
      {"writes_per_sec", size(&f->writes_per_sec)},
      {"rounds", size(&f->rounds)},
      {"seed", size(&f->seed)},
      {"db", text(&f->db)},
      {"json", text(&f->json)},
      {"label", text(&f->label)},
      {"verify", boolean(&f->verify)},
      {"keep_db", boolean(&f->keep_db)},
      {"verbose", boolean(&f->verbose)},
      {"list_engines", boolean(&f->list_engines)},
      {"settle",
       [f](const std::string& v) {
         char* end;
         f->settle = std::strtod(v.c_str(), &end);
         return *end == 0 && f->settle >= 0;
       }},
      {"sync", boolean(&f->engine.sync)},
      {"compression", text(&f->engine.compression)},
      {"bloom_bits", size(&f->engine.bloom_bits)},
      {"cache_size", size(&f->engine.cache_size)},
      {"write_buffer_size", size(&f->engine.write_buffer_size)},
      {"value_separation", boolean(&f->engine.value_separation)},
      {"min_blob_size", size(&f->engine.min_blob_size)},
      {"compaction_filter",
       [f](const std::string& v) {
         f->engine.compaction_filter = v;
         return v == "none" || v == "keep";
       }},
  };
  *help = false;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return true;
    }
    if (arg.rfind("--", 0) != 0) {
      *error = "unexpected argument '" + arg + "'";
      return false;
    }
    size_t eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? eq : eq - 2);
    std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    auto it = setters.find(name);
    if (it == setters.end()) {
      *error = "unknown flag --" + name + " (see --help)";
      return false;
    }
    if (!it->second(value)) {
      *error = "bad value for --" + name + ": '" + value + "'";
      return false;
    }
  }
  std::map<std::string, int> seen;
  f->benchmark_labels.clear();
  for (const std::string& b : f->benchmarks) {
    int k = ++seen[b];
    f->benchmark_labels.push_back(k == 1 ? b : b + "#" + std::to_string(k));
  }
  if (f->reads < 0) f->reads = f->num;
  if (f->ycsb_e_ops < 0) f->ycsb_e_ops = f->reads / 10 ? f->reads / 10 : 1;
  if (f->threads < 1 || f->rounds < 1 || f->num < 1) {
    *error = "--threads, --rounds and --num must be at least 1";
    return false;
  }
  if (f->key_size < 8 || f->key_size > 1024) {
    *error = "--key_size must be in [8, 1024]";
    return false;
  }
  if (f->value_size < 1) {
    *error = "--value_size must be at least 1";
    return false;
  }
  return true;
}

std::string FlagsHelp() {
  return R"(shale-bench: one workload, several engines, one run, ratios.

  --engine=LIST          shale,rocksdb,rocksdb-blob,leveldb  [shale,rocksdb,leveldb]
  --benchmarks=LIST      run in order on one fresh DB per engine:
                           fillseq fillrandom overwrite deleterandom
                           readrandom readseq readreverse seekrandom
                           readwhilewriting
                           ycsb_load ycsb_a ycsb_b ycsb_c ycsb_d ycsb_e ycsb_f
                         a read or YCSB benchmark on an empty DB first loads
                         --num keys (untimed, not reported)
  --num=N                keys written by a fill                     [1000000]
  --reads=N              ops of read/seek/YCSB benchmarks            [--num]
  --ycsb_e_ops=N         ops of ycsb_e (scans of 1-100 records)  [reads/10]
  --key_size=N           bytes per key                                  [16]
  --value_size=N         bytes per value                               [100]
  --compression_ratio=F  compressible fraction of values               [0.5]
  --threads=N            client threads (readwhilewriting: readers)      [1]
  --seek_nexts=N         Next() calls after each seekrandom Seek          [0]
  --writes_per_sec=N     readwhilewriting writer rate, 0 = unlimited      [0]
  --rounds=N             engines run in turns A B A B, N times            [1]
  --seed=N               the one seed every key sequence derives from  [301]
  --sync                 fsync the WAL on every write
  --compression=C        none|snappy|lz4|zstd                         [none]
  --bloom_bits=N         bloom filter bits per key, 0 = none             [10]
  --cache_size=N         block cache bytes (K/M/G suffixes)             [64M]
  --write_buffer_size=N  memtable bytes                                 [64M]
  --value_separation     shale: separate large values (rocksdb-blob always does)
  --min_blob_size=N      values at least this big are separated         [512]
  --compaction_filter=F  none|keep: shale: a filter that keeps every
                         entry, given each value                       [none]
  --db=DIR               parent of the per-engine DB dirs  [/tmp/shale-bench]
  --json=FILE            write results as a JSON array
  --label=TEXT           copied into every JSON object
  --verify               check every value read is the one last written
  --keep_db              leave the DB directories behind
  --verbose              print each engine's own stats text after a run
  --settle=S             after a write benchmark, wait (untimed) for the
                         engine's background work and S seconds without disk
                         writes before measuring them                      [1]
  --list_engines         print the engines built into this binary and exit

A benchmark named twice is reported as name, name#2, ...
)";
}

}  // namespace shale_bench
