#!/usr/bin/env bash
# Regenerates data/sunspots/sunspots.csv and data/airpassengers/airpassengers.csv from the Debian package
# python3-statsmodels 0.13.5+dfsg-7 (bookworm). The .deb is downloaded and unpacked with `dpkg -x`; nothing is
# installed. Needs apt-get (after an `apt-get update`), dpkg, sed, awk and sha256sum.
# - sunspots.csv is statsmodels/datasets/sunspots/sunspots.csv, copied unchanged.
# - airpassengers.csv is made from the list `air2_data` (144 monthly values) in
#   statsmodels/tsa/statespace/tests/results/results_sarimax.py: the package ships no AirPassengers CSV, so the
#   values are written one a row under a Month column (1949-01 to 1960-12) that this script adds.
# apt-get may warn that the download runs "unsandboxed as root" (the _apt user cannot write to the temp dir);
# that is harmless.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download -q python3-statsmodels=0.13.5+dfsg-7 >/dev/null
sha256sum -c - <<'SHA'
77474ba544c8e18e7932635ef9ab65abc1b8720fb471465d2a6ddd5ea81f08ad  python3-statsmodels_0.13.5+dfsg-7_all.deb
SHA
dpkg -x python3-statsmodels_0.13.5+dfsg-7_all.deb x
sm=x/usr/lib/python3/dist-packages/statsmodels
mkdir -p "$root/data/sunspots" "$root/data/airpassengers"
cp "$sm/datasets/sunspots/sunspots.csv" sunspots.csv
# Lines from `air2_data = [` to the closing `]`, one number a line, then Month,Passengers rows from January 1949.
sed -n '/^air2_data = \[/,/^\]/p' "$sm/tsa/statespace/tests/results/results_sarimax.py" \
  | sed -e '1d' -e '$d' | tr ',' '\n' | tr -d ' \t' | sed '/^$/d' \
  | awk 'BEGIN { print "Month,Passengers" }
         { printf "%04d-%02d,%s\n", 1949 + int((NR - 1) / 12), (NR - 1) % 12 + 1, $0 }
         END { if (NR != 144) { print "expected 144 values, got " NR > "/dev/stderr"; exit 1 } }' > airpassengers.csv
# The two CSVs as first made.
sha256sum -c - <<'SHA'
f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b  sunspots.csv
29a86cac504338c7c5607e721396e4bda240ca61785ffcac9ed1af4088199d42  airpassengers.csv
SHA
cp sunspots.csv "$root/data/sunspots/sunspots.csv"
cp airpassengers.csv "$root/data/airpassengers/airpassengers.csv"
(cd "$root/data/sunspots" && sha256sum sunspots.csv > SHA256SUMS && cat SHA256SUMS)
(cd "$root/data/airpassengers" && sha256sum airpassengers.csv > SHA256SUMS && cat SHA256SUMS)
