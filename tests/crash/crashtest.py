#!/usr/bin/python3
"""Crash tests for shale, driving build/shale-stress (docs/testing.md).

Modes (each a series of cycles against one DB and one expected-state file):

  blackbox   run shale-stress, SIGKILL it after a random delay, repeat. Each
             run starts by reopening the DB and checking every key against
             the oracle: nothing acknowledged may be lost (a killed process
             loses no write that reached the OS), no atomic group is torn.
  whitebox   the same with a kill-point build (-DSHALE_KILL_POINTS=ON): the
             process kills itself at a random hit of the kill points of one
             family (wal., flush., manifest., compaction., ...), so recovery
             runs right between two steps of a write path. A run that
             reaches no point in time is killed from outside instead.
  powerloss  --env=mem runs that simulate power loss in process (only synced
             data survives, with random torn tails) and check that every
             durable write survived.
  faults     --env=mem runs that inject EIO/ENOSPC into reads, writes,
             syncs, renames; the DB must report them, resume, and never
             return wrong data.

Every cycle draws its DB options at random (small memtables and files, so
flushes and compactions run all the time; compression; caches; sync writes;
value separation if the engine has it) and prints the full command line and
seed, so a failing cycle can be replayed by hand. The key-space shape stays
fixed for the whole session, since the oracle file depends on it.

Exit status 0 if every cycle passed, 1 at the first failure (its log is
printed, and the DB directory is kept).
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

FAMILIES = ["wal.", "flush.", "manifest.", "compaction.", ""]
# Kill odds per family: hot points (per write) need long odds, rare ones
# (per flush, per MANIFEST record) short ones, to die a few seconds in.
FAMILY_ODDS = {"wal.": 40000, "flush.": 8, "manifest.": 10,
               "compaction.": 12, "": 50000}

# Engine bugs found by this suite that are not fixed yet: the flags that
# keep the operations triggering them out of the random mix, unless
# --with-known-bugs. Each such bug gets a pinning test in
# tools/stress/regression_test.cc; remove its entry when the fix lands.
KNOWN_BUGS = {}


def log(msg):
    print("crashtest: " + msg, flush=True)


def capabilities(binary):
    out = subprocess.run([binary, "--capabilities"], capture_output=True,
                         text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.split())


def random_options(rnd, caps, with_known_bugs):
    """One cycle's DB options and op mix, as shale-stress flags."""
    trigger = rnd.choice([2, 4, 8])
    o = {
        "threads": rnd.choice([2, 4, 6]),
        "write_buffer_size": rnd.choice([64 << 10, 128 << 10, 512 << 10,
                                         2 << 20]),
        "max_write_buffer_number": rnd.choice([2, 3, 4]),
        "target_file_size": rnd.choice([16 << 10, 128 << 10, 1 << 20]),
        "max_bytes_for_level_base": rnd.choice([256 << 10, 1 << 20, 8 << 20]),
        "level0_file_num_compaction_trigger": trigger,
        "level0_slowdown_writes_trigger": trigger + rnd.choice([2, 8, 16]),
        "level0_stop_writes_trigger": trigger + rnd.choice([16, 32]),
        "max_background_jobs": rnd.choice([1, 2, 3]),
        "max_mem_compact_level": rnd.choice([0, 1, 2]),
        "block_size": rnd.choice([256, 1024, 4096, 16384]),
        "block_restart_interval": rnd.choice([1, 4, 16]),
        "bloom_bits_per_key": rnd.choice([0, 10]),
        "max_open_files": rnd.choice([20, 100, 1000]),
        "block_cache_size": rnd.choice([0, 64 << 10, 8 << 20]),
        "cache_index_and_filter_blocks": rnd.choice(["true", "false"]),
        "paranoid_checks": rnd.choice(["true", "false"]),
        "compression": rnd.choice(["none", "lz4", "zstd", "snappy"]),
        "value_size_max": rnd.choice([16, 128, 1024]),
        "large_value_one_in": rnd.choice([0, 8, 32]),
        "large_value_size": rnd.choice([8 << 10, 64 << 10]),
        "sync_one_in": rnd.choice([0, 0, 1, 50]),
        "sync_wal_one_in": rnd.choice([0, 200, 2000]),
        "flush_one_in": rnd.choice([500, 2000, 10000]),
        "compact_range_one_in": rnd.choice([1000, 5000, 20000]),
        "reopen_one_in": rnd.choice([0, 0, 20000]),
        "max_scan_keys": rnd.choice([8, 64]),
    }
    if rnd.random() < 0.3:
        o["compression_per_level"] = ",".join(
            rnd.choice(["none", "lz4", "zstd", "snappy"]) for _ in range(3))
    if caps.get("value_separation") == "1" and rnd.random() < 0.6:
        o["enable_value_separation"] = "true"
        o["min_blob_size"] = rnd.choice([0, 64, 512, 4096])
        o["blob_gc_threshold"] = rnd.choice([0.2, 0.5, 0.8])
    if not with_known_bugs:
        o.update(KNOWN_BUGS)
    return o


def flag_list(options):
    return ["--%s=%s" % (k, v) for k, v in sorted(options.items())]


class Session:
    def __init__(self, args, mode, binary, seconds, rnd):
        self.args = args
        self.mode = mode
        self.binary = binary
        self.seconds = seconds
        self.rnd = rnd
        self.dir = os.path.join(args.dir, mode)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.caps = capabilities(binary)
        self.cycles = 0
        self.kills = 0
        self.kill_points = {}
        self.ops = 0
        self.inflight_applied = 0
        self.inflight_dropped = 0
        self.unsynced_lost = 0
        self.power_losses = 0
        self.faults = 0
        self.log_path = os.path.join(self.dir, "last.log")

    def base_flags(self, seed):
        return [
            "--seed=%d" % seed,
            "--num_keys=%d" % self.args.num_keys,
            "--progress_s=1",
        ]

    def fail(self, cmd, why):
        log("FAILED in %s cycle %d: %s" % (self.mode, self.cycles, why))
        log("command: " + " ".join(cmd))
        with open(self.log_path, errors="replace") as f:
            lines = f.read().splitlines()
        for line in lines[-40:]:
            print("  | " + line)
        log("kept: " + self.dir)
        return False

    def account(self, text):
        """Adds what a run's output reports to the session's totals."""
        progress = re.findall(r"^progress: [\d.]+ s, (\d+) ops", text, re.M)
        total = re.findall(r"^total: (\d+) ops", text, re.M)
        if total:
            self.ops += int(total[-1])
        elif progress:
            self.ops += int(progress[-1])
        for applied, dropped, lost in re.findall(
                r"in flight: (\d+) applied, (\d+) not; unsynced lost: (\d+)",
                text):
            self.inflight_applied += int(applied)
            self.inflight_dropped += int(dropped)
            self.unsynced_lost += int(lost)
        m = re.search(r"^ops: .* (\d+) power losses", text, re.M)
        if m:
            self.power_losses += int(m.group(1))
        m = re.search(r"^faults: (\d+) injected", text, re.M)
        if m:
            self.faults += int(m.group(1))
        for point in re.findall(r"^kill point (\S+)", text, re.M):
            self.kill_points[point] = self.kill_points.get(point, 0) + 1

    def run_cycle(self, extra, kill_after):
        """One run of shale-stress; kills it after kill_after seconds (None:
        let it end). Returns True if it passed (or was killed cleanly)."""
        seed = self.rnd.getrandbits(63)
        options = random_options(self.rnd, self.caps, self.args.with_known_bugs)
        cmd = [self.binary] + self.base_flags(seed) + flag_list(options) + extra
        self.cycles += 1
        with open(self.log_path, "w") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
            killed = False
            try:
                proc.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                killed = True
        with open(self.log_path, errors="replace") as f:
            text = f.read()
        self.account(text)
        if "FAILURE" in text:
            return self.fail(cmd, "a check failed")
        rc = proc.returncode
        if killed or rc == -signal.SIGKILL:
            self.kills += 1
            return True
        if rc != 0:
            return self.fail(cmd, "exit status %d" % rc)
        return True

    def crash_cycles(self, whitebox):
        db = os.path.join(self.dir, "db")
        state = os.path.join(self.dir, "expected_state")
        deadline = time.monotonic() + self.seconds
        first = True
        while time.monotonic() < deadline:
            extra = ["--db=" + db, "--expected_state=" + state,
                     "--ops_per_thread=0", "--duration_s=100000"]
            if first:
                extra.append("--destroy")
                first = False
            delay = self.rnd.uniform(self.args.min_kill_s, self.args.max_kill_s)
            delay = max(0.5, min(delay, deadline - time.monotonic()))
            if whitebox:
                family = self.rnd.choice(FAMILIES)
                extra += ["--kill_prefix=" + family,
                          "--kill_odds=%d" % FAMILY_ODDS[family]]
                # A run whose points fire too rarely ends as a blackbox kill.
                delay = max(delay, self.args.max_kill_s)
            if not self.run_cycle(extra, delay):
                return False
        # The last word: reopen, check every key, stop.
        return self.run_cycle(["--db=" + db, "--expected_state=" + state,
                               "--verify_only"], None)

    def mem_cycles(self, extra_flags):
        deadline = time.monotonic() + self.seconds
        while time.monotonic() < deadline:
            length = min(self.args.max_kill_s * 2, deadline - time.monotonic())
            extra = ["--env=mem", "--duration_s=%.1f" % max(1.0, length),
                     "--ops_per_thread=0"] + extra_flags(self.rnd)
            if not self.run_cycle(extra, max(60.0, length * 4)):
                return False
        return True

    def run(self):
        log("%s: %.0f s with %s" % (self.mode, self.seconds, self.binary))
        start = time.monotonic()
        if self.mode == "blackbox":
            ok = self.crash_cycles(whitebox=False)
        elif self.mode == "whitebox":
            ok = self.crash_cycles(whitebox=True)
        elif self.mode == "powerloss":
            ok = self.mem_cycles(lambda r: [
                "--crash_one_in=%d" % r.choice([2000, 10000, 50000]),
                "--torn_tails=%s" % r.choice(["true", "false"])])
        else:
            ok = self.mem_cycles(lambda r: [
                "--fault_one_in=%d" % r.choice([200, 1000, 5000]),
                "--reopen_one_in=%d" % r.choice([5000, 20000]),
                "--crash_one_in=%d" % r.choice([0, 20000])])
        summary = ("%s: %s, %d cycles, %d kills, %d ops, %.0f s; in-flight "
                   "writes at a crash found applied %d, not applied %d; "
                   "power losses %d (unsynced writes lost %d); faults %d; "
                   "acknowledged writes lost: %s" % (
                       self.mode, "passed" if ok else "FAILED", self.cycles,
                       self.kills, self.ops, time.monotonic() - start,
                       self.inflight_applied, self.inflight_dropped,
                       self.power_losses, self.unsynced_lost, self.faults,
                       "0" if ok else "see above"))
        if self.kill_points:
            summary += "; kill points fired: " + ", ".join(
                "%s %d" % kv for kv in sorted(self.kill_points.items()))
        log(summary)
        if ok and not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        return ok


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--stress", default="build/shale-stress",
                   help="shale-stress for blackbox, powerloss, faults")
    p.add_argument("--stress-whitebox", default="build-kill/shale-stress",
                   help="shale-stress built with -DSHALE_KILL_POINTS=ON")
    p.add_argument("--modes", default="blackbox,whitebox,powerloss,faults")
    p.add_argument("--duration", type=float, default=180,
                   help="total seconds, shared among the modes")
    p.add_argument("--weights", default="4,3,2,1",
                   help="share of the duration per mode, in --modes order")
    p.add_argument("--min-kill-s", dest="min_kill_s", type=float, default=2)
    p.add_argument("--max-kill-s", dest="max_kill_s", type=float, default=10)
    p.add_argument("--num-keys", dest="num_keys", type=int, default=20000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dir", default="")
    p.add_argument("--keep", action="store_true", help="keep passing DBs")
    p.add_argument("--with-known-bugs", dest="with_known_bugs",
                   action="store_true",
                   help="also run the operations of KNOWN_BUGS")
    args = p.parse_args()

    seed = args.seed or random.SystemRandom().getrandbits(32)
    log("seed %d (replay: --seed %d)" % (seed, seed))
    rnd = random.Random(seed)
    if not args.dir:
        args.dir = tempfile.mkdtemp(prefix="shale-crashtest-")
    modes = args.modes.split(",")
    weights = [float(w) for w in args.weights.split(",")][:len(modes)]
    weights += [1.0] * (len(modes) - len(weights))
    total = sum(weights)
    for mode, weight in zip(modes, weights):
        binary = args.stress_whitebox if mode == "whitebox" else args.stress
        if not os.access(binary, os.X_OK):
            log("no executable %s for %s" % (binary, mode))
            return 1
        seconds = args.duration * weight / total
        if not Session(args, mode, binary, seconds, rnd).run():
            return 1
    if not args.keep:
        shutil.rmtree(args.dir, ignore_errors=True)
    log("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
