#!/usr/bin/env python3
"""Draws shale-bench results as a PNG with gnuplot (Debian: gnuplot-nox).

    plot.py RESULTS.json OUT.png

Top: shale's ops/s over each other engine's, per suite and benchmark (a bar
above 1 means shale is faster). Bottom: write amplification of each engine
for the benchmarks that write (log scale: a read-mostly YCSB workload writes
few user bytes, so background compaction it overlaps shows as a large
factor). Standard library only; gnuplot does the
drawing.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ENGINES = ["shale", "rocksdb", "rocksdb-blob", "leveldb"]
COLORS = {"shale": "#7b3fb5", "rocksdb": "#1f77b4", "rocksdb-blob": "#2ca02c",
          "leveldb": "#ff7f0e"}


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src, out = sys.argv[1], sys.argv[2]
    if not shutil.which("gnuplot"):
        print("plot.py: gnuplot not found (apt-get install gnuplot-nox)",
              file=sys.stderr)
        return 1
    rows = json.load(open(src))
    by = {(r.get("label", ""), r["benchmark"], r["engine"]): r for r in rows}
    keys = []
    for r in rows:
        k = (r.get("label", ""), r["benchmark"])
        if k not in keys:
            keys.append(k)
    others = [e for e in ENGINES[1:] if any(r["engine"] == e for r in rows)]
    present = [e for e in ENGINES if any(r["engine"] == e for r in rows)]
    tmp = tempfile.mkdtemp(prefix="shale-plot.")
    ratio_dat = os.path.join(tmp, "ratio.dat")
    wamp_dat = os.path.join(tmp, "wamp.dat")
    nwrites = 0
    with open(ratio_dat, "w") as f, open(wamp_dat, "w") as g:
        for label, bench in keys:
            name = f"{label.split('-')[0]}:{bench}"
            s = by.get((label, bench, "shale"))
            cells = []
            for e in others:
                o = by.get((label, bench, e))
                if s and o and o["ops_per_sec"]:
                    cells.append(f"{s['ops_per_sec'] / o['ops_per_sec']:.4f}")
                else:
                    cells.append("NaN")
            f.write(f'"{name}" ' + " ".join(cells) + "\n")
            wcells = []
            for e in present:
                r = by.get((label, bench, e))
                w = r.get("write_amp") if r else None
                wcells.append("NaN" if w is None else f"{w:.3f}")
            if any(c != "NaN" for c in wcells):
                g.write(f'"{name}" ' + " ".join(wcells) + "\n")
                nwrites += 1
    baseline = sorted({f"{r['engine']}={r.get('baseline_build', '')}"
                       for r in rows if r["engine"] != "shale"})
    title = "shale-bench: " + ", ".join(baseline)
    width = max(900, 60 * len(keys) * max(1, len(others)))
    script = f"""
set terminal pngcairo size {width},900 font ",9" noenhanced
set output "{out}"
set multiplot layout 2,1 title "{title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set xtics rotate by -35 scale 0
set key top right
set logscale y 2
set ylabel "ops/s ratio shale / engine"
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 2 front
plot """ + ", ".join(
        f"'{ratio_dat}' using {i + 2}:xtic(1) title 'shale / {e}' "
        f"lc rgb '{COLORS[e]}'"
        for i, e in enumerate(others)) + f"""
unset arrow
set ylabel "write amplification (disk writes / user bytes, log scale)"
set yrange [0.5:*]
"""
    if nwrites:
        script += "plot " + ", ".join(
            f"'{wamp_dat}' using {i + 2}:xtic(1) title '{e}' "
            f"lc rgb '{COLORS[e]}'"
            for i, e in enumerate(present)) + "\n"
    script += "unset multiplot\n"
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    shutil.rmtree(tmp)
    print(f"plot.py: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
