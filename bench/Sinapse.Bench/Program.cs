// Benchmark workloads of shared WORKLOADS.md (W1 sgemm, W2 MLP train step, W5 single-sample latency, W6 batch
// inference, MEM memory over a long W2 run, TTA time to accuracy on MNIST), Sinapse against TorchSharp-cpu.
// Two modes:
//   --engine sinapse|torch   one engine in this process; prints tab-separated result lines
//                            (engine, workload, case, threads, value, unit) on stdout.
//   --parity                 Conv2d → ReLU → MaxPool2d and LSTM against libtorch: outputs and gradients within 1e-5.
//   --runs N                 the driver: starts this program N times per engine, alternating engines (the VM's
//                            2-thread figures drift by ±15%, so only medians over alternated processes compare),
//                            then prints and saves medians, spreads and ratios (see Driver.cs).
// One engine per process keeps the two runtimes (thread pools, allocators, libtorch's OpenMP) from disturbing each
// other. See bench/README.md.
using System.Runtime.CompilerServices;
using Sinapse.Bench;

if (args is ["--parity"]) return RunParity();

Options o;
try { o = Options.Parse(args); }
catch (ArgumentException ex) { Console.Error.WriteLine($"error: {ex.Message}\n{Options.Usage}"); return 2; }

if (o.Runs > 0) return Driver.Run(o);

IEngine e = CreateEngine(o.Engine);
var settings = new RunSettings(o.Quick ? Timing.Quick : Timing.Full, o.Quick, o.Data, o.Budget);
foreach (var t in o.Threads)
{
    e.SetThreads(t);
    foreach (var w in o.Workloads)
    {
        // Lines are printed as they are produced (stdout auto-flushes), so the driver sees progress.
        foreach (var (name, value, unit) in e.Run(w, settings))
            Console.WriteLine(ResultLine.Format(o.Engine, w, name, t, value, unit));
    }
}
return 0;

// Kept out of the top-level code so that nothing of TorchSharp is resolved before TorchEngine.Create has patched
// libLibTorchSharp.so (see ElfVersionRelax).
[MethodImpl(MethodImplOptions.NoInlining)]
static int RunParity() => Parity.Run();

[MethodImpl(MethodImplOptions.NoInlining)]
static IEngine CreateEngine(string engine) => engine == "torch" ? TorchEngine.Create() : new SinapseEngine();
