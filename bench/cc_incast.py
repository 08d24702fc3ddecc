#!/usr/bin/env python3
"""Incast 64 -> 1 with an innocent flow, per congestion-control algorithm.

Runs examples/incast-64.yaml once per algorithm (aifabric run --set cc.algorithm=...),
and prints a Markdown table (docs/congestion-control.md, "Incast 64 -> 1"):
the bottleneck's peak queue (leaf0's port to host0, ports.csv), PFC pause time summed
over ports and the pause frames (summary.json), the incast's drain time (last incast
flow's finish), Jain's index over the incast flows' throughputs (size / FCT), and the
innocent flow's FCT and slowdown (host8 -> host1, which shares no bottleneck), and the
packets switches trimmed (eqds).

Usage: bench/cc_incast.py [AIFABRIC_BINARY] [ALGORITHM ...]
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "bin", "aifabric")
ALGOS = sys.argv[2:] or ["none", "dcqcn", "dcqcn_paper", "dctcp", "hpcc", "timely", "swift",
                         "xcp", "eqds", "eqds+spray"]
# Per-algorithm settings this fabric needs: HPCC's T is the base RTT of a cross-leaf
# path here (4 links of 1 us each way, plus a 4 KB frame per hop at 400 Gbps), not its
# default sized for a 3-tier fat-tree. EQDS (receiver-driven credits) needs trimming on
# the data priority, which must then be lossy (PFC off), and selective recovery; its
# initial window is one BDP of the same RTT. "eqds+spray" adds per-packet spraying, as
# NDP assumes.
EQDS = ["transport.recovery=selective", "switch.trimming.enabled=true",
        "switch.pfc.enabled=false", "cc.base_rtt=8.4us"]
EXTRA = {"hpcc": ["cc.base_rtt=8.4us"], "eqds": EQDS, "eqds+spray": EQDS + ["lb.algorithm=spray"]}


def run(algo, out):
    cmd = [BIN, "run", os.path.join(ROOT, "examples", "incast-64.yaml"), "--quiet",
           "--no-progress", "--force", "--out", out, "--set", "cc.algorithm=" + algo.split("+")[0]]
    for s in EXTRA.get(algo, []):
        cmd += ["--set", s]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in (0, 3):
        sys.exit("cc_incast.py: %s: %s" % (algo, r.stderr.strip()))
    summary = json.load(open(os.path.join(out, "summary.json")))
    flows = list(csv.DictReader(open(os.path.join(out, "flows.csv"))))
    ports = list(csv.DictReader(open(os.path.join(out, "ports.csv"))))
    peak = max(int(p["max_queue_bytes"]) for p in ports
               if p["node"] == "leaf0" and p["peer"] == "host0")
    incast = [f for f in flows if f["dst"] == "host0"]
    victim = [f for f in flows if f["src"] == "host8" and f["dst"] == "host1"][0]
    done = [f for f in incast if f["status"] == "done"]
    tput = [int(f["size_bytes"]) / float(f["fct_us"]) for f in done]
    jain = sum(tput) ** 2 / (len(tput) * sum(t * t for t in tput)) if tput else float("nan")
    drain = max(float(f["finish_us"]) for f in done) if done else float("nan")
    trims = summary.get("trimming", {}).get("trimmed_packets", 0)
    return {
        "trims": trims,
        "peak_kb": peak / 1000,
        "pause_us": summary["pfc"]["paused_time_us_total"],
        "frames": summary["pfc"]["pause_frames"],
        "drain_us": drain,
        "done": "%d/%d" % (len(done), len(incast)),
        "jain": jain,
        "victim_fct": float(victim["fct_us"]),
        "victim_sd": float(victim["slowdown"]),
    }


def main():
    if not os.access(BIN, os.X_OK):
        sys.exit("cc_incast.py: %s: no aifabric binary (make build)" % BIN)
    print("| algorithm | peak queue (KB) | PFC paused (us, all ports) | pause frames | incast drain (us) | incast done | Jain (incast throughputs) | innocent flow FCT (us) | its slowdown | trimmed |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for a in ALGOS:
            m = run(a, os.path.join(tmp, a))
            print("| %s | %.0f | %.1f | %d | %.1f | %s | %.3f | %.1f | %.2f | %d |" % (
                a, m["peak_kb"], m["pause_us"], m["frames"], m["drain_us"], m["done"],
                m["jain"], m["victim_fct"], m["victim_sd"], m["trims"]))


if __name__ == "__main__":
    main()
