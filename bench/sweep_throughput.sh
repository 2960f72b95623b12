#!/usr/bin/env bash
# Sweep throughput: the same 16-point sweep with --threads 1 and --threads 2 in one invocation,
# each into a fresh directory, and the ratio of their rates (runs per second of wall time).
#
#   bench/sweep_throughput.sh build/release/depinsim [DURATION] [REPEATS]
#
# DURATION is each run's simulated time (default 40d: about a quarter of a second of one core);
# REPEATS (default 3) alternates the two thread counts and keeps each one's fastest time. Exits 1
# when the two sweeps' point files differ.
set -euo pipefail

depinsim=$(realpath "${1:?usage: $0 DEPINSIM_BINARY [DURATION] [REPEATS]}")
duration=${2:-40d}
repeats=${3:-3}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/depinsim-sweep-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

cat >"$work/sweep.yaml" <<YAML
base: $source_dir/scenarios/basic_sensors.yaml
seed: 11
set:
  run.duration: $duration
  population[0].count: 300
  region.width_km: 60
  region.height_km: 60
  network.partitions: []
parameters:
  rewards.emission.per_day: [2500, 5000, 10000, 20000]
  population[0].hardware.noise_sd_c: [0.1, 0.2, 0.3, 0.4]
YAML

now() { date +%s.%N; }
best1="" best2=""
for r in $(seq "$repeats"); do
  for threads in 1 2; do
    rm -rf "$work/t$threads"
    start=$(now)
    "$depinsim" sweep "$work/sweep.yaml" -o "$work/t$threads" -q --threads "$threads"
    seconds=$(echo "$(now) - $start" | bc -l)
    echo "repeat $r: --threads $threads: 16 runs in $(printf %.3f "$seconds") s"
    if [ "$threads" = 1 ]; then
      if [ -z "$best1" ] || [ "$(echo "$seconds < $best1" | bc -l)" = 1 ]; then best1=$seconds; fi
    else
      if [ -z "$best2" ] || [ "$(echo "$seconds < $best2" | bc -l)" = 1 ]; then best2=$seconds; fi
    fi
  done
done

for f in "$work"/t1/points/*.h5; do
  for dataset in /epochs /nodes; do
    h5diff -q "$f" "$work/t2/points/$(basename "$f")" "$dataset" >/dev/null ||
      { echo "the two runs' $dataset differ in $(basename "$f")" >&2; exit 1; }
  done
done

printf 'sweep of 16 points (%s each) on %s cores\n' "$duration" "$(nproc)"
printf '  --threads 1  %8.3f s  %6.2f runs/s\n' "$best1" "$(echo "16 / $best1" | bc -l)"
printf '  --threads 2  %8.3f s  %6.2f runs/s\n' "$best2" "$(echo "16 / $best2" | bc -l)"
printf '  speed-up     %8.2f x\n' "$(echo "$best1 / $best2" | bc -l)"
