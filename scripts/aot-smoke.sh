#!/usr/bin/env bash
# Publishes the sinapse CLI with NativeAOT (one native executable, the SkiaSharp libraries and data/ beside it), then
# runs it as on a machine without .NET: an empty environment, PATH without dotnet. It must run xor, train one epoch
# of MNIST, predict an image, export the run as ONNX, learn the grid world and list the data sets; start-up time is
# reported beside the JIT build's.
# NativeAOT links with a C toolchain: clang (any clang-NN) is used, installed with apt-get when missing and possible.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cc="$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$cc" ]; then
  source "$root/scripts/apt-tool.sh" && ensure_tool clang
  cc="$(command -v clang || true)"
fi
if [ -z "$cc" ]; then
  echo "aot-smoke: SKIPPED: no clang and none could be installed (NativeAOT needs a C toolchain to link)"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet build "$root/src/Sinapse.Cli" -c Release -v quiet -nologo >/dev/null
dotnet publish "$root/src/Sinapse.Cli" -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker="$cc" -o "$work/aot" -v quiet -nologo
bin="$work/aot/Sinapse.Cli"
mkdir "$work/empty" && cd "$work/empty"
run() { env -i PATH=/usr/bin:/bin HOME="$work/empty" "$@"; }
run "$bin" xor | tail -3
run "$bin" train --epochs 1 --out run | tail -2
run "$bin" predict --model run run/confusion.png | tail -1
run "$bin" export --onnx run | tail -1
run "$bin" rl --env gridworld --algo q-learning --out grid | grep "policy equals"
run "$bin" data list | head -2
start() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
aot_ms=$(start run "$bin" --version)
jit_ms=$(start dotnet "$root/src/Sinapse.Cli/bin/Release/net10.0/Sinapse.Cli.dll" --version)
run_ms=$(start dotnet run --project "$root/src/Sinapse.Cli" -c Release --no-build -- --version)
echo "start-up (sinapse --version): NativeAOT ${aot_ms} ms, JIT (dotnet Sinapse.Cli.dll) ${jit_ms} ms, dotnet run ${run_ms} ms; executable $(du -h "$bin" | cut -f1)"
echo "aot smoke test passed"
