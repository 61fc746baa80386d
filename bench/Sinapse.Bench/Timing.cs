using System.Diagnostics;

namespace Sinapse.Bench;

/// <summary>WORKLOADS.md timing: warm-up, then iterations so one repetition lasts ≥ 0.4 s, then 7 repetitions; the median.</summary>
public sealed record Timing(double WarmupSeconds, double RepSeconds, int Reps)
{
    public static readonly Timing Full = new(1.0, 0.4, 7);
    public static readonly Timing Quick = new(0.02, 0.02, 1);

    /// <summary>Median seconds per call of <paramref name="body"/>.</summary>
    public double Measure(Action body, double warmup)
    {
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < Math.Min(warmup, WarmupSeconds) || calls < 3) { body(); calls++; }
        double per = sw.Elapsed.TotalSeconds / calls;
        int iters = Math.Max(1, (int)Math.Ceiling(RepSeconds / Math.Max(per, 1e-9)));
        var reps = new List<double>();
        for (int r = 0; r < Reps; r++)
        {
            sw.Restart();
            for (int i = 0; i < iters; i++) body();
            reps.Add(sw.Elapsed.TotalSeconds / iters);
        }
        reps.Sort();
        return reps[reps.Count / 2];
    }

    /// <summary>W5: each call timed alone; per repetition the median call; the median of repetitions.</summary>
    public double MeasureLatency(Action body)
    {
        var sw = Stopwatch.StartNew();
        int warm = 0; // at least 3 warm-up calls, as WORKLOADS.md asks
        while (sw.Elapsed.TotalSeconds < Math.Min(0.5, WarmupSeconds) || warm < 3) { body(); warm++; }
        var medians = new List<double>();
        for (int r = 0; r < Reps; r++)
        {
            var calls = new List<double>();
            var rep = Stopwatch.StartNew();
            while (rep.Elapsed.TotalSeconds < RepSeconds || calls.Count < 3)
            {
                long t0 = Stopwatch.GetTimestamp();
                body();
                calls.Add((Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency);
            }
            calls.Sort();
            medians.Add(calls[calls.Count / 2]);
        }
        medians.Sort();
        return medians[medians.Count / 2];
    }
}
