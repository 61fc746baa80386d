using System.ComponentModel;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse lr-sweep</c>: the learning rate, seen. An LR range test on the MNIST MLP (SGD with momentum 0.9) finds
/// the rates at which the loss starts to fall and explodes; then the same network is trained from the same weights at
/// a low rate (suggested / 30), the suggested rate and a high one (the range test's lowest-loss rate, ten times the
/// suggestion), and the three loss curves go into one PNG: too slow, good, unstable.
/// </summary>
internal sealed class LrSweepCommand : Command<LrSweepCommand.Settings>
{
    public sealed class Settings : DataSettings
    {
        [CommandOption("--epochs <N>"), Description("Epochs of each of the three runs. Default: 2.")]
        public int Epochs { get; init; } = 2;

        [CommandOption("--samples <N>"), Description("Training images used (the first N of a seeded shuffle). Default: 12000.")]
        public int Samples { get; init; } = 12000;

        [CommandOption("--seed <N>"), Description("Seed of weights and shuffling. Default: 42.")]
        public ulong Seed { get; init; } = 42;

        [CommandOption("--out <DIR>"), Description("Folder for lr-range.png and lr-sweep.png. Default: runs/lr-sweep-<date-time>.")]
        public string? Out { get; init; }
    }

    const int Batch = 64;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Epochs < 1 || s.Samples < Batch) throw new ArgumentException($"lr-sweep: --epochs must be ≥ 1 and --samples ≥ {Batch}.");
        var (dir, mean, std) = s.Apply();
        var (all, _) = Mnist.Load(dir, mean, std);
        var order = new Generator(s.Seed).Permutation(all.Count)[..Math.Min(s.Samples, all.Count)];
        var (xs, ys) = all.GetBatch(order);
        var train = new TensorDataset(xs, ys);
        Sequential Net() => ModelSpec.Parse("mlp", [1, 28, 28], 10).Build(new Generator(s.Seed));
        var loss = new CrossEntropyLoss();
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] lr-sweep: MNIST MLP 784-256-128-10, SGD momentum 0.9, batch {Batch}, {train.Count:N0} images");

        var netForTest = Net();
        var range = LearningRateRangeTest.Run(netForTest, loss, new SGD(netForTest.Parameters(), 1e-5f, momentum: 0.9f),
            new DataLoader(train, Batch, shuffle: true, seed: s.Seed), 1e-5f, 10f, 150);
        // High: the rate at the range test's lowest loss, ten times the suggestion: fast at first, then unstable.
        float good = range.Suggested, low = good / 30, high = good * 10;
        AnsiConsole.MarkupLine($"range test: lowest loss at {good * 10:G3}, {(range.Diverged is float dv ? $"loss exploded at {dv:G3}" : "no explosion up to 10")}; suggested rate {good:G3}");

        var curves = new Dictionary<string, List<(double X, double Y)>>();
        foreach (var (label, rate) in new[] { ("low", low), ("suggested", good), ("high", high) })
        {
            var net = Net();
            var opt = new SGD(net.Parameters(), rate, momentum: 0.9f);
            var points = new List<(double, double)>();
            int step = 0;
            double smoothed = 0;
            bool diverged = false;
            var loader = new DataLoader(train, Batch, shuffle: true, seed: s.Seed);
            for (int e = 0; e < s.Epochs && !diverged; e++)
                foreach (var (x, y) in loader)
                {
                    opt.ZeroGrad();
                    var l = loss.Call(net.Call(x), y);
                    float v = l.Item();
                    if (!float.IsFinite(v)) { diverged = true; break; }
                    l.Backward();
                    opt.Step();
                    step++;
                    smoothed = step == 1 ? v : 0.95 * smoothed + 0.05 * v;
                    // Drawn up to 10 (a diverging run leaves the chart there; its legend says so).
                    if (step % 10 == 0) points.Add((step / (double)loader.BatchCount, Math.Min(smoothed, 10)));
                }
            string name = $"{label}: {rate:G3}{(diverged ? " (diverged)" : "")}";
            curves[name] = points;
            AnsiConsole.MarkupLine($"{Markup.Escape(name)}: final training loss {(points.Count > 0 ? points[^1].Item2.ToString("F4") : "—")}");
        }
        var outDir = RunFolder.Choose(s.Out, "lr-sweep");
        Directory.CreateDirectory(outDir);
        Plots.Curves(new Dictionary<string, List<(double X, double Y)>> { ["smoothed training loss"] = range.Points.Select(p => (Math.Log10(p.Rate), (double)p.Loss)).ToList() },
            $"LR range test: suggested {good:G3} (lowest loss at {good * 10:G3}, ÷10)", "learning rate (log10)", "loss", Path.Combine(outDir, "lr-range.png"),
            (Math.Log10(good), "suggested"), vertical: true);
        Plots.Curves(curves, "Training loss at three learning rates", "epoch", "training loss", Path.Combine(outDir, "lr-sweep.png"), logY: true);
        AnsiConsole.MarkupLine($"written: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }
}
