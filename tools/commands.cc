#include "tools/commands.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "shale/db.h"
#include "tools/escape.h"

namespace shale::tools {
namespace {

uint64_t NowMillis() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

int Fail(const Status& s) {
  std::fprintf(stderr, "shale: %s\n", s.ToString().c_str());
  return 2;
}

Status OpenDB(const std::string& dir, bool create, std::unique_ptr<DB>* db) {
  Options options;
  options.create_if_missing = create;
  return DB::Open(options, dir, db);
}

void PrintRaw(std::string_view s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

void PrintScan(DB* db, const ScanArgs& args, std::ostream& out) {
  ReadOptions ro;
  ro.fill_cache = false;
  std::string_view upper;
  if (args.to) {
    upper = *args.to;
    ro.iterate_upper_bound = &upper;
  }
  auto iter = db->NewIterator(ro);
  uint64_t n = 0;
  for (args.from ? iter->Seek(*args.from) : iter->SeekToFirst();
       iter->Valid() && (args.limit == 0 || n < args.limit); iter->Next()) {
    out << Escape(iter->key()) << '\t' << Escape(iter->value()) << '\n';
    n++;
  }
  if (!iter->status().ok()) {
    out.flush();
    std::fprintf(stderr, "shale: %s\n", iter->status().ToString().c_str());
  }
}

}  // namespace

int CmdPut(const std::string& dir, const std::string& key,
           const std::string& value, uint64_t ttl_ms, bool sync) {
  std::unique_ptr<DB> db;
  Status s = OpenDB(dir, true, &db);
  if (!s.ok()) return Fail(s);
  WriteOptions wo;
  wo.sync = sync;
  if (ttl_ms > 0) wo.expire_at_ms = NowMillis() + ttl_ms;
  s = db->Put(wo, key, value);
  return s.ok() ? 0 : Fail(s);
}

int CmdGet(const std::string& dir, const std::string& key, bool escape) {
  std::unique_ptr<DB> db;
  Status s = OpenDB(dir, false, &db);
  if (!s.ok()) return Fail(s);
  std::string value;
  s = db->Get(ReadOptions(), key, &value);
  if (s.IsNotFound()) {
    std::fprintf(stderr, "shale: %s: not found\n", Escape(key).c_str());
    return 1;
  }
  if (!s.ok()) return Fail(s);
  PrintRaw(escape ? Escape(value) : value);
  return 0;
}

int CmdDelete(const std::string& dir, const std::string& key, bool sync) {
  std::unique_ptr<DB> db;
  Status s = OpenDB(dir, false, &db);
  if (!s.ok()) return Fail(s);
  WriteOptions wo;
  wo.sync = sync;
  s = db->Delete(wo, key);
  return s.ok() ? 0 : Fail(s);
}

int CmdScan(const std::string& dir, const ScanArgs& args) {
  std::unique_ptr<DB> db;
  Status s = OpenDB(dir, false, &db);
  if (!s.ok()) return Fail(s);
  PrintScan(db.get(), args, std::cout);
  std::cout.flush();
  return 0;
}

int CmdStats(const std::string& dir) {
  std::unique_ptr<DB> db;
  Status s = OpenDB(dir, false, &db);
  if (!s.ok()) return Fail(s);
  std::string stats;
  if (db->GetProperty("shale.stats", &stats)) std::fputs(stats.c_str(), stdout);
  return 0;
}

int CmdCheckpoint(const std::string& dir, const std::string& out) {
  std::unique_ptr<DB> db;
  Status s = OpenDB(dir, false, &db);
  if (!s.ok()) return Fail(s);
  s = db->CreateCheckpoint(out);
  return s.ok() ? 0 : Fail(s);
}

// ---------------------------------------------------------------------------
// The interactive shell.

namespace {

// Splits a shell line into words: whitespace separates, double quotes group,
// backslash escapes (as tools::Unescape) inside and outside quotes.
bool Tokenize(const std::string& line, std::vector<std::string>* words,
              std::string* error) {
  words->clear();
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
      i++;
    if (i >= line.size()) break;
    std::string raw;
    bool quoted = false;
    while (i < line.size()) {
      char c = line[i];
      if (c == '"') {
        quoted = !quoted;
        i++;
        continue;
      }
      if (!quoted && std::isspace(static_cast<unsigned char>(c))) break;
      if (c == '\\' && i + 1 < line.size()) {
        raw += c;
        raw += line[i + 1];
        i += 2;
        continue;
      }
      raw += c;
      i++;
    }
    if (quoted) {
      *error = "unterminated quote";
      return false;
    }
    auto word = Unescape(raw);
    if (!word) {
      *error = "bad escape in '" + raw + "'";
      return false;
    }
    words->push_back(std::move(*word));
  }
  return true;
}

const char kShellHelp[] =
    "commands:\n"
    "  get KEY                 print the value\n"
    "  put KEY VALUE [TTL_MS]  store (expiring after TTL_MS if given)\n"
    "  del KEY                 delete\n"
    "  scan [FROM [TO [LIMIT]]]  list keys in [FROM, TO)\n"
    "  stats                   engine statistics\n"
    "  flush                   write the memtable to a table file\n"
    "  compact                 compact the whole key range\n"
    "  sync                    make every write durable\n"
    "  checkpoint DIR          copy the DB, as of now, to new directory DIR\n"
    "  help | quit\n"
    "Words may be \"quoted\"; \\xHH, \\t, \\n, \\\\ escape bytes.\n";

}  // namespace

int CmdShell(const std::string& dir, bool create, std::istream& in,
             bool interactive) {
  std::unique_ptr<DB> db;
  Status s = OpenDB(dir, create, &db);
  if (!s.ok()) return Fail(s);
  if (interactive) {
    std::printf("shale shell on %s. Type 'help' for commands.\n", dir.c_str());
  }
  std::string line;
  std::vector<std::string> w;
  while (true) {
    if (interactive) {
      std::printf("shale> ");
      std::fflush(stdout);
    }
    if (!std::getline(in, line)) break;
    std::string error;
    if (!Tokenize(line, &w, &error)) {
      std::printf("(error) %s\n", error.c_str());
      continue;
    }
    if (w.empty()) continue;
    const std::string& cmd = w[0];
    Status r;
    if (cmd == "quit" || cmd == "exit") {
      break;
    } else if (cmd == "help") {
      std::fputs(kShellHelp, stdout);
    } else if (cmd == "get" && w.size() == 2) {
      std::string value;
      r = db->Get(ReadOptions(), w[1], &value);
      if (r.ok()) std::printf("\"%s\"\n", Escape(value).c_str());
      if (r.IsNotFound()) {
        std::printf("(nil)\n");
        r = Status::OK();
      }
    } else if (cmd == "put" && (w.size() == 3 || w.size() == 4)) {
      WriteOptions wo;
      if (w.size() == 4) {
        char* end = nullptr;
        unsigned long long ttl = std::strtoull(w[3].c_str(), &end, 10);
        if (end == w[3].c_str() || *end != '\0' || ttl == 0) {
          std::printf("(error) TTL_MS must be a positive integer\n");
          continue;
        }
        wo.expire_at_ms = NowMillis() + ttl;
      }
      r = db->Put(wo, w[1], w[2]);
      if (r.ok()) std::printf("OK\n");
    } else if ((cmd == "del" || cmd == "delete") && w.size() == 2) {
      r = db->Delete(WriteOptions(), w[1]);
      if (r.ok()) std::printf("OK\n");
    } else if (cmd == "scan" && w.size() <= 4) {
      ScanArgs args;
      if (w.size() > 1) args.from = w[1];
      if (w.size() > 2) args.to = w[2];
      args.limit = 100;
      if (w.size() > 3) args.limit = std::strtoull(w[3].c_str(), nullptr, 10);
      std::ostringstream out;
      PrintScan(db.get(), args, out);
      std::fputs(out.str().c_str(), stdout);
    } else if (cmd == "stats" && w.size() == 1) {
      std::string stats;
      db->GetProperty("shale.stats", &stats);
      std::fputs(stats.c_str(), stdout);
    } else if (cmd == "flush" && w.size() == 1) {
      r = db->Flush();
      if (r.ok()) std::printf("OK\n");
    } else if (cmd == "compact" && w.size() == 1) {
      r = db->CompactRange(nullptr, nullptr);
      if (r.ok()) std::printf("OK\n");
    } else if (cmd == "checkpoint" && w.size() == 2) {
      r = db->CreateCheckpoint(w[1]);
      if (r.ok()) std::printf("OK\n");
    } else if (cmd == "sync" && w.size() == 1) {
      r = db->SyncWAL();
      if (r.ok()) std::printf("OK\n");
    } else {
      std::printf("(error) unknown command or wrong arguments; try 'help'\n");
    }
    if (!r.ok()) std::printf("(error) %s\n", r.ToString().c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace shale::tools
