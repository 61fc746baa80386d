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

    /// <summary>Named (x, y) curves in one plot, with an optional baseline (horizontal, or vertical at an x); y on a log scale when asked.</summary>
    public static void Curves(IReadOnlyDictionary<string, List<(double X, double Y)>> curves, string title, string x, string y, string path,
        (double Value, string Label)? baseline = null, bool logY = false, bool vertical = false, (float[] X, float[] Y, string Label)? scatter = null,
        ScottPlot.Alignment? legend = null)
    {
        var plt = new ScottPlot.Plot();
        if (legend is { } where) plt.Legend.Alignment = where;
        double Y(double v) => logY ? Math.Log10(Math.Max(v, 1e-6)) : v;
        if (scatter is { } pts)
        {
            var sp = plt.Add.ScatterPoints(pts.X.Select(v => (double)v).ToArray(), pts.Y.Select(v => Y(v)).ToArray());
            sp.LegendText = pts.Label;
            plt.Legend.Alignment = legend ?? ScottPlot.Alignment.UpperRight;
        }
        foreach (var (name, points) in curves)
        {
            var line = plt.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => Y(p.Y)).ToArray());
            line.LegendText = name;
            line.MarkerSize = 0;
        }
        if (baseline is { } vb && vertical)
        {
            var v = plt.Add.VerticalLine(vb.Value);
            v.LegendText = vb.Label;
            v.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        else if (baseline is { } b)
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

    /// <summary>One panel per problem, side by side: training loss per epoch of each optimizer (log scale).</summary>
    public static void OptimizerCurves(IReadOnlyList<(string Problem, string Optimizer, IReadOnlyList<float> Losses)> runs, string path)
    {
        var panels = new List<ScottPlot.Plot>();
        foreach (var problem in runs.Select(r => r.Problem).Distinct())
        {
            var plt = new ScottPlot.Plot();
            foreach (var r in runs.Where(r => r.Problem == problem))
            {
                var line = plt.Add.Scatter(Enumerable.Range(1, r.Losses.Count).Select(e => (double)e).ToArray(),
                    r.Losses.Select(l => Math.Log10(Math.Max(l, 1e-6))).ToArray());
                line.LegendText = r.Optimizer;
                line.MarkerSize = 0;
            }
            plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => $"{Math.Pow(10, v):G2}" };
            plt.Title(problem);
            plt.XLabel("epoch");
            plt.YLabel("training loss (log scale)");
            plt.ShowLegend();
            panels.Add(plt);
        }
        SavePanels(panels, 560, 450, panels.Count, path);
    }

    /// <summary>One panel per hyperparameter: each trial's score at the position of its value (values in the order given).</summary>
    public static void ScoreByHyperparameter(IReadOnlyList<(string Name, string[] Values)> space, IReadOnlyList<(IReadOnlyDictionary<string, string> Trial, double Score)> trials,
        string score, string path)
    {
        var panels = new List<ScottPlot.Plot>();
        foreach (var (name, values) in space)
        {
            var plt = new ScottPlot.Plot();
            var xs = trials.Select(t => (double)Array.IndexOf(values, t.Trial[name])).ToArray();
            plt.Add.ScatterPoints(xs, trials.Select(t => t.Score).ToArray());
            plt.Axes.Bottom.SetTicks(Enumerable.Range(0, values.Length).Select(v => (double)v).ToArray(), values);
            plt.Axes.SetLimitsX(-0.5, values.Length - 0.5);
            plt.Title(name);
            plt.YLabel(score);
            panels.Add(plt);
        }
        SavePanels(panels, 400, 330, Math.Min(3, panels.Count), path);
    }

    /// <summary>Renders each plot at w×h and lays them out <paramref name="columns"/> to a row in one PNG (written atomically).</summary>
    static void SavePanels(IReadOnlyList<ScottPlot.Plot> panels, int w, int h, int columns, string path)
    {
        int rows = (panels.Count + columns - 1) / columns;
        using var sheet = new SkiaSharp.SKBitmap(w * columns, h * rows);
        using (var canvas = new SkiaSharp.SKCanvas(sheet))
        {
            canvas.Clear(SkiaSharp.SKColors.White);
            for (int i = 0; i < panels.Count; i++)
            {
                using var panel = SkiaSharp.SKBitmap.Decode(panels[i].GetImage(w, h).GetImageBytes(ScottPlot.ImageFormat.Png, 100));
                canvas.DrawBitmap(panel, (i % columns) * w, (i / columns) * h);
            }
        }
        Pictures.Save(sheet, path);
    }

    /// <summary>2-D codes as points coloured by their class, one legend entry per class.</summary>
    public static void Codes(float[] codes, int[] labels, string path)
    {
        var plt = new ScottPlot.Plot();
        foreach (var c in labels.Distinct().Order())
        {
            var idx = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
            var sp = plt.Add.ScatterPoints(idx.Select(i => (double)codes[2 * i]).ToArray(), idx.Select(i => (double)codes[2 * i + 1]).ToArray());
            sp.LegendText = c.ToString();
            sp.MarkerSize = 2;
        }
        plt.Title("Test set in the 2-D code, by digit");
        Save(plt, "code 1", "code 2", path);
    }

    static void Save(ScottPlot.Plot plt, string x, string y, string path)
    {
        // Epochs and episodes are counted: no ticks between them.
        if (x is "epoch" or "episode" or "epochs") plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plt.XLabel(x);
        plt.YLabel(y);
        plt.ShowLegend();
        var tmp = path + ".tmp.png";
        plt.SavePng(tmp, 800, 500);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// Training and validation loss per epoch and, for classifiers, accuracy beside it; <paramref name="stopEpoch"/>,
    /// when given, marked as the early-stopping point. Epochs are whole numbers on the axis; each legend sits in the
    /// corner its curves leave free (loss falls: upper right; accuracy rises: lower right).
    /// </summary>
    public static void Loss(History history, string path, string lossName = "cross-entropy", int? stopEpoch = null)
    {
        double[] epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        ScottPlot.Plot Panel(string title, string y, Func<EpochLogs, float?> train, Func<EpochLogs, float?> val, string what, ScottPlot.Alignment legend)
        {
            var plt = new ScottPlot.Plot();
            var t = plt.Add.Scatter(epochs, history.Epochs.Select(e => (double)(train(e) ?? float.NaN)).ToArray());
            t.LegendText = "training " + what;
            if (history.Epochs.All(e => val(e).HasValue))
            {
                var v = plt.Add.Scatter(epochs, history.Epochs.Select(e => (double)val(e)!.Value).ToArray());
                v.LegendText = "validation " + what;
            }
            if (stopEpoch is int best && best > 0)
            {
                var line = plt.Add.VerticalLine(best);
                line.LinePattern = ScottPlot.LinePattern.Dashed;
                line.LegendText = $"best validation loss (epoch {best}): weights kept";
            }
            plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            plt.Legend.Alignment = legend;
            plt.Title(title);
            plt.XLabel("epoch");
            plt.YLabel(y);
            plt.ShowLegend();
            return plt;
        }
        var panels = new List<ScottPlot.Plot> { Panel("Loss per epoch", lossName, e => e.Loss, e => e.ValLoss, "loss", ScottPlot.Alignment.UpperRight) };
        if (history.Epochs.All(e => e.Accuracy.HasValue))
            panels.Add(Panel("Accuracy per epoch", "accuracy", e => e.Accuracy, e => e.ValAccuracy, "accuracy", ScottPlot.Alignment.LowerRight));
        if (panels.Count == 1)
        {
            var tmp = path + ".tmp.png";
            panels[0].SavePng(tmp, 800, 500);
            File.Move(tmp, path, overwrite: true);
        }
        else SavePanels(panels, 640, 440, 2, path);
    }

    /// <summary>Predicted against actual values, the diagonal, and the band ± <paramref name="halfWidth"/> around it.</summary>
    public static void Predictions(float[] actual, float[] predicted, double halfWidth, string title, string path)
    {
        var plt = new ScottPlot.Plot();
        double lo = Math.Min(actual.Min(), predicted.Min()), hi = Math.Max(actual.Max(), predicted.Max());
        var band = plt.Add.FillY([lo, hi], [lo - halfWidth, hi - halfWidth], [lo + halfWidth, hi + halfWidth]);
        band.LegendText = $"95% prediction interval (± {halfWidth:G3})";
        band.FillStyle.Color = ScottPlot.Colors.SteelBlue.WithAlpha(0.2);
        band.LineStyle.Width = 0;
        var diag = plt.Add.Line(lo, lo, hi, hi);
        diag.LegendText = "predicted = actual";
        diag.LinePattern = ScottPlot.LinePattern.Dashed;
        var pts = plt.Add.ScatterPoints(actual.Select(v => (double)v).ToArray(), predicted.Select(v => (double)v).ToArray());
        pts.LegendText = "test rows";
        plt.Title(title);
        plt.Legend.Alignment = ScottPlot.Alignment.UpperLeft;
        Save(plt, "actual", "predicted", path);
    }
}
