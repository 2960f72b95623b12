#!/usr/bin/env bash
# Installs depinsim's build and test dependencies from Debian 12 packages. Safe to run again:
# when every package is present it exits at once without touching apt.
set -euo pipefail

packages=(
  build-essential cmake ninja-build git
  libboost-graph-dev libeigen3-dev libyaml-cpp-dev libhdf5-dev hdf5-tools
  librandom123-dev libcli11-dev catch2 openmpi-bin libopenmpi-dev slurm-wlm munge
  python3 python3-h5py python3-numpy
  python3-pandas python3-xarray python3-matplotlib python3-scipy python3-yaml
  python3-pytest python3-nbconvert python3-nbclient python3-nbformat python3-ipykernel
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

$sudo apt-get update -qq
echo "install-deps: installing ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
