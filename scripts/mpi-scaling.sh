#!/usr/bin/env bash
# Data-parallel scaling on this machine: 1 process × 1 thread against `mpirun -np 2` × 1 thread each, for the MLP, the
# CNN and the character LSTM, alternated, RUNS pairs each (default 5). Per run: the last epoch's wall time (training
# plus the sharded validation; the first epoch holds the JIT's warm-up) and the time to a validation accuracy.
# Prints a Markdown table of medians and ranges. Usage: [MODELS="cnn charlstm"] scripts/mpi-scaling.sh [RUNS] [CLI]
set -euo pipefail
runs=${1:-5}
cli=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$cli" ]; then
  dotnet build "$root/src/Sinapse.Cli" -c Release -v q -nologo >/dev/null
  cli="$root/src/Sinapse.Cli/bin/Release/net10.0/Sinapse.Cli"
fi
command -v mpirun >/dev/null || { echo "mpi-scaling: mpirun not found (bash scripts/setup-mpi.sh)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

# model | arguments | epochs | target validation accuracy
cases=(
  "mlp|--model mlp --schedule none|3|0.965"
  "cnn|--model cnn --schedule none|2|0.98"
  "charlstm|--model charlstm --data text:moby-dick|2|0.48"
)

# last-epoch seconds and seconds to the target (or "-") from a history.csv
read_run() { awk -F, -v t="$2" 'NR>1 { sum += $7; last = $7; if (tta == "" && $5 >= t) tta = sum } END { printf "%s %s\n", last, (tta == "" ? "-" : tta) }' "$1/history.csv"; }
median() { sort -g | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f %.3f %.3f\n", m, a[1], a[NR] }'; }

echo "| model | epoch, 1 × 1 (s) | epoch, 2 ranks × 1 (s) | speed-up, median (range) | time to val acc, 1 × 1 → 2 ranks (s) |"
echo "|---|---:|---:|---:|---:|"
for c in "${cases[@]}"; do
  IFS='|' read -r name args epochs target <<<"$c"
  [[ " ${MODELS:-mlp cnn charlstm} " == *" $name "* ]] || continue
  : >"$work/$name.ratios"; : >"$work/$name.one"; : >"$work/$name.two"; : >"$work/$name.tta1"; : >"$work/$name.tta2"
  for ((i = 1; i <= runs; i++)); do
    # shellcheck disable=SC2086
    "$cli" train $args --epochs "$epochs" --threads 1 --out "$work/$name-1-$i" >/dev/null 2>&1
    # shellcheck disable=SC2086
    mpirun -np 2 --oversubscribe "$cli" train $args --epochs "$epochs" --distributed --out "$work/$name-2-$i" >/dev/null 2>&1
    read -r one tta1 < <(read_run "$work/$name-1-$i" "$target")
    read -r two tta2 < <(read_run "$work/$name-2-$i" "$target")
    echo "$one" >>"$work/$name.one"; echo "$two" >>"$work/$name.two"
    awk -v a="$one" -v b="$two" 'BEGIN { printf "%.4f\n", a / b }' >>"$work/$name.ratios"
    [ "$tta1" != "-" ] && echo "$tta1" >>"$work/$name.tta1"
    [ "$tta2" != "-" ] && echo "$tta2" >>"$work/$name.tta2"
    echo "  $name run $i: 1×1 $one s, 2×1 $two s, to $target: $tta1 → $tta2 s" >&2
  done
  read -r m1 _ _ < <(median <"$work/$name.one")
  read -r m2 _ _ < <(median <"$work/$name.two")
  read -r r lo hi < <(median <"$work/$name.ratios")
  t1=$( [ -s "$work/$name.tta1" ] && median <"$work/$name.tta1" | cut -d' ' -f1 || echo "-")
  t2=$( [ -s "$work/$name.tta2" ] && median <"$work/$name.tta2" | cut -d' ' -f1 || echo "-")
  echo "| $name | $m1 | $m2 | ${r}× ($lo–$hi) | $t1 → $t2 (to $target) |"
done
