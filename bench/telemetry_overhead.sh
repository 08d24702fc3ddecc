#!/usr/bin/env bash
# Telemetry overhead benchmark: what telemetry (the sampled time series, pause episodes,
# telemetry.sqlite, metrics.prom, report.html) costs a user on every example, as the
# wall time of the whole `aifabric run` process and the size of its results folder,
# with telemetry on (each example as written) and off (--set telemetry.enabled=false).
# The two runs of an example alternate, REPEAT times each (default 3), and the median
# wall time of each is kept, so a shared machine's drift hits both alike.
#
# Usage: bench/telemetry_overhead.sh [AIFABRIC_BINARY] [REPEAT] [EXAMPLE ...]
#        (make bench-telemetry); EXAMPLE is a name in examples/ (without .yaml) or
#        ns3-config; without any, every example.
# Prints a Markdown table (docs/performance.md, "Telemetry overhead") and, per example,
# the fingerprint of flows.csv (sha256 of on vs off: telemetry must not change results).
set -euo pipefail

bin=${1:-build/bin/aifabric}
repeat=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/aifabric-telemetry-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ ! -x $bin ]]; then
  echo "telemetry_overhead.sh: $bin: no aifabric binary (build first: make build)" >&2
  exit 2
fi

# Wall seconds of one run (nanosecond clock, the process from start to exit).
wall_of() {
  local out=$1
  shift
  local t0 t1
  t0=$(date +%s%N)
  "$bin" run "$@" --quiet --no-progress --force --out "$out" >/dev/null 2>"$work/err" || {
    echo "telemetry_overhead.sh: aifabric run $* failed: $(tail -1 "$work/err")" >&2
    exit 1
  }
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
kib() { du -sk "$1" | cut -f1; }
hash_of() { if [[ -f $1/flows.csv ]]; then sha256sum "$1/flows.csv" | cut -c1-12; else echo -; fi; }

shift $(($# < 2 ? $# : 2))
examples=()
if (($# > 0)); then
  for n in "$@"; do
    if [[ $n == ns3-config ]]; then examples+=(ns3); else examples+=("$root/examples/$n.yaml"); fi
  done
else
  for f in "$root"/examples/*.yaml; do examples+=("$f"); done
  examples+=(ns3)
fi
echo "telemetry overhead: $(basename "$bin") $("$bin" --version | cut -d' ' -f2), median of $repeat runs, $(nproc) cores"
echo
echo "| example | wall off | wall on | wall overhead | folder off | folder on | telemetry.sqlite | size overhead | flows.csv on = off |"
echo "|---|---|---|---|---|---|---|---|---|"
for f in "${examples[@]}"; do
  if [[ $f == ns3 ]]; then
    name=ns3-config
    args=(--ns3-config "$root/examples/ns3/config.txt")
  else
    name=$(basename "$f" .yaml)
    args=("$f")
  fi
  on=() off=()
  for ((i = 0; i < repeat; ++i)); do
    off+=("$(wall_of "$work/off" "${args[@]}" --set telemetry.enabled=false)")
    on+=("$(wall_of "$work/on" "${args[@]}")")
  done
  w_off=$(median "${off[@]}")
  w_on=$(median "${on[@]}")
  s_off=$(kib "$work/off")
  s_on=$(kib "$work/on")
  db=0
  [[ -f $work/on/telemetry.sqlite ]] && db=$(($(stat -c %s "$work/on/telemetry.sqlite") / 1024))
  same=yes
  [[ $(hash_of "$work/on") == $(hash_of "$work/off") ]] || same=NO
  awk -v n="$name" -v a="$w_off" -v b="$w_on" -v sa="$s_off" -v sb="$s_on" -v db="$db" -v same="$same" \
    'BEGIN { printf "| %s | %.2f s | %.2f s | %+.0f %% (%+.2f s) | %d KiB | %d KiB | %d KiB | %+d KiB | %s |\n",
             n, a / 1000, b / 1000, (a > 0 ? 100 * (b - a) / a : 0), (b - a) / 1000, sa, sb, db, sb - sa, same }'
done
