using System.Diagnostics;
using System.Globalization;

namespace Sinapse.Bench;

/// <summary>
/// MEM: W2's training step repeated 10,000 times (--quick: 300), to catch leaks and allocation churn that a
/// seconds-long timing run never shows. Engine-neutral: the engine passes its W2 step as a closure.
/// </summary>
/// <remarks>
/// Step 100 is the baseline: by then pools, caches and JIT tiers have settled, so growth after it is what a long
/// training run would keep accumulating. RSS covers native memory (libtorch's allocator, pinned buffers) as well as
/// the managed heap; the managed counters (allocated bytes, gen-2 collections) only mean something for Sinapse.
/// </remarks>
public static class MemoryWorkload
{
    public const int Baseline = 100;
    public const int Settled = 1000;
    public static int Steps(bool quick) => quick ? 300 : 10_000;

    public static IEnumerable<(string, double, string)> Run(Action step, int steps, bool managedCounters)
    {
        // The setup (model, optimizer, 8 input batches) is made old first, as BenchmarkDotNet does before it
        // measures, so that the count is the training steps' own. Without this, the 3.2 MB of input batches created
        // after the model reach gen 2 during the steps: 2 collections over 10,000 steps, measured.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        int gen2Start = GC.CollectionCount(2);
        for (int i = 0; i < Baseline; i++) step();
        double rssBase = RssMiB();
        int gen2Base = GC.CollectionCount(2);
        // The training step runs on this thread, so its counter is the precise, noise-free figure; the process-wide
        // counter adds what the kernels' worker threads (Parallel.For) allocate.
        long alloc0 = GC.GetAllocatedBytesForCurrentThread(), allAlloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        int gen2Settled = -1;
        for (int i = Baseline; i < steps; i++)
        {
            step();
            if (i + 1 == Settled) gen2Settled = GC.CollectionCount(2);
        }
        double seconds = sw.Elapsed.TotalSeconds;
        long alloc1 = GC.GetAllocatedBytesForCurrentThread(), allAlloc1 = GC.GetTotalAllocatedBytes(precise: true);
        int gen2 = GC.CollectionCount(2) - gen2Start;
        double rssEnd = RssMiB();
        int measured = steps - Baseline;

        yield return ($"rss MB after {Baseline}", rssBase, "MiB");
        yield return ("rss MB at end", rssEnd, "MiB");
        yield return ("rss growth %", (rssEnd - rssBase) / rssBase * 100, "%");
        yield return ("steps/s", measured / seconds, "steps/s");
        if (managedCounters)
        {
            yield return ("alloc bytes/step", (alloc1 - alloc0) / (double)measured, "bytes");
            yield return ("alloc bytes/step all threads", (allAlloc1 - allAlloc0) / (double)measured, "bytes");
            yield return ("gen2 collections", gen2, "count");
            yield return ($"gen2 collections after step {Baseline}", GC.CollectionCount(2) - gen2Base, "count");
            if (gen2Settled >= 0) yield return ($"gen2 collections after step {Settled}", GC.CollectionCount(2) - gen2Settled, "count");
        }
    }

    /// <summary>Resident set size in MiB: VmRSS of /proc/self/status on Linux, else the process working set.</summary>
    public static double RssMiB()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                // "VmRSS:	  123456 kB"
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kb = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return double.Parse(kb, CultureInfo.InvariantCulture) / 1024;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64 / (1024.0 * 1024.0);
    }
}
