using System.ComponentModel;
using System.Text;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse optimizers</c>: the classic optimizers against the modern ones on XOR, 4-bit parity and Iris — epochs until
/// the training loss reaches a target, from the same initial weights. Full-batch gradient descent, Rprop and Quickprop
/// take one step per epoch; SGD, momentum and Adam one per mini-batch of 16 (Iris) or per row (XOR, parity).
/// Writes optimizers.md (the table) and optimizers.png (loss curves).
/// </summary>
internal sealed class OptimizersCommand : Command<OptimizersCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--max-epochs <N>"), Description("Epoch budget per run. Default: 2000.")]
        public int MaxEpochs { get; init; } = 2000;

        [CommandOption("--out <DIR>"), Description("Folder for optimizers.md and optimizers.png. Default: runs/optimizers-<date-time>.")]
        public string? Out { get; init; }
    }

    /// <summary>A problem: its data, network, target loss and mini-batch size for the stochastic methods.</summary>
    public sealed record Problem(string Name, TensorDataset Data, int Hidden, float Target, int Batch);

    public static IReadOnlyList<Problem> Problems()
    {
        var iris = TabularData.LoadShipped("iris");
        var irisData = new TensorDataset(Standardizer.Fit(iris.Data.Inputs).Apply(iris.Data.Inputs), iris.Data.Targets);
        return [new("XOR", ClassicProblems.Xor(), 4, 0.05f, 1), new("4-bit parity", ClassicProblems.Parity(4), 8, 0.05f, 1), new("Iris", irisData, 16, 0.1f, 16)];
    }

    /// <summary>The contenders: name, factory, whether full-batch. Rates chosen once for all three problems.</summary>
    public static IReadOnlyList<(string Name, Func<IEnumerable<Tensor>, Optimizer> Make, bool FullBatch)> Contenders() =>
    [
        ("gradient descent (full batch)", p => new SGD(p, 0.5f), true),
        ("SGD", p => new SGD(p, 0.1f), false),
        ("SGD + momentum 0.9", p => new SGD(p, 0.02f, momentum: 0.9f), false),
        ("Adam", p => new Adam(p, 0.01f), false),
        ("Rprop (iRprop−)", p => new Rprop(p, 0.05f), true),
        ("Quickprop", p => new Quickprop(p, 0.1f), true),
    ];

    public static List<(Problem Problem, EpochsToTarget.Result Result)> Run(int maxEpochs, Action<Problem, EpochsToTarget.Result>? progress = null)
    {
        var results = new List<(Problem, EpochsToTarget.Result)>();
        foreach (var p in Problems())
        {
            int inputs = p.Data.Inputs.Shape[1], classes = (int)p.Data.Targets.ToArray().Max() + 1;
            Func<Module<Tensor, Tensor>> net = () =>
            {
                var g = new Generator(3);
                return new Sequential(new Linear(inputs, p.Hidden, gen: g), new Tanh(), new Linear(p.Hidden, classes, gen: g));
            };
            foreach (var (name, make, full) in Contenders())
            {
                var r = EpochsToTarget.Run(name, net, make, p.Data, new CrossEntropyLoss(), p.Target, maxEpochs, full ? null : p.Batch, seed: 1);
                results.Add((p, r));
                progress?.Invoke(p, r);
            }
        }
        return results;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.MaxEpochs < 1) throw new ArgumentException($"--max-epochs must be at least 1, got {s.MaxEpochs}.");
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] optimizers: epochs until the training loss (cross-entropy over the whole set) reaches the target, at most {s.MaxEpochs}");
        var results = Run(s.MaxEpochs, (p, r) => AnsiConsole.MarkupLine($"{Markup.Escape(p.Name)}, {Markup.Escape(r.Optimizer)}: {(r.Epochs is int e ? $"[green]{e}[/] epochs" : $"[red]not reached[/] (loss {r.Losses[^1]:F4})")}"));
        var problems = results.Select(r => r.Problem).Distinct().ToList();
        var md = new StringBuilder("| optimizer | " + string.Join(" | ", problems.Select(p => $"{p.Name} (loss ≤ {p.Target})")) + " |\n|---|" + string.Concat(problems.Select(_ => "---:|")) + "\n");
        foreach (var (name, _, _) in Contenders())
            md.Append($"| {name} | ").Append(string.Join(" | ", problems.Select(p => results.First(r => r.Problem == p && r.Result.Optimizer == name).Result.Epochs?.ToString() ?? $"> {s.MaxEpochs}"))).Append(" |\n");
        md.Append("\nEpochs until the cross-entropy over the whole training set is at most the target; the same initial weights for every optimizer. " +
            "Full-batch methods take one step per epoch, SGD, momentum and Adam one per row (XOR, parity) or per 16 rows (Iris).\n");
        var outDir = RunFolder.Choose(s.Out, "optimizers");
        Directory.CreateDirectory(outDir);
        RunFolder.WriteText(Path.Combine(outDir, "optimizers.md"), md.ToString());
        Plots.OptimizerCurves(results.Select(r => (r.Problem.Name, r.Result.Optimizer, r.Result.Losses)).ToList(), Path.Combine(outDir, "optimizers.png"));
        AnsiConsole.WriteLine(md.ToString());
        AnsiConsole.MarkupLine($"written: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }
}
