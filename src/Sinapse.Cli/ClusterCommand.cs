using System.ComponentModel;
using System.Globalization;
using Sinapse.Data;
using Sinapse.Unsupervised;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse cluster --algo kmeans|som --data iris|wine|breast-cancer|csv:FILE|mnist</c>: clusters the rows without
/// their labels, then scores the clusters against them (purity, adjusted Rand index). k-means writes its centres (as
/// images for MNIST); the SOM writes its prototypes (images for MNIST) and its U-matrix, with each unit's majority label.
/// </summary>
internal sealed class ClusterCommand : Command<ClusterCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--algo <NAME>"), Description("kmeans or som. Default: kmeans.")]
        public string Algo { get; init; } = "kmeans";

        [CommandOption("--data <NAME>"), Description("iris, wine, breast-cancer, csv:FILE (with --target, the labels to score against) or mnist. Default: iris.")]
        public string Data { get; init; } = "iris";

        [CommandOption("--target <COLUMN>"), Description("With csv:FILE: the label column (left out of the clustering).")]
        public string? Target { get; init; }

        [CommandOption("--clusters <K>"), Description("k of k-means. Default: the number of classes.")]
        public int? K { get; init; }

        [CommandOption("--map <RxC>"), Description("SOM grid. Default: 10x10.")]
        public string Map { get; init; } = "10x10";

        [CommandOption("--epochs <N>"), Description("SOM passes over the data. Default: 3.")]
        public int Epochs { get; init; } = 3;

        [CommandOption("--samples <N>"), Description("MNIST training images used (a seeded sample). Default: all 60000.")]
        public int Samples { get; init; } = 60000;

        [CommandOption("--raw"), Description("Tables: cluster the raw columns instead of standardised ones.")]
        public bool Raw { get; init; }

        [CommandOption("--seed <N>"), Description("Seed. Default: 42.")]
        public ulong Seed { get; init; } = 42;

        [CommandOption("--out <DIR>"), Description("Run folder. Default: runs/cluster-<date-time>.")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Algo is not ("kmeans" or "som")) throw new ArgumentException($"--algo: '{s.Algo}' is not kmeans or som.");
        var (x, labels, classes, image) = Load(s);
        var outDir = RunFolder.Choose(s.Out, "cluster");
        Directory.CreateDirectory(outDir);
        int[] clusters;
        string what;
        if (s.Algo == "kmeans")
        {
            var km = new KMeans(s.K ?? classes);
            clusters = km.Fit(x, s.Seed);
            what = $"k-means, k = {km.K} (k-means++, 4 restarts): inertia {km.Inertia:G4}, {km.Iterations} iterations";
            if (image) Pictures.Grid(Enumerable.Range(0, km.K).Select(c => km.Centres.AsSpan(c * 784, 784).ToArray()).ToList(), 28, 28, Path.Combine(outDir, "centres.png"), 3, "k-means centres", Math.Min(km.K, 10));
        }
        else
        {
            var dims = s.Map.Split('x');
            if (dims.Length != 2 || !int.TryParse(dims[0], out int r) || !int.TryParse(dims[1], out int c) || r < 1 || c < 1)
                throw new ArgumentException($"--map: '{s.Map}' is not ROWSxCOLUMNS, e.g. 10x10.");
            var som = new SelfOrganizingMap(r, c, x.Shape[1]);
            Stages.Run(($"SOM {r}×{c}, {s.Epochs} epochs", p => som.Fit(x, s.Epochs, s.Seed, progress: p)));
            clusters = som.Map(x);
            what = $"self-organising map {r}×{c} ({som.Units} units), {s.Epochs} epochs";
            var majority = Enumerable.Range(0, som.Units).Select(u => clusters.Zip(labels).Where(p => p.First == u).GroupBy(p => p.Second).OrderByDescending(g => g.Count()).Select(g => (int?)g.Key).FirstOrDefault()).ToArray();
            if (image) Pictures.Grid(Enumerable.Range(0, som.Units).Select(u => som.Prototypes.AsSpan(u * 784, 784).ToArray()).ToList(), 28, 28, Path.Combine(outDir, "som-prototypes.png"), 2, "SOM prototypes", c);
            Pictures.HeatMap(som.UMatrix(), r, c, majority.Select(m => m?.ToString(CultureInfo.InvariantCulture) ?? "").ToArray(), Path.Combine(outDir, "som-umatrix.png"),
                "U-matrix (light = border), majority labels");
        }
        double purity = ClusterMetrics.Purity(clusters, labels), ari = ClusterMetrics.AdjustedRandIndex(clusters, labels);
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] {Markup.Escape(what)} on {Markup.Escape(s.Data)} ({x.Shape[0]:N0} rows, {x.Shape[1]} features)");
        AnsiConsole.MarkupLine($"purity [bold green]{purity:F4}[/], adjusted Rand index [bold green]{ari:F4}[/] against the {classes} classes");
        var md = $"# {what} on {s.Data}\n\n{x.Shape[0]} rows, {x.Shape[1]} features.\n\n| purity | adjusted Rand index |\n|---:|---:|\n| {purity:F4} | {ari:F4} |\n";
        RunFolder.WriteText(Path.Combine(outDir, "cluster.md"), md);
        RunFolder.WriteText(Path.Combine(outDir, "clusters.csv"), "row,cluster,label\n" + string.Concat(clusters.Select((c, i) => $"{i},{c},{labels[i]}\n")));
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }

    static (Tensor X, int[] Labels, int Classes, bool Image) Load(Settings s)
    {
        if (s.Data == "mnist")
        {
            var (train, _) = Mnist.Load(RunFolder.ResolveData(null), 0f, 1f);
            var rows = new Generator(s.Seed).Permutation(train.Count)[..Math.Min(s.Samples, train.Count)];
            var (x, y) = train.GetBatch(rows);
            return (x.Reshape(rows.Length, 784), y.ToArray().Select(v => (int)v).ToArray(), 10, true);
        }
        if (!TabularTraining.Handles(s.Data)) throw new ArgumentException($"--data: '{s.Data}' is not mnist, a shipped table ({string.Join(", ", TabularData.Shipped.Keys)}) or csv:FILE.");
        var d = TabularTraining.Load(s.Data, s.Target, "classification");
        var inputs = s.Raw ? d.Data.Inputs : Standardizer.Fit(d.Data.Inputs).Apply(d.Data.Inputs);
        return (inputs, d.Labels!, d.Classes.Length, false);
    }
}
