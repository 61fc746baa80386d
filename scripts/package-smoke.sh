#!/usr/bin/env bash
# Packs Sinapse and Sinapse.Cli into a local feed, then uses them as a new user would: a fresh console app adds the
# Sinapse package and trains XOR; the installed sinapse tool, run from an empty folder, trains MNIST for one epoch,
# evaluates the run, fetches Fashion-MNIST by name and trains on its four IDX files as a folder without a manifest.
# Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
dotnet pack "$root/src/Sinapse" -c Release -o "$feed" -v quiet -nologo
dotnet pack "$root/src/Sinapse.Cli" -c Release -o "$feed" -v quiet -nologo
version="$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' "$root/Directory.Build.props")"
cat > "$work/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
CONFIG

# 1. The library in a fresh console app.
cd "$work"
dotnet new console -o app -n XorApp --framework net10.0 >/dev/null
cat > app/Program.cs <<'PROGRAM'
using Sinapse;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

var x = Tensor.FromArray([0f, 0, 0, 1, 1, 0, 1, 1], 4, 2);
var y = Tensor.FromArray([0f, 1, 1, 0]);
Generator.ManualSeed(1);
var model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 2));
Trainer.Fit(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.05f), new DataLoader(new TensorDataset(x, y), 4), epochs: 200);
var predicted = model.Call(x).ArgMax(1).ToArray();
int right = predicted.Zip(y.ToArray()).Count(p => p.First == p.Second);
Console.WriteLine($"XOR accuracy: {right * 100 / 4}%");
return right == 4 ? 0 : 1;
PROGRAM
dotnet add app package Sinapse --version "$version" >/dev/null
out="$(dotnet run --project app -c Release)"
echo "$out"
grep -q "XOR accuracy: 100%" <<<"$out"

# 2. The tool, installed, run from an empty folder with no data of its own.
dotnet tool install Sinapse.Cli --version "$version" --tool-path "$work/tool" >/dev/null
mkdir "$work/empty" && cd "$work/empty"
"$work/tool/sinapse" xor | tail -2
"$work/tool/sinapse" train --epochs 1 --out run | tail -3
"$work/tool/sinapse" eval --model run | tail -1
"$work/tool/sinapse" data list | head -5
# Fashion-MNIST by name into a private cache, then the same four IDX files as a folder of one's own (no manifest).
export SINAPSE_DATA="$work/cache"
"$work/tool/sinapse" data fetch fashion-mnist
mkdir "$work/own" && cp "$SINAPSE_DATA"/fashion-mnist/*-ubyte.gz "$work/own/"
"$work/tool/sinapse" train --data "$work/own" --epochs 1 --out run-own | grep -E "training mlp on|test accuracy"
echo "package smoke test passed"
