#!/usr/bin/env bash
# Goodput against random per-link loss for each loss-recovery mode: examples/loss-recovery.yaml
# (one endless flow across a 2-tier leaf-spine at 100 Gbps, every link losing frames at q in
# both directions, PFC off, no congestion control) run for STOP_TIME at each q, goodput =
# received payload / (STOP_TIME x payload line rate), beside the renewal model of
# tests/scenarios/loss_recovery_test.cc (docs/congestion-control.md, "Loss recovery"), and
# the collapse point: the smallest q at which measured goodput is below 50 %.
#
# Usage: bench/loss_sweep.sh [AIFABRIC_BINARY] [STOP_TIME] [SEED]   (defaults:
#        build/bin/aifabric, 1s, 1). Prints a Markdown table (docs/validation.md).
set -euo pipefail

bin=${1:-build/bin/aifabric}
stop=${2:-1s}
seed=${3:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/aifabric-loss-sweep.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ ! -x $bin ]]; then
  echo "loss_sweep.sh: $bin: no aifabric binary (build first: make build)" >&2
  exit 2
fi

rates=(1e-6 3e-6 1e-5 3e-5 1e-4 3e-4 1e-3 3e-3 1e-2)
names=(gbn-nack gbn-timeout selective irn)
# The overrides of each mode; IRN: BDP-FC of one BDP (29 frames of this path), immediate
# reaction to a SACK, its RTO_high.
declare -A sets=(
  [gbn-nack]="transport.recovery=go_back_n transport.nack=true"
  [gbn-timeout]="transport.recovery=go_back_n transport.nack=false"
  [selective]="transport.recovery=selective"
  [irn]="transport.recovery=selective transport.bdp_cap=29 transport.reorder_window=1ns transport.rto=320us"
)
declare -A rto_of=([gbn-nack]=4e-3 [gbn-timeout]=4e-3 [selective]=4e-3 [irn]=320e-6)

# The renewal model (first order in the per-frame loss p; see the test file).
model() {  # mode q rto_seconds
  awk -v mode="$1" -v q="$2" -v rto="$3" 'BEGIN {
    h = 4; T = 4178 * 8 / 100e9; Ta = 86 * 8 / 100e9; d = 1e-6; N = 29
    R = h * (T + d) + h * (Ta + d); p = 1 - (1 - q) ^ h
    cn = (T + R) / T; cn = (cn == int(cn)) ? cn : int(cn) + 1
    cr = (R - T + rto) / T; cr = (cr == int(cr)) ? cr : int(cr) + 1
    cr += p / (1 - p) * rto / T
    if (mode == "gbn-nack") { pr = 1 - (1 - p) ^ 2; c = (1 - pr) * cn + pr * cr }
    else if (mode == "gbn-timeout") c = cr
    else if (mode == "selective") c = 1
    else {
      cs = 1 + (T + R) / T + R / T - N; if (cs < 1) cs = 1
      ct = 1 + (R - T + rto) / T + R / T - N
      c = (1 - p) * cs + p * ct
    }
    printf "%.4f", (1 - p) / (1 - p + p * c)
  }'
}

declare -A measured
for name in "${names[@]}"; do
  for q in "${rates[@]}"; do
    args=()
    for s in ${sets[$name]}; do args+=(--set "$s"); done
    out=$work/$name-$q
    rc=0
    "$bin" run "$root/examples/loss-recovery.yaml" --quiet --out "$out" --seed "$seed" \
      --set traffic.0.size=1TiB --set "stop_time=$stop" \
      --set "topology.host_link.loss_rate=$q" --set "topology.fabric_link.loss_rate=$q" \
      "${args[@]}" >/dev/null 2>&1 || rc=$?
    # 3 = the run ended before the flow did: the fixed-time measurement wanted here.
    if [[ $rc -ne 0 && $rc -ne 3 ]]; then
      echo "loss_sweep.sh: $name at $q failed (exit $rc)" >&2
      exit 1
    fi
    measured[$name,$q]=$(awk -F, -v stop="$stop" '
      function seconds(s) {
        if (s ~ /ms$/) return substr(s, 1, length(s) - 2) * 1e-3
        if (s ~ /us$/) return substr(s, 1, length(s) - 2) * 1e-6
        return substr(s, 1, length(s) - 1) + 0
      }
      NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "received_bytes") col = i; next }
      { printf "%.4f", $col / (seconds(stop) * 100e9 / 8 * 4096 / 4178) }' "$out/flows.csv")
  done
done

echo "| loss per link |$(printf " %s (model) |" "${names[@]}")"
echo "|---|$(printf -- '---|%.0s' "${names[@]}")"
declare -A collapse
for q in "${rates[@]}"; do
  row="| $q |"
  for name in "${names[@]}"; do
    g=${measured[$name,$q]}
    row+=" $(awk -v g="$g" 'BEGIN { printf "%.1f %%", 100 * g }') ($(awk -v m="$(model "$name" "$q" "${rto_of[$name]}")" 'BEGIN { printf "%.1f %%", 100 * m }')) |"
    if [[ -z ${collapse[$name]:-} ]] && awk -v g="$g" 'BEGIN { exit !(g < 0.5) }'; then
      collapse[$name]=$q
    fi
  done
  echo "$row"
done
row="| collapse (< 50 %) |"
for name in "${names[@]}"; do row+=" ${collapse[$name]:-none up to 1e-2} |"; done
echo "$row"
echo
echo "goodput / loss-free payload rate (100 Gbps x 4096/4178); $stop simulated per point, seed $seed; rto 4 ms (irn: 320 us)"
