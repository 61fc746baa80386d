using System.ComponentModel;
using Sinapse.Classic;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse hebb</c>: Hebbian learning on a Gaussian of known covariance and on MNIST. The plain Hebb rule's weights
/// grow without bound; Oja's rule converges to the first principal component; Sanger's rule to the first k, in order.
/// Each is checked against the eigenvectors of the data's covariance (power iteration): cosines per epoch, hebb.png
/// (weight norms and cosines), hebb-components.png (Sanger's MNIST components beside the eigenvectors), hebb.md.
/// </summary>
internal sealed class HebbCommand : Command<HebbCommand.Settings>
{
    public sealed class Settings : DataSettings
    {
        [CommandOption("--components <K>"), Description("Components for Sanger's rule. Default: 3.")]
        public int Components { get; init; } = 3;

        [CommandOption("--epochs <N>"), Description("Epochs over MNIST. Default: 4.")]
        public int Epochs { get; init; } = 4;

        [CommandOption("--seed <N>"), Description("Seed. Default: 42.")]
        public ulong Seed { get; init; } = 42;

        [CommandOption("--out <DIR>"), Description("Run folder. Default: runs/hebb-<date-time>.")]
        public string? Out { get; init; }
    }

    const int Batch = 10;

    /// <summary>|cos| between row <paramref name="row"/> of a (k, d) weight and a vector.</summary>
    public static double Cosine(ReadOnlySpan<float> w, int row, double[] v)
    {
        int d = v.Length;
        double dot = 0, nw = 0, nv = 0;
        for (int i = 0; i < d; i++) { double a = w[row * d + i]; dot += a * v[i]; nw += a * a; nv += v[i] * v[i]; }
        return Math.Abs(dot) / Math.Sqrt(nw * nv);
    }

    /// <summary>
    /// Trains a bias-free Linear(d → k) with <paramref name="rule"/> on the centred rows of <paramref name="x"/>, with the
    /// rate halved after every epoch when <paramref name="anneal"/> (stochastic approximation needs a decreasing rate to
    /// settle); returns the cosine of each row with its eigenvector after every epoch, and the largest row norm.
    /// </summary>
    public static (Linear Layer, List<double[]> Cosines, List<float> Norms) Run(Tensor x, int k, LearningRule rule, int epochs, double[][] eigen, ulong seed,
        bool anneal = true, Action<double>? progress = null)
    {
        var xc = x - x.Mean(0);
        var layer = new Linear(x.Shape[1], k, bias: false, gen: new Generator(seed));
        using (Autograd.NoGrad()) foreach (ref var w in layer.Weight.AsSpan()) w *= 0.1f;
        var cosines = new List<double[]>();
        var norms = new List<float>();
        var track = new LambdaCallback
        {
            EpochEnd = (_, l) =>
            {
                var w = layer.Weight.ToArray();
                cosines.Add(Enumerable.Range(0, k).Select(r => Cosine(w, r, eigen[r])).ToArray());
                norms.Add(l.Extra!["weight_norm"]);
                if (anneal) rule.LearningRate /= 2;
                progress?.Invoke(cosines.Count / (double)epochs);
            },
        };
        Trainer.Fit(new LearningRuleTask(layer, rule), new DataLoader<Tensor>(new UnlabelledDataset(xc), Batch, shuffle: true, seed: seed), null, epochs, track);
        return (layer, cosines, norms);
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Components < 1 || s.Epochs < 1) throw new ArgumentException("hebb: --components and --epochs must be positive.");
        var outDir = RunFolder.Choose(s.Out, "hebb");
        Directory.CreateDirectory(outDir);
        var rows = new List<string>();
        var curves = new Dictionary<string, List<(double X, double Y)>>();

        var (g, _) = ClassicProblems.Gaussian(5000, [3, 2, 1, 0.5, 0.2], s.Seed);
        var (gv, gl) = LinearSolve.TopEigenvectors(LinearSolve.Covariance(g), 5, 3);
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] Hebbian learning. Gaussian, 5 dimensions, 5,000 samples: covariance eigenvalues {string.Join(", ", gl.Select(v => v.ToString("F2")))}, …");
        (Linear Layer, List<double[]> Cosines, List<float> Norms) hebb = default!, oja = default!, sanger = default!, mOja = default!, mSanger = default!;
        Stages.Run(("Gaussian: plain Hebb", p => hebb = Run(g, 1, new HebbRule(5e-4f), 6, gv, s.Seed, anneal: false, progress: p)),
            ("Gaussian: Oja", p => oja = Run(g, 1, OjaRule.Create(1e-2f), 6, gv, s.Seed, progress: p)),
            ("Gaussian: Sanger", p => sanger = Run(g, 3, new SangerRule(1e-2f), 6, gv, s.Seed, progress: p)));
        curves["plain Hebb: ‖w‖"] = hebb.Norms!.Select((n, i) => (i + 1.0, (double)n)).ToList();
        curves["Oja: ‖w‖"] = oja.Norms!.Select((n, i) => (i + 1.0, (double)n)).ToList();
        rows.Add($"| Gaussian | plain Hebb | ‖w‖ = {hebb.Norms![^1]:G3} after 6 epochs (×{hebb.Norms![^1] / hebb.Norms![0]:G3} since the first) | {hebb.Cosines![^1][0]:F4} |");
        rows.Add($"| Gaussian | Oja | ‖w‖ = {oja.Norms![^1]:F3} | {oja.Cosines![^1][0]:F4} |");
        rows.Add($"| Gaussian | Sanger, 3 components | | {string.Join(", ", sanger.Cosines![^1].Select(c => c.ToString("F4")))} |");

        var (dir, _, _) = s.Apply();
        var (train, _) = Mnist.Load(dir, 0f, 1f);
        var x = train.Inputs.Reshape(train.Count, 784);
        var (mv, ml) = LinearSolve.TopEigenvectors(LinearSolve.Covariance(x), 784, s.Components);
        AnsiConsole.MarkupLine($"MNIST, 784 pixels in [[0, 1]], 60,000 images: covariance eigenvalues {string.Join(", ", ml.Select(v => v.ToString("F2")))}");
        Stages.Run(("MNIST: Oja", p => mOja = Run(x, 1, OjaRule.Create(1e-2f), s.Epochs, mv, s.Seed, progress: p)),
            ($"MNIST: Sanger, {s.Components} components", p => mSanger = Run(x, s.Components, new SangerRule(1e-2f), s.Epochs, mv, s.Seed, progress: p)));
        rows.Add($"| MNIST | Oja | ‖w‖ = {mOja.Norms![^1]:F3} | {mOja.Cosines![^1][0]:F4} |");
        rows.Add($"| MNIST | Sanger, {s.Components} components | | {string.Join(", ", mSanger.Cosines![^1].Select(c => c.ToString("F4")))} |");
        for (int c = 0; c < s.Components; c++)
            curves[$"MNIST Sanger component {c + 1}: cosine"] = mSanger.Cosines!.Select((v, i) => (i + 1.0, v[c])).ToList();

        var md = "| data | rule | weights | cosine with the eigenvector(s) |\n|---|---|---|---|\n" + string.Join("\n", rows) + "\n";
        AnsiConsole.WriteLine(md);
        RunFolder.WriteText(Path.Combine(outDir, "hebb.md"), md);
        Plots.Curves(curves, "Hebbian learning: plain Hebb grows, Oja stays at 1; Sanger converges on MNIST", "epoch", "value", Path.Combine(outDir, "hebb.png"), logY: true);
        var tiles = new List<float[]>();
        var sw = mSanger.Layer!.Weight.ToArray();
        for (int c = 0; c < s.Components; c++)
        {
            tiles.Add(sw.AsSpan(c * 784, 784).ToArray());
            tiles.Add(mv[c].Select(v => (float)v).ToArray());
        }
        Pictures.Grid(tiles, 28, 28, Path.Combine(outDir, "hebb-components.png"), 4, "Sanger's rows | eigenvectors", 2);
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }
}
