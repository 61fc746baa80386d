#!/usr/bin/env bash
# Installs Open MPI (Debian's openmpi-bin and libopenmpi-dev) for data-parallel training and its tests
# (`mpirun -np 2 sinapse train --distributed`). Fails, saying what to install, when mpirun cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-tool.sh
command -v mpirun >/dev/null || ensure_tool openmpi-bin
[ -e /usr/lib/x86_64-linux-gnu/libmpi.so ] || ls /usr/lib/*/libmpi.so.40 >/dev/null 2>&1 || ensure_tool libopenmpi-dev
if ! command -v mpirun >/dev/null; then
  echo "setup-mpi: mpirun not found and could not be installed; install Open MPI 4 (apt-get install openmpi-bin libopenmpi-dev)" >&2
  exit 1
fi
mpirun --version | head -1
