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
                           [--bin PATH] [ALGORITHM ...]
"""
import argparse
import csv
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cdf", default="fb-hadoop")
    ap.add_argument("--load", default="0.3")
    ap.add_argument("--duration", default="5ms")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "bin", "aifabric"))
    ap.add_argument("--queue-interval", default="10us")
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
            cells = []
            for _, lo, hi in BUCKETS:
                sd = [float(f["slowdown"]) for f in done if lo <= int(f["size_bytes"]) < hi]
                cells.append("%.2f / %.2f / %.2f" % (pct(sd, 50), pct(sd, 95), pct(sd, 99)))
            q = queue_percentiles(os.path.join(out, "telemetry.sqlite"))
            print("| %s | %d/%d | %s | %s |" % (algo, len(done), len(rows), " | ".join(cells),
                                                " / ".join("%.0f" % (v / 1000) for v in q)))


if __name__ == "__main__":
    main()
