// `shale`: the command-line tool for a shale data directory.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "tools/commands.h"
#include "tools/escape.h"

namespace {

// With --escaped, KEY/VALUE arguments are given in the escaped form that
// scan prints (\xHH, \\).
bool Decode(bool escaped, std::string* arg) {
  if (!escaped) return true;
  auto raw = shale::tools::Unescape(*arg);
  if (!raw) {
    std::fprintf(stderr, "shale: bad escape in '%s'\n", arg->c_str());
    return false;
  }
  *arg = std::move(*raw);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"shale: inspect and edit a shale data directory"};
  app.require_subcommand(1);
  std::string db, key, value, file, type;
  bool escaped = false, sync = false, create = false, escape_out = false;
  uint64_t ttl_ms = 0;
  shale::tools::ScanArgs scan;
  std::string from, to;

  auto add_db = [&](CLI::App* cmd) {
    cmd->add_option("--db", db, "data directory")->required();
  };
  auto add_escaped = [&](CLI::App* cmd) {
    cmd->add_flag("--escaped", escaped,
                  "KEY and VALUE use the escaped form scan prints (\\xHH)");
  };

  auto* put = app.add_subcommand("put", "store KEY -> VALUE");
  add_db(put);
  add_escaped(put);
  put->add_option("KEY", key)->required();
  put->add_option("VALUE", value)->required();
  put->add_option("--ttl-ms", ttl_ms, "expire after this many milliseconds");
  put->add_flag("--sync", sync, "fsync before returning");

  auto* get = app.add_subcommand("get", "print KEY's value (exit 1 if absent)");
  add_db(get);
  add_escaped(get);
  get->add_option("KEY", key)->required();
  get->add_flag("--escape", escape_out, "print the value escaped");

  auto* del = app.add_subcommand("delete", "delete KEY");
  del->alias("del");
  add_db(del);
  add_escaped(del);
  del->add_option("KEY", key)->required();
  del->add_flag("--sync", sync, "fsync before returning");

  auto* scan_cmd = app.add_subcommand(
      "scan", "print key<TAB>value lines (escaped) in [--from, --to)");
  add_db(scan_cmd);
  add_escaped(scan_cmd);
  auto* from_opt =
      scan_cmd->add_option("--from", from, "first key (inclusive)");
  auto* to_opt = scan_cmd->add_option("--to", to, "end key (exclusive)");
  scan_cmd->add_option("--limit", scan.limit, "at most this many lines");

  auto* stats = app.add_subcommand("stats", "print engine statistics");
  add_db(stats);

  auto* check = app.add_subcommand(
      "check",
      "verify a DB: every checksum, every value pointer, vlog garbage counts "
      "(exit 1 if damaged)");
  add_db(check);

  std::string out_dir;
  auto* checkpoint = app.add_subcommand(
      "checkpoint",
      "write a consistent copy of the DB to a new directory (tables and "
      "value logs hard-linked where possible)");
  add_db(checkpoint);
  checkpoint->add_option("--dir", out_dir, "the new directory (must not exist)")
      ->required();

  auto* dump = app.add_subcommand(
      "dump",
      "print a WAL (.log), table (.sst), value log (.vlog) or MANIFEST file "
      "readably");
  dump->add_option("FILE", file)->required();
  dump->add_option("--type", type,
                   "wal, sst, vlog or manifest (default: by name)");

  auto* shell = app.add_subcommand("shell", "interactive shell on a DB");
  add_db(shell);
  shell->add_flag("--create", create, "create the DB if missing");

  CLI11_PARSE(app, argc, argv);

  using namespace shale::tools;
  if (put->parsed()) {
    if (!Decode(escaped, &key) || !Decode(escaped, &value)) return 2;
    return CmdPut(db, key, value, ttl_ms, sync);
  }
  if (get->parsed()) {
    if (!Decode(escaped, &key)) return 2;
    return CmdGet(db, key, escape_out);
  }
  if (del->parsed()) {
    if (!Decode(escaped, &key)) return 2;
    return CmdDelete(db, key, sync);
  }
  if (scan_cmd->parsed()) {
    if (from_opt->count() > 0) {
      if (!Decode(escaped, &from)) return 2;
      scan.from = from;
    }
    if (to_opt->count() > 0) {
      if (!Decode(escaped, &to)) return 2;
      scan.to = to;
    }
    return CmdScan(db, scan);
  }
  if (stats->parsed()) return CmdStats(db);
  if (check->parsed()) return CmdCheck(db);
  if (checkpoint->parsed()) return CmdCheckpoint(db, out_dir);
  if (dump->parsed()) return CmdDump(file, type);
  if (shell->parsed()) {
    return CmdShell(db, create, std::cin, isatty(STDIN_FILENO) != 0);
  }
  return 2;
}
