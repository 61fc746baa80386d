// Benchmark workloads of shared WORKLOADS.md (W1 sgemm, W2 MLP train step, W5 single-sample latency, W6 batch
// inference) for one engine per process: `--engine sinapse|torch`. Alternate engines over several process runs
// (bench/run.sh) and compare medians: 2-thread figures on the VM drift by ±15%.
// Usage: Sinapse.Bench --engine sinapse|torch [--workloads W1,W2,W5,W6] [--threads 1,2] [--quick]
using System.Diagnostics;
using System.Globalization;
using Sinapse.Bench;

string engine = "sinapse"; string[] workloads = ["W1", "W2", "W5", "W6"]; int[] threads = [2, 1]; bool quick = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--engine": engine = args[++i]; break;
        case "--workloads": workloads = args[++i].Split(','); break;
        case "--threads": threads = args[++i].Split(',').Select(int.Parse).ToArray(); break;
        case "--quick": quick = true; break;
        default: Console.Error.WriteLine($"error: unknown option {args[i]}"); return 2;
    }
}
IEngine e = engine switch { "sinapse" => new SinapseEngine(), "torch" => new TorchEngine(), _ => throw new ArgumentException($"--engine {engine}") };
var timing = quick ? Timing.Quick : Timing.Full;
foreach (var t in threads)
{
    e.SetThreads(t);
    foreach (var w in workloads)
    {
        foreach (var (name, value, unit) in e.Run(w, timing))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{engine}\t{w}\t{name}\t{t}\t{value:F2}\t{unit}"));
    }
}
return 0;
