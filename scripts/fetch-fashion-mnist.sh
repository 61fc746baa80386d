#!/usr/bin/env bash
# Fetches Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, MIT licence) from the Debian package dataset-fashion-mnist without
# installing it: apt-get download + dpkg -x, then checks the four gzipped IDX files against their pinned sha256 and
# writes them with a SHA256SUMS manifest into $SINAPSE_DATA/fashion-mnist (default ~/.cache/sinapse/fashion-mnist).
# Then: sinapse train --model cnn --data fashion-mnist
set -euo pipefail
dest="${SINAPSE_DATA:-$HOME/.cache/sinapse}/fashion-mnist"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get download dataset-fashion-mnist >/dev/null 2>&1; then
  # A fresh machine may have no package lists yet.
  (apt-get update >/dev/null 2>&1 || sudo apt-get update >/dev/null) && apt-get download dataset-fashion-mnist >/dev/null
fi
dpkg -x dataset-fashion-mnist_*.deb x
cd x/usr/share/datasets/fashion-mnist
sha256sum -c - <<'SHA'
b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7  train-images-idx3-ubyte.gz
0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056  train-labels-idx1-ubyte.gz
cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa  t10k-images-idx3-ubyte.gz
8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05  t10k-labels-idx1-ubyte.gz
SHA
mkdir -p "$dest"
cp train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz "$dest/"
cd "$dest"
sha256sum train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz > SHA256SUMS
echo "Fashion-MNIST in $dest"
