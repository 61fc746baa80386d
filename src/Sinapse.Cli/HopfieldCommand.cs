using System.ComponentModel;
using Sinapse.Classic;
using Sinapse.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse hopfield</c>: a Hopfield network of 784 neurons stores binarized MNIST digits and recalls them from
/// probes with 20% of the pixels flipped and from probes with the lower half erased. Digits share most of their
/// background, so the Hebb rule merges them into one mixture state; the projection rule stores them apart
/// (hopfield-recall.png: stored, noisy probe, Hebb's recall, the projection rule's, erased probe, its recall). Then the
/// capacity curve of the Hebb rule on random patterns — the share recalled exactly against patterns per neuron — beside
/// the theoretical 0.138 (hopfield-capacity.png), and hopfield.md.
/// </summary>
internal sealed class HopfieldCommand : Command<HopfieldCommand.Settings>
{
    public sealed class Settings : DataSettings
    {
        [CommandOption("--digits <LIST>"), Description("Digit classes to store, one test image each. Default: 0,1,3,4.")]
        public string Digits { get; init; } = "0,1,3,4";

        [CommandOption("--neurons <N>"), Description("Neurons of the capacity curve's networks. Default: 200.")]
        public int Neurons { get; init; } = 200;

        [CommandOption("--seed <N>"), Description("Seed. Default: 42.")]
        public ulong Seed { get; init; } = 42;

        [CommandOption("--out <DIR>"), Description("Run folder. Default: runs/hopfield-<date-time>.")]
        public string? Out { get; init; }
    }

    /// <summary>Share of stored random patterns that are fixed points reached from themselves with 5% of bits flipped, for p = 1 … maxPatterns.</summary>
    public static List<(double Load, double Recalled)> Capacity(int n, int maxPatterns, int trials, ulong seed, Action<double>? progress = null)
    {
        var gen = new Generator(seed);
        var curve = new List<(double, double)>();
        for (int p = 1; p <= maxPatterns; p++)
        {
            int ok = 0, all = 0;
            for (int t = 0; t < trials; t++)
            {
                var net = new HopfieldNetwork(n);
                var patterns = Enumerable.Range(0, p).Select(_ => RandomPattern(n, gen)).ToArray();
                foreach (var x in patterns) net.Store(x);
                foreach (var x in patterns)
                {
                    var probe = Flip(x, n / 20, gen);
                    net.RecallAsync(probe, gen);
                    all++;
                    if (probe.AsSpan().SequenceEqual(x)) ok++;
                }
            }
            curve.Add((p / (double)n, ok / (double)all));
            progress?.Invoke(p / (double)maxPatterns);
        }
        return curve;
    }

    static float[] RandomPattern(int n, Generator g) => Enumerable.Range(0, n).Select(_ => g.NextFloat() < 0.5f ? -1f : 1f).ToArray();

    static float[] Flip(float[] x, int count, Generator g)
    {
        var y = (float[])x.Clone();
        foreach (int i in g.Permutation(x.Length)[..count]) y[i] = -y[i];
        return y;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var classes = s.Digits.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => int.TryParse(d, out int v) && v is >= 0 and <= 9 ? v : throw new ArgumentException($"--digits: '{d}' is not a digit 0–9.")).Distinct().ToArray();
        if (classes.Length == 0 || s.Neurons < 10) throw new ArgumentException("hopfield: give at least one digit and --neurons ≥ 10.");
        var (dir, _, _) = s.Apply();
        var test = Mnist.LoadTest(dir, 0f, 1f);
        var labels = test.Targets.ToArray();
        var pixels = test.Inputs.Reshape(test.Count, 784).ToArray();
        var stored = classes.Select(c => { int i = Array.IndexOf(labels, (float)c); return pixels.AsSpan(i * 784, 784).ToArray().Select(v => v > 0.5f ? 1f : -1f).ToArray(); }).ToArray();
        var hebb = new HopfieldNetwork(784);
        foreach (var p in stored) hebb.Store(p);
        var net = new HopfieldNetwork(784);
        net.StoreProjection(stored);
        var gen = new Generator(s.Seed);
        var tiles = new List<float[]>();
        var rows = new List<string>();
        for (int k = 0; k < stored.Length; k++)
        {
            var noisy = Flip(stored[k], 784 / 5, gen);
            var erased = (float[])stored[k].Clone();
            for (int i = 392; i < 784; i++) erased[i] = -1f;
            var hebbNoisy = (float[])noisy.Clone();
            var fromNoisy = (float[])noisy.Clone();
            var fromErased = (float[])erased.Clone();
            hebb.RecallAsync(hebbNoisy, gen);
            double e0 = net.Energy(fromNoisy);
            net.RecallAsync(fromNoisy, gen);
            net.RecallAsync(fromErased, gen);
            static int Wrong(float[] a, float[] b) => a.Zip(b).Count(p => p.First != p.Second);
            rows.Add($"| {classes[k]} | {Wrong(hebbNoisy, stored[k])} | {Wrong(fromNoisy, stored[k])} | {Wrong(fromErased, stored[k])} | {e0:F1} → {net.Energy(fromNoisy):F1} |");
            tiles.AddRange([stored[k], noisy, hebbNoisy, fromNoisy, erased, fromErased]);
        }
        var outDir = RunFolder.Choose(s.Out, "hopfield");
        Directory.CreateDirectory(outDir);
        Pictures.Grid(tiles, 28, 28, Path.Combine(outDir, "hopfield-recall.png"), 3, "stored | 20% flipped → Hebb, projection | half erased → projection", 6);
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] Hopfield network, 784 neurons, {stored.Length} digits stored ({string.Join(", ", classes)})");
        var md = "| digit | wrong pixels: Hebb rule, from 20% flipped | projection rule, from 20% flipped | projection rule, from the lower half erased | energy, noisy probe → recalled (projection) |\n|---:|---:|---:|---:|---|\n" + string.Join("\n", rows) + "\n";

        int maxP = (int)(0.3 * s.Neurons);
        List<(double Load, double Recalled)> curve = [];
        Stages.Run(($"capacity curve, {s.Neurons} neurons", p => curve = Capacity(s.Neurons, maxP, 10, s.Seed, p)));
        var limit = curve.LastOrDefault(c => c.Recalled >= 0.9);
        md += $"\nCapacity, {s.Neurons} neurons, 10 networks per load, probes with 5% flipped: at least 90% recalled exactly up to {limit.Load:F3} patterns per neuron (theory for random patterns: 0.138).\n";
        Plots.Curves(new Dictionary<string, List<(double X, double Y)>> { [$"{s.Neurons} neurons"] = curve.Select(c => (c.Load, c.Recalled)).ToList() },
            "Hopfield capacity: share of stored patterns recalled exactly", "patterns per neuron", "recalled", Path.Combine(outDir, "hopfield-capacity.png"),
            (0.138, "0.138 N (Amit, Gutfreund & Sompolinsky)"), vertical: true);
        RunFolder.WriteText(Path.Combine(outDir, "hopfield.md"), md);
        AnsiConsole.WriteLine(md);
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }
}
