#!/usr/bin/env bash
# Opens two run reports (index.html of an MNIST run and of a grid-world run) in headless Chromium, as a person would
# in a browser, and checks what it rendered: the page's DOM has the report's sections and every picture decoded
# (no broken image), and the screenshot is a full page, not a blank one. Chromium is installed with apt-get
# (--no-install-recommends) when missing and possible; without it the check is skipped, saying so.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
  # A fresh machine may have no package lists yet.
  source "$root/scripts/apt-tool.sh" && ensure_tool chromium
  browser="$(command -v chromium || true)"
fi
if [ -z "$browser" ]; then
  echo "report-check: SKIPPED: no Chromium and none could be installed"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cli() { dotnet run --project "$root/src/Sinapse.Cli" -c Release -- "$@"; }
(cd "$root" && cli train --epochs 1 --out "$work/mnist" >/dev/null)
(cd "$root" && cli rl --env gridworld --algo value-iteration --out "$work/grid" >/dev/null)
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars)
check() { local dir=$1; shift
  "$browser" "${flags[@]}" --screenshot="$work/shot.png" --window-size=1200,2000 "file://$dir/index.html" 2>/dev/null
  local size; size=$(stat -c %s "$work/shot.png")
  [ "$size" -gt 20000 ] || { echo "report-check: $dir/index.html rendered a near-empty page ($size bytes)"; exit 1; }
  local dom; dom="$("$browser" "${flags[@]}" --dump-dom "file://$dir/index.html" 2>/dev/null)"
  for want in "$@"; do grep -q "$want" <<<"$dom" || { echo "report-check: $dir/index.html lacks '$want'"; exit 1; }; done
  echo "report-check: $dir/index.html rendered ($size-byte screenshot)"
}
check "$work/mnist" "metrics.json" "test_accuracy" "Plots and pictures" "loss.png" "confusion.png" "Sample predictions"
check "$work/grid" "rl.json" "gridworld.png"
echo "report check passed"
