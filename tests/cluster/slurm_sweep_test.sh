#!/usr/bin/env bash
# `depinsim sweep --slurm` under a real one-node Slurm cluster: starts munge, slurmctld and slurmd
# on this machine, submits the generated job-array script with `sbatch --wait`, merges the
# shards' indexes, and checks that the point files equal those of a local 1-thread run.
#
#   tests/cluster/slurm_sweep_test.sh DEPINSIM_BINARY SOURCE_DIR
#
# Needs root (it writes /etc/slurm/slurm.conf and a munge key). Installs slurm-wlm and munge
# with apt-get when they are missing; exits 77 (skipped) when that is not possible.
set -euo pipefail

depinsim=$(realpath "${1:?usage: $0 DEPINSIM_BINARY SOURCE_DIR}")
source_dir=$(realpath "${2:?usage: $0 DEPINSIM_BINARY SOURCE_DIR}")
skip() {
  echo "SKIPPED: $*" >&2
  exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root to configure Slurm and munge on this machine"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null ||
  ! command -v h5diff >/dev/null; then
  command -v apt-get >/dev/null || skip "slurm-wlm, munge or hdf5-tools missing and no apt-get"
  { apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      slurm-wlm munge hdf5-tools; } >/dev/null 2>&1 ||
    skip "slurm-wlm, munge or hdf5-tools missing and apt-get could not install them"
fi
if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then
  skip "a Slurm daemon is already running on this machine"
fi

work=$(mktemp -d /tmp/depinsim-slurm.XXXXXX)
chmod 755 "$work"
host=$(hostname -s)
started_munge=""
stop_daemons() {
  for pidfile in "$work/state/slurmd.pid" "$work/state/slurmctld.pid"; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 1
  if [ -n "$started_munge" ] && [ -s /run/munge/munged.pid ]; then
    kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop_daemons EXIT

# 1. munge
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- munged
  started_munge=yes
  sleep 1
fi
munge -n | unmunge | grep -q "STATUS: *Success (0)" || { echo "munge does not work" >&2; exit 1; }

# 2. slurm.conf
mkdir -p "$work/state" "$work/spool" "$work/log" /etc/slurm
[ -f /etc/slurm/slurm.conf ] && cp /etc/slurm/slurm.conf "$work/slurm.conf.saved"
memory_mib=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 256))
cat >/etc/slurm/slurm.conf <<CONF
ClusterName=local
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/state/slurmctld.pid
SlurmdPidFile=$work/state/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$(nproc) RealMemory=$memory_mib State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
restore_conf() {
  if [ -f "$work/slurm.conf.saved" ]; then cp "$work/slurm.conf.saved" /etc/slurm/slurm.conf; fi
  stop_daemons
}
trap restore_conf EXIT

# 3. the daemons
slurmctld
sleep 1
slurmd
for _ in $(seq 30); do
  sinfo -h -o %t 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o %t | grep -q idle || { echo "the node did not become idle" >&2; sinfo >&2; exit 1; }

# 4. a sweep of 8 short runs as a job array of 3 tasks, then the merge
sweep="$work/s.yaml"
cat >"$sweep" <<YAML
base: $source_dir/scenarios/basic_sensors.yaml
seed: 7
replications: 2
set:
  run.duration: 2d
  population[0].count: 150
  region.width_km: 40
  region.height_km: 40
  network.partitions: []
parameters:
  rewards.emission.per_day: [5000, 20000]
  population[0].behaviour.fabricator.share: [0.04, 0.2]
  population[0].behaviour.honest: [0.9, 0.74]
zip:
  - ["population[0].behaviour.fabricator.share", "population[0].behaviour.honest"]
YAML
"$depinsim" sweep "$sweep" -o "$work/array" --slurm --tasks 3 >"$work/job.sh"
grep -q '^#SBATCH --array=0-2$' "$work/job.sh"
(cd "$work" && timeout 300 sbatch --wait job.sh)
merge=$(sed -n 's/^#   //p' "$work/job.sh" | tail -n 1)
bash -c "$merge"

# 5. the same sweep locally, and the comparison
"$depinsim" sweep "$sweep" -o "$work/local" -q --threads 1
status=0
count=0
for local_file in "$work"/local/points/*.h5; do
  name=$(basename "$local_file")
  count=$((count + 1))
  for dataset in /epochs /nodes; do
    if ! h5diff -q "$local_file" "$work/array/points/$name" "$dataset" >/dev/null 2>&1; then
      echo "FAIL: $name: $dataset differs from the local run's" >&2
      status=1
    fi
  done
done
[ "$count" -eq 8 ] || { echo "FAIL: expected 8 local run files, found $count" >&2; status=1; }
[ "$(ls "$work"/array/points/*.h5 | wc -l)" -eq 8 ] ||
  { echo "FAIL: the job array did not write 8 run files" >&2; status=1; }
h5dump -d /points/status "$work/array/index.h5" | grep -q '"done"' ||
  { echo "FAIL: the merged index has no done runs" >&2; status=1; }
if [ "$status" -eq 0 ]; then echo "PASS: Slurm job array + merge = local run ($count run files)"; fi
exit "$status"
