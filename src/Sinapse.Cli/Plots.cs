using Sinapse.Training;

namespace Sinapse.Cli;

/// <summary>PNG plots of a training run (ScottPlot).</summary>
internal static class Plots
{
    /// <summary>Held-out bits per character (validation cross-entropy / ln 2) per epoch.</summary>
    public static void BitsPerCharacter(History history, string path)
    {
        var plt = new ScottPlot.Plot();
        var done = history.Epochs.Where(e => e.ValLoss.HasValue).ToList();
        var line = plt.Add.Scatter(done.Select(e => (double)e.Epoch).ToArray(), done.Select(e => e.ValLoss!.Value / Math.Log(2)).ToArray());
        line.LegendText = "held-out bits per character";
        plt.Title("Character model: held-out bits per character");
        Save(plt, "epoch", "bits per character", path);
    }

    /// <summary>Named (x, y) curves in one plot, with an optional horizontal baseline; y on a log scale when asked.</summary>
    public static void Curves(IReadOnlyDictionary<string, List<(double X, double Y)>> curves, string title, string x, string y, string path,
        (double Value, string Label)? baseline = null, bool logY = false)
    {
        var plt = new ScottPlot.Plot();
        double Y(double v) => logY ? Math.Log10(Math.Max(v, 1e-6)) : v;
        foreach (var (name, points) in curves)
        {
            var line = plt.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => Y(p.Y)).ToArray());
            line.LegendText = name;
            line.MarkerSize = 0;
        }
        if (baseline is { } b)
        {
            var h = plt.Add.HorizontalLine(Y(b.Value));
            h.LegendText = b.Label;
            h.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        if (logY)
        {
            var ticks = new ScottPlot.TickGenerators.NumericAutomatic { MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(), LabelFormatter = v => $"{Math.Pow(10, v):G2}" };
            plt.Axes.Left.TickGenerator = ticks;
        }
        plt.Title(title);
        Save(plt, x, y + (logY ? " (log scale)" : ""), path);
    }

    /// <summary>The whole series, the forecast from <paramref name="start"/> on and its interval as a band.</summary>
    public static void Forecast(float[] history, int start, float[] forecast, float[] lower, float[] upper, string title, string path)
    {
        var plt = new ScottPlot.Plot();
        double[] steps = Enumerable.Range(start, forecast.Length).Select(i => (double)i).ToArray();
        var band = plt.Add.FillY(steps, lower.Select(v => (double)v).ToArray(), upper.Select(v => (double)v).ToArray());
        band.LegendText = "95% prediction interval";
        band.FillStyle.Color = ScottPlot.Colors.SteelBlue.WithAlpha(0.3);
        band.LineStyle.Width = 0;
        var h = plt.Add.Scatter(Enumerable.Range(0, history.Length).Select(i => (double)i).ToArray(), history.Select(v => (double)v).ToArray());
        h.LegendText = "observed";
        h.MarkerSize = 0;
        var f = plt.Add.Scatter(steps, forecast.Select(v => (double)v).ToArray());
        f.LegendText = "forecast";
        f.MarkerSize = 3;
        var v = plt.Add.VerticalLine(start - 0.5);
        v.LinePattern = ScottPlot.LinePattern.Dotted;
        v.LegendText = "test starts";
        plt.Title(title);
        plt.Legend.Alignment = ScottPlot.Alignment.UpperLeft;
        Save(plt, "step", "value", path);
    }

    static void Save(ScottPlot.Plot plt, string x, string y, string path)
    {
        plt.XLabel(x);
        plt.YLabel(y);
        plt.ShowLegend();
        var tmp = path + ".tmp.png";
        plt.SavePng(tmp, 800, 500);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Training and validation loss per epoch.</summary>
    public static void Loss(History history, string path)
    {
        var plt = new ScottPlot.Plot();
        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        var train = plt.Add.Scatter(epochs, history.Epochs.Select(e => (double)e.Loss).ToArray());
        train.LegendText = "training loss";
        if (history.Epochs.All(e => e.ValLoss.HasValue))
        {
            var val = plt.Add.Scatter(epochs, history.Epochs.Select(e => (double)e.ValLoss!.Value).ToArray());
            val.LegendText = "validation loss";
        }
        plt.Title("Loss per epoch");
        Save(plt, "epoch", "cross-entropy", path);
    }
}
