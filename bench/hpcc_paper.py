#!/usr/bin/env python3
"""The HPCC paper's classic comparison, per congestion-control algorithm.

Runs examples/hpcc-paper-fb-hadoop.yaml (320 hosts, 3-tier Clos, FB-Hadoop or another
CDF at a Poisson load) once per algorithm, with the ECN thresholds the HPCC repository's
run.py sets per link rate (K_min 100 KB, K_max 400 KB, P_max 0.2 per 25 Gb/s), and prints
FCT slowdown p50/p95/p99 per size bucket (< 100 KB, 100 KB - 1 MB, >= 1 MB) and the
switch egress queue-length percentiles as a Markdown table (docs/validation.md).

Queue length: every switch egress port's queue (all priorities) sampled every
--queue-interval (telemetry.sqlite), time-weighted (a sample holds until the port's next
one) and pooled over the switch ports that carried traffic, over the whole run.
"dcqcn+dyn_ecn" is dcqcn with the dynamic ECN thresholds (switch.ecn.tuning.policy).

Usage: bench/hpcc_paper.py [--cdf websearch|fb-hadoop] [--load 0.3] [--duration 5ms]
                           [--bin PATH] [--svg FILE] [ALGORITHM ...]

--svg FILE also draws the table (p99 slowdown per bucket, p99 switch queue) as an SVG
figure that opens anywhere, offline (docs/images/).
"""
import argparse
import csv
import html
import math
import os
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ECN = ("switch.ecn.by_rate=[{rate: 100Gbps, k_min: 400KB, k_max: 1600KB, p_max: 0.2}, "
       "{rate: 400Gbps, k_min: 1600KB, k_max: 6400KB, p_max: 0.2}]")
# EQDS (receiver-driven credits) needs trimming on the data priority, which must then be
# lossy (PFC off), and selective recovery.
# "ALGO+VARIANT" runs ALGO with the settings EXTRA names for the whole string:
# "dcqcn+dyn_ecn" is dcqcn with the dynamic ECN thresholds.
EXTRA = {"eqds": ["transport.recovery=selective", "switch.trimming.enabled=true",
                  "switch.pfc.enabled=false"],
         "dcqcn+dyn_ecn": ["switch.ecn.tuning.policy=dynamic"]}
BUCKETS = [("< 100 KB", 0, 100_000), ("100 KB - 1 MB", 100_000, 1_000_000),
           (">= 1 MB", 1_000_000, float("inf"))]


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def queue_percentiles(db, ps=(50, 95, 99)):
    """Time-weighted percentiles (bytes) of the switch egress queues in telemetry.sqlite."""
    c = sqlite3.connect(db)
    switch_ports = {pid for (pid,) in c.execute(
        "select p.port_id from ports p join nodes n on p.run_id = n.run_id and "
        "p.node_id = n.node_id where n.kind = 'switch'")}
    weighted = []  # (queue bytes, picoseconds held)
    prev = None
    for pid, t, q in c.execute("select port_id, t_ps, queue_bytes from samples "
                               "order by port_id, t_ps"):
        if pid not in switch_ports:
            continue
        if prev is not None and prev[0] == pid:
            weighted.append((prev[2], t - prev[1]))
        prev = (pid, t, q)
    c.close()
    weighted.sort()
    total = sum(w for _, w in weighted)
    out = []
    for p in ps:
        acc, goal, val = 0, total * p / 100, float("nan")
        for q, w in weighted:
            acc += w
            if acc >= goal:
                val = q
                break
        out.append(val)
    return out


def svg_figure(title, results):
    """Two panels: p99 slowdown per size bucket (grouped bars), p99 switch queue (log)."""
    names = [r[0] for r in results]
    n = len(names)
    w, h, left, top, ph = 900, 580, 70, 50, 200
    colors = ["#4e79a7", "#f28e2b", "#59a14f"]
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15">%s</text>' % (left, title)]
    pw = w - left - 20
    slot = pw / n
    top_sd = max(max(r[1]) for r in results) * 1.1
    # Panel 1: p99 slowdown.
    y0 = top + ph
    out.append('<text x="%d" y="%d">p99 FCT slowdown</text>' % (left, top - 6))
    for k in range(5):
        v = top_sd * k / 4
        y = y0 - ph * k / 4
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, w - 20, y, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%.0f</text>' % (left - 4, y + 4, v))
    for i, (name, p99s, _) in enumerate(results):
        for b, v in enumerate(p99s):
            bw = slot / 4
            x = left + i * slot + bw * (b + 0.5)
            bh = ph * v / top_sd
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">'
                       '<title>%s %s: %.2f</title></rect>' % (x, y0 - bh, bw, bh, colors[b],
                                                              name, html.escape(BUCKETS[b][0]),
                                                              v))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (
            left + (i + 0.5) * slot, y0 + 16, name))
    for b, (label, _, _) in enumerate(BUCKETS):
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>'
                   '<text x="%d" y="%d">%s</text>' % (w - 330 + b * 105, top - 16, colors[b],
                                                      w - 316 + b * 105, top - 7,
                                                      html.escape(label)))
    # Panel 2: p99 queue, log scale from 1 KB.
    t2 = y0 + 80
    y1 = t2 + ph
    qmax = max(max(r[2], 1.0) for r in results)
    decades = max(1, math.ceil(math.log10(qmax)))
    out.append('<text x="%d" y="%d">p99 switch egress queue (KB, log scale)</text>' % (left, t2 - 6))
    for k in range(decades + 1):
        y = y1 - ph * k / decades
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (left, w - 20, y, y))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (left - 4, y + 4, 10 ** k))
    for i, (name, _, q) in enumerate(results):
        v = math.log10(max(q, 1.0)) / decades
        bw = slot / 2
        x = left + i * slot + slot / 4
        out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#76b7b2">'
                   '<title>%s: %.0f KB</title></rect>' % (x, y1 - ph * v, bw, ph * v, name, q))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (
            left + (i + 0.5) * slot, y1 + 16, name))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cdf", default="fb-hadoop")
    ap.add_argument("--load", default="0.3")
    ap.add_argument("--duration", default="5ms")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin", "aifabric"))
    ap.add_argument("--queue-interval", default="10us")
    ap.add_argument("--svg")
    ap.add_argument("algos", nargs="*", default=["dcqcn", "dcqcn+dyn_ecn", "dcqcn_paper",
                                                  "hpcc", "dctcp", "timely", "swift", "xcp",
                                                  "eqds"])
    a = ap.parse_args()
    print("%s at load %s, flows starting over %s; FCT slowdown p50 / p95 / p99" % (
        a.cdf, a.load, a.duration))
    print()
    print("| algorithm | flows done | " + " | ".join(b[0] for b in BUCKETS) +
          " | switch queue p50 / p95 / p99 (KB) |")
    print("|---|---|" + "---|" * len(BUCKETS) + "---|")
    results = []  # (algorithm, p99 per bucket, p99 queue KB)
    with tempfile.TemporaryDirectory() as tmp:
        for algo in a.algos:
            out = os.path.join(tmp, algo)
            cc = algo.split("+")[0]
            cmd = [a.bin, "run", os.path.join(ROOT, "examples", "hpcc-paper-fb-hadoop.yaml"),
                   "--quiet", "--no-progress", "--force", "--out", out,
                   "--set", "cc.algorithm=" + cc, "--set", ECN,
                   "--set", "telemetry.interval=" + a.queue_interval,
                   "--set", "traffic.0.cdf=cdf/%s.txt" % a.cdf,
                   "--set", "traffic.0.load=" + a.load,
                   "--set", "traffic.0.duration=" + a.duration, "--allow-large"]
            for s in EXTRA.get(algo, []):
                cmd += ["--set", s]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode not in (0, 3):
                sys.exit("hpcc_paper.py: %s: %s" % (algo, r.stderr.strip()))
            rows = list(csv.DictReader(open(os.path.join(out, "flows.csv"))))
            done = [f for f in rows if f["status"] == "done"]
            cells, p99s = [], []
            for _, lo, hi in BUCKETS:
                sd = [float(f["slowdown"]) for f in done if lo <= int(f["size_bytes"]) < hi]
                cells.append("%.2f / %.2f / %.2f" % (pct(sd, 50), pct(sd, 95), pct(sd, 99)))
                p99s.append(pct(sd, 99))
            q = queue_percentiles(os.path.join(out, "telemetry.sqlite"))
            results.append((algo, p99s, q[-1] / 1000))
            print("| %s | %d/%d | %s | %s |" % (algo, len(done), len(rows), " | ".join(cells),
                                                " / ".join("%.0f" % (v / 1000) for v in q)))
    if a.svg:
        with open(a.svg, "w") as f:
            f.write(svg_figure("%s at load %s (flows starting over %s), 320 hosts" % (
                a.cdf, a.load, a.duration), results))


if __name__ == "__main__":
    main()
