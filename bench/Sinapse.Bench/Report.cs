using System.Globalization;
using System.Text;

namespace Sinapse.Bench;

/// <summary>Median, min and max of one engine's values for one row; NaN runs (e.g. "never reached 0.98") are counted apart.</summary>
public sealed record Stats(double Median, double Min, double Max, int NaNs)
{
    public static Stats? Of(IEnumerable<double> values)
    {
        var all = values.ToList();
        if (all.Count == 0) return null;
        var v = all.Where(double.IsFinite).Order().ToList();
        if (v.Count == 0) return new Stats(double.NaN, double.NaN, double.NaN, all.Count);
        double median = v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
        return new Stats(median, v[0], v[^1], all.Count - v.Count);
    }

    public override string ToString()
    {
        if (double.IsNaN(Median)) return "NaN";
        var s = $"{Report.Num(Median)} [{Report.Num(Min)}–{Report.Num(Max)}]";
        return NaNs > 0 ? $"{s} +{NaNs} NaN" : s;
    }
}

/// <summary>One table row: a (workload, case, threads) with both engines' statistics and the ratio of medians.</summary>
/// <param name="Ratio">&gt; 1 means Sinapse is better: sinapse/torch for rates, torch/sinapse for times and sizes; NaN where it means nothing.</param>
public sealed record Row(string Workload, string Case, int Threads, string Unit, Stats? Sinapse, Stats? Torch, double Ratio)
{
    public string Label => $"{Workload} {Case} T{Threads}";
}

/// <summary>Turns collected result lines into rows, a console table, table.md and results.tsv.</summary>
public static class Report
{
    static readonly HashSet<string> HigherIsBetter = ["GFLOP/s", "samples/s", "steps/s", "tokens/s", "acc"];
    static readonly HashSet<string> LowerIsBetter = ["us", "µs", "ms", "s", "MiB", "MB"];

    /// <summary>One row per (workload, case, threads), ordered by --threads, then --workloads, then the children's case order.</summary>
    public static List<Row> Summarise(IReadOnlyList<ResultLine> results, Options o) =>
        results.GroupBy(r => (r.Workload, r.Case, r.Threads)) // GroupBy keeps first-seen order; OrderBy below is stable
            .OrderBy(g => Array.IndexOf(o.Threads, g.Key.Threads))
            .ThenBy(g => Array.IndexOf(o.Workloads, g.Key.Workload))
            .Select(g =>
            {
                var s = Stats.Of(g.Where(r => r.Engine == "sinapse").Select(r => r.Value));
                var t = Stats.Of(g.Where(r => r.Engine == "torch").Select(r => r.Value));
                var unit = g.First().Unit;
                return new Row(g.Key.Workload, g.Key.Case, g.Key.Threads, unit, s, t, Ratio(unit, s, t));
            })
            .ToList();

    /// <summary>Ratio of medians oriented so that &gt; 1 favours Sinapse; NaN for direction-less units (%, bytes, counts).</summary>
    static double Ratio(string unit, Stats? s, Stats? t)
    {
        if (s is null || t is null || !(s.Median > 0) || !(t.Median > 0)) return double.NaN;
        return HigherIsBetter.Contains(unit) ? s.Median / t.Median
            : LowerIsBetter.Contains(unit) ? t.Median / s.Median
            : double.NaN;
    }

    /// <summary>Compact number: integers (counts) and large values without decimals, 4 decimals for small ones (accuracies).</summary>
    public static string Num(double v) => double.IsNaN(v) ? "NaN" : v.ToString(Math.Abs(v) switch
    {
        _ when v == Math.Round(v) => "#,0",
        >= 1000 => "#,0",
        >= 100 => "0",
        >= 10 => "0.0",
        >= 1 => "0.00",
        _ => "0.####",
    }, CultureInfo.InvariantCulture);

    static string RatioText(double r) => double.IsNaN(r) ? "—" : r.ToString("0.00", CultureInfo.InvariantCulture);

    static string[] Header => ["workload", "case", "threads", "unit", "Sinapse median [min–max]", "TorchSharp median [min–max]", "ratio"];

    static string[] Cells(Row r) =>
        [r.Workload, r.Case, r.Threads.ToString(CultureInfo.InvariantCulture), r.Unit,
         r.Sinapse?.ToString() ?? "—", r.Torch?.ToString() ?? "—", RatioText(r.Ratio)];

    /// <summary>Plain-text table with aligned columns, for the console.</summary>
    public static string Text(IReadOnlyList<Row> rows, int runs)
    {
        var table = rows.Select(Cells).Prepend(Header).ToList();
        var widths = Enumerable.Range(0, Header.Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine($"{runs} run(s) per engine; ratio = ratio of medians, > 1 means Sinapse is faster (or smaller, or more accurate)");
        foreach (var r in table)
            sb.AppendLine(string.Join("  ", r.Select((cell, c) => c >= 4 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
        return sb.ToString();
    }

    /// <summary>Markdown table with a line saying how it was measured, ready to paste into BENCHMARKS.md.</summary>
    public static string Markdown(IReadOnlyList<Row> rows, Options o)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Sinapse vs TorchSharp-cpu 0.107.0, {o.Runs} alternating process run(s) per engine{(o.Quick ? ", **--quick (not for quoting)**" : "")}, " +
                      $"{DateTime.Now:yyyy-MM-dd HH:mm}, {Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}. " +
                      "Ratio: ratio of medians, > 1 means Sinapse is better (rates: Sinapse/Torch; times and sizes: Torch/Sinapse).");
        sb.AppendLine();
        sb.AppendLine($"| {string.Join(" | ", Header)} |");
        sb.AppendLine($"|{string.Concat(Header.Select((_, c) => c >= 4 ? "---:|" : "---|"))}");
        foreach (var r in rows) sb.AppendLine($"| {string.Join(" | ", Cells(r))} |");
        return sb.ToString();
    }

    /// <summary>Writes results.tsv (every raw line, with its run number), table.md and ratios.png into <paramref name="dir"/>.</summary>
    public static void Save(string dir, IReadOnlyList<ResultLine> results, IReadOnlyList<Row> rows, Options o)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, "results.tsv"), results.Select(r => r.ToTsv()).Prepend(ResultLine.TsvHeader));
        File.WriteAllText(Path.Combine(dir, "table.md"), Markdown(rows, o));
        try { RatioChart.Save(Path.Combine(dir, "ratios.png"), rows, o.Runs); }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The chart is a convenience: a missing native graphics library must not throw away the results.
            Console.Error.WriteLine($"warning: ratios.png not written: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
