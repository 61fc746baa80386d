using System.Globalization;
using ScottPlot;

namespace Sinapse.Bench;

/// <summary>
/// ratios.png: one bar per (workload, case, threads) with a meaningful ratio, and a line at 1.0 (parity). Green bars
/// are rows where Sinapse is better, red where TorchSharp is. Rows without a ratio (%, bytes, counts) are left out.
/// </summary>
/// <remarks>
/// The y axis is logarithmic (bars are drawn as log2 of the ratio from a base at 1.0), so "2× faster" and
/// "2× slower" are bars of the same length pointing up and down, and one outlier does not flatten the rest.
/// </remarks>
public static class RatioChart
{
    public static void Save(string path, IReadOnlyList<Row> rows, int runs)
    {
        var shown = rows.Where(r => double.IsFinite(r.Ratio) && r.Ratio > 0).ToList();
        if (shown.Count == 0) { Console.Error.WriteLine("note: no row has a ratio; ratios.png not written"); return; }

        var plt = new Plot();
        var bars = shown.Select((r, i) => new Bar
        {
            Position = i,
            ValueBase = 0,
            Value = Math.Log2(r.Ratio),
            FillColor = r.Ratio >= 1 ? Colors.SeaGreen : Colors.IndianRed,
            Label = r.Ratio.ToString("0.00", CultureInfo.InvariantCulture),
        }).ToList();
        plt.Add.Bars(bars);
        var parity = plt.Add.HorizontalLine(0); // log2(1.0)
        parity.LineColor = Colors.Black;
        parity.LinePattern = LinePattern.Dashed;

        // Y ticks at powers of two, labelled as ratios; at least 0.5 … 2 so small differences still look small.
        double lo = Math.Min(-1, Math.Floor(bars.Min(b => b.Value))), hi = Math.Max(1, Math.Ceiling(bars.Max(b => b.Value)));
        var ticks = Enumerable.Range((int)lo, (int)(hi - lo) + 1).Select(k => (double)k).ToArray();
        plt.Axes.Left.SetTicks(ticks, ticks.Select(k => Math.Pow(2, k).ToString("0.###", CultureInfo.InvariantCulture)).ToArray());
        plt.Axes.SetLimitsY(lo - 0.3, hi + 0.3);

        // Long labels ("W1 sgemm n=1024 T2"), vertical so that none runs off the left edge.
        plt.Axes.Bottom.SetTicks(shown.Select((_, i) => (double)i).ToArray(), shown.Select(r => r.Label).ToArray());
        plt.Axes.Bottom.TickLabelStyle.Rotation = -90;
        plt.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plt.Axes.Bottom.MinimumSize = 20 + 7f * shown.Max(r => r.Label.Length);
        plt.Axes.SetLimitsX(-0.6, shown.Count - 0.4);
        plt.Title($"Sinapse vs TorchSharp: ratio of medians over {runs} run(s), > 1: Sinapse better");
        plt.YLabel("ratio (log scale)");

        var tmp = path + ".tmp.png";
        plt.SavePng(tmp, Math.Max(800, 80 + 30 * shown.Count), 700);
        File.Move(tmp, path, overwrite: true);
    }
}
