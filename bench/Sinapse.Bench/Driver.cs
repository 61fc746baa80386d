using System.Diagnostics;
using System.Reflection;

namespace Sinapse.Bench;

/// <summary>
/// <c>--runs N</c>: starts this program N times per engine as child processes, alternating
/// sinapse, torch, sinapse, torch, …, collects their result lines, and reports medians, spreads and ratios.
/// </summary>
/// <remarks>
/// Why child processes: each engine gets a fresh runtime (no JIT, pool or allocator state left by the other), and
/// alternating spreads the VM's slow drifts (±15% on 2 threads) over both engines instead of biasing one.
/// The driver itself never touches TorchSharp. It stops at the first failing child and exits 1, after saving what it
/// has, so CI fails loudly.
/// </remarks>
public static class Driver
{
    public static int Run(Options o)
    {
        var outDir = Path.GetFullPath(o.Out ?? DefaultOutDir());
        var results = new List<ResultLine>();
        var total = Stopwatch.StartNew();
        int exit = 0;
        var plan = Plan(o);
        for (int run = 1; run <= o.Runs && exit == 0; run++)
        {
            // Each part of the plan runs sinapse then torch, so the engines alternate throughout.
            foreach (var (part, engine) in plan.SelectMany(p => new[] { (p, "sinapse"), (p, "torch") }))
            {
                Console.Error.WriteLine($"[{total.Elapsed:mm\\:ss}] run {run}/{o.Runs}: {engine} {string.Join(",", part.Workloads)} threads {string.Join(",", part.Threads)}");
                int rc = RunChild(part.ChildArgs(engine), run, results);
                if (rc == 0) continue;
                Console.Error.WriteLine($"error: {engine} child of run {run} exited with code {rc}; stopping.");
                exit = 1;
                break;
            }
        }
        if (results.Count == 0)
        {
            Console.Error.WriteLine("error: no result lines were collected.");
            return 1;
        }
        var rows = Report.Summarise(results, o);
        Console.WriteLine();
        Console.Write(Report.Text(rows, o.Runs));
        Report.Save(outDir, results, rows, o);
        Console.WriteLine($"\nresults: {outDir} ({total.Elapsed.TotalSeconds:F0} s)");
        return exit;
    }

    /// <summary>
    /// The child processes of one run. MEM gets a fresh process per thread count: its absolute RSS would otherwise
    /// include whatever earlier workloads (W1's matrices, TTA's 200 MB of MNIST) left resident.
    /// </summary>
    static List<Options> Plan(Options o)
    {
        var plan = new List<Options>();
        var shared = o.Workloads.Where(w => w != "MEM").ToArray();
        if (shared.Length > 0) plan.Add(o with { Workloads = shared });
        if (o.Workloads.Contains("MEM")) plan.AddRange(o.Threads.Select(t => o with { Workloads = ["MEM"], Threads = [t] }));
        return plan;
    }

    /// <summary>Runs one child to completion, echoing its output to stderr; returns its exit code.</summary>
    static int RunChild(List<string> args, int run, List<ResultLine> results)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var (exe, prefix) = Self();
        psi.FileName = exe;
        foreach (var a in prefix.Concat(args)) psi.ArgumentList.Add(a);
        using var p = new Process { StartInfo = psi };
        var gate = new object();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (gate)
            {
                Console.Error.WriteLine($"  {e.Data}");
                if (ResultLine.TryParse(e.Data, run) is { } line) results.Add(line);
            }
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (gate) Console.Error.WriteLine($"  ! {e.Data}"); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        p.WaitForExit(); // the parameterless overload also waits for the redirected streams to drain
        return p.ExitCode;
    }

    /// <summary>
    /// How to start this same program: the apphost directly, or `dotnet Sinapse.Bench.dll` when run through dotnet.
    /// </summary>
    static (string Exe, string[] Prefix) Self()
    {
        var exe = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program's path");
        bool viaDotnet = Path.GetFileNameWithoutExtension(exe).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return viaDotnet ? (exe, [Assembly.GetEntryAssembly()!.Location]) : (exe, []);
    }

    /// <summary>bench/results/&lt;date-time&gt; of the repository this program was built in, else ./results/&lt;date-time&gt;.</summary>
    static string DefaultOutDir()
    {
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss");
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (Directory.Exists(Path.Combine(d.FullName, "bench", "Sinapse.Bench")))
                    return Path.Combine(d.FullName, "bench", "results", stamp);
        return Path.Combine("results", stamp);
    }
}
