using System.ComponentModel;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse capacity</c>: under- and overfitting, seen. Thirty noisy samples of sin(2πx) are fitted by a network too
/// small (no hidden layer: a straight line), a right-sized one (two layers of 16, early stopping on 30 validation points) and one too large
/// (two layers of 256 trained without any stop). capacity-fits.png shows the three fits against the data and the true
/// curve; capacity-losses.png the large network's training and validation loss with the early-stopping point marked.
/// </summary>
internal sealed class CapacityCommand : Command<CapacityCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--epochs <N>"), Description("Full-batch Adam epochs. Default: 3000.")]
        public int Epochs { get; init; } = 3000;

        [CommandOption("--seed <N>"), Description("Seed of data and weights. Default: 42.")]
        public ulong Seed { get; init; } = 42;

        [CommandOption("--out <DIR>"), Description("Folder for the PNGs. Default: runs/capacity-<date-time>.")]
        public string? Out { get; init; }
    }

    public const float Noise = 0.3f;

    /// <summary>One network's result: its losses per epoch, its final errors and the fitted curve on a grid.</summary>
    public sealed record Fit(string Name, History History, float TrainMse, float ValMse, int BestEpoch, float[] Curve);

    public static readonly float[] Grid = Enumerable.Range(0, 201).Select(i => i / 200f).ToArray();

    public static List<Fit> Run(int epochs, ulong seed)
    {
        var train = ClassicProblems.NoisySine(30, Noise, seed);
        var val = ClassicProblems.NoisySine(30, Noise, seed + 1);
        var fits = new List<Fit>();
        foreach (var (name, hidden, stop) in new[] { ("too small: a straight line", Array.Empty<int>(), false), ("right: 16-16, early stopping", new[] { 16, 16 }, true), ("too large: 256-256, no stop", new[] { 256, 256 }, false) })
        {
            var g = new Generator(seed);
            var layers = new List<Module<Tensor, Tensor>>();
            int inF = 1;
            foreach (var h in hidden) { layers.Add(new Linear(inF, h, gen: g)); layers.Add(new Tanh()); inF = h; }
            layers.Add(new Linear(inF, 1, gen: g));
            var net = new Sequential([.. layers]);
            var early = new EarlyStopping("val_loss", patience: 200, restoreBest: true);
            var watch = new EarlyStopping("val_loss", patience: int.MaxValue, restoreBest: false); // only to find the best epoch
            var h2 = Trainer.Fit(net, new MSELoss(), new Adam(net.Parameters(), 0.01f), new DataLoader(train, train.Count), new DataLoader(val, val.Count), epochs,
                stop ? early : watch);
            net.Eval();
            Tensor curve;
            using (Autograd.NoGrad()) curve = net.Call(Tensor.FromArray(Grid, Grid.Length, 1));
            var (t, v) = (Trainer.Evaluate(net, new MSELoss(), new DataLoader(train, 30)).Loss, Trainer.Evaluate(net, new MSELoss(), new DataLoader(val, 30)).Loss);
            fits.Add(new Fit(name, h2, t, v, stop ? early.BestEpoch : watch.BestEpoch, curve.ToArray()));
        }
        return fits;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Epochs < 1) throw new ArgumentException($"--epochs must be at least 1, got {s.Epochs}.");
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] capacity: 30 training and 30 validation points of sin(2πx) + N(0, {Noise}²), full-batch Adam, up to {s.Epochs} epochs");
        var fits = Run(s.Epochs, s.Seed);
        var table = new Table().AddColumns("network", "epochs", "training MSE", "validation MSE", "best validation epoch");
        foreach (var f in fits) table.AddRow(Markup.Escape(f.Name), f.History.Epochs.Count.ToString(), f.TrainMse.ToString("F4"), f.ValMse.ToString("F4"), f.BestEpoch.ToString());
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"The noise alone gives an MSE of about {Noise * Noise:F2}: far above it is underfitting, far below it on the training points is fitting the noise.");
        var outDir = RunFolder.Choose(s.Out, "capacity");
        Directory.CreateDirectory(outDir);
        var train = ClassicProblems.NoisySine(30, Noise, s.Seed);
        var curves = fits.ToDictionary(f => f.Name, f => CapacityGrid(f.Curve));
        curves["true curve sin(2πx)"] = CapacityGrid(Grid.Select(ClassicProblems.Sine).ToArray());
        Plots.Curves(curves, "Too small, right, too large", "x", "y", Path.Combine(outDir, "capacity-fits.png"),
            scatter: (train.Inputs.ToArray(), train.Targets.ToArray(), "training points"));
        var large = fits[^1];
        Plots.Curves(new Dictionary<string, List<(double X, double Y)>>
            {
                ["training loss"] = large.History.Epochs.Select(e => ((double)e.Epoch, (double)e.Loss)).ToList(),
                ["validation loss"] = large.History.Epochs.Select(e => ((double)e.Epoch, (double)e.ValLoss!.Value)).ToList(),
            }, $"{large.Name}: validation loss is lowest at epoch {large.BestEpoch}", "epoch", "MSE", Path.Combine(outDir, "capacity-losses.png"),
            (large.BestEpoch, "early-stopping point"), logY: true, vertical: true);
        AnsiConsole.MarkupLine($"written: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }

    static List<(double X, double Y)> CapacityGrid(float[] y) => Grid.Select((x, i) => ((double)x, (double)y[i])).ToList();
}
