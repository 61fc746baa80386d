using System.ComponentModel;
using System.Globalization;
using System.Text;
using Sinapse.Data;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse tune --data wine</c>: grid or random search over learning rate, hidden layers, batch size, optimizer,
/// weight decay and dropout for the tabular MLP, each trial scored on the validation rows (accuracy, or R²) or, with
/// --folds, by cross-validation. Writes the ranked table (tune.csv, tune.md) and tune.png (score against each hyperparameter).
/// </summary>
internal sealed class TuneCommand : Command<TuneCommand.Settings>
{
    public const string DefaultSpace = "lr=1e-3,3e-3,1e-2;hidden=16|32,16|64,32;batch=8,16,32;optimizer=adam,sgd;weight_decay=0,1e-4,1e-3;dropout=0,0.2";

    public sealed class Settings : TrainCommand.Settings
    {
        [CommandOption("--search <KIND>"), Description("grid (every combination) or random. Default: random.")]
        public string Search { get; init; } = "random";

        [CommandOption("--trials <N>"), Description("Trials of a random search. Default: 20.")]
        public int Trials { get; init; } = 20;

        [CommandOption("--folds <K>"), Description("Score each trial by K-fold cross-validation instead of the validation rows. Default: none.")]
        public int? Folds { get; init; }

        [CommandOption("--space <SPEC>"), Description("Values to try: name=v1,v2;… over lr, hidden (sizes joined by ',', alternatives by '|'), batch, optimizer, weight_decay, dropout. Default: " + DefaultSpace)]
        public string Space { get; init; } = DefaultSpace;

        public override ValidationResult Validate()
        {
            if (Search is not ("grid" or "random")) return ValidationResult.Error($"--search: '{Search}' is not grid or random.");
            if (Trials < 1) return ValidationResult.Error($"--trials must be at least 1, got {Trials}.");
            if (Folds is int k && k < 2) return ValidationResult.Error($"--folds must be at least 2, got {k}.");
            return base.Validate();
        }
    }

    static readonly string[] Known = ["lr", "hidden", "batch", "optimizer", "weight_decay", "dropout"];

    /// <summary>The recipe of one trial: <paramref name="baseRecipe"/> with the trial's values.</summary>
    public static TabularTraining.Recipe Apply(TabularTraining.Recipe baseRecipe, IReadOnlyDictionary<string, string> t)
    {
        foreach (var k in t.Keys)
            if (!Known.Contains(k)) throw new ArgumentException($"--space: unknown hyperparameter '{k}' ({string.Join(", ", Known)}).");
        return baseRecipe with
        {
            LearningRate = HyperparameterSearch.Float(t, "lr", baseRecipe.LearningRate),
            Hidden = t.TryGetValue("hidden", out var h) ? TabularRun.Hidden(h == "0" || h == "linear" ? "linear" : "mlp:" + h) : baseRecipe.Hidden,
            BatchSize = (int)HyperparameterSearch.Float(t, "batch", baseRecipe.BatchSize),
            Optimizer = t.GetValueOrDefault("optimizer", baseRecipe.Optimizer),
            WeightDecay = HyperparameterSearch.Float(t, "weight_decay", baseRecipe.WeightDecay),
            Dropout = HyperparameterSearch.Float(t, "dropout", baseRecipe.Dropout),
        };
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Threads is int th) Sinapse.Settings.Threads = th;
        if (!TabularTraining.Handles(s.Data)) throw new ArgumentException($"tune: --data must be a table (csv:FILE or one of {string.Join(", ", TabularData.Shipped.Keys)}), got '{s.Data ?? "(none)"}'.");
        var space = HyperparameterSearch.Parse(s.Space);
        var data = TabularTraining.Load(s.Data!, s.Target, s.Task);
        var baseRecipe = TabularRun.Recipe(s);
        bool classify = data.Task == TabularTask.Classification;
        string metric = (s.Folds is int f ? $"{f}-fold mean " : "validation ") + (classify ? "accuracy" : "R²");
        var trials = (s.Search == "grid" ? space.Grid() : space.Random(s.Trials, s.Seed)).ToList();
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] {s.Search} search, {trials.Count} trials of {space.GridSize} combinations, on {Markup.Escape(data.Source)} (target {Markup.Escape(data.TargetName)}); score: {metric}");
        var split = TabularTraining.Split(data, s.Seed);
        var results = new List<(IReadOnlyDictionary<string, string> Trial, double Score, int Epochs)>();
        foreach (var t in trials)
        {
            var recipe = Apply(baseRecipe, t);
            double score; int epochs;
            if (s.Folds is int k)
            {
                var folds = CvCommand.Run(data, recipe, k);
                (score, epochs) = (folds.Average(x => x.Score), (int)folds.Average(x => x.BestEpoch));
            }
            else
            {
                var (model, _, stop) = TabularTraining.Fit(split, recipe);
                var pred = split.Predict(model, split.Validation);
                score = classify ? TabularTraining.Accuracy(pred, split.Validation.Targets)
                    : Metrics.R2(pred.ToArray(), split.Target!.Invert(split.Validation.Targets).ToArray());
                epochs = stop.BestEpoch;
            }
            results.Add((t, score, epochs));
            AnsiConsole.MarkupLine($"{results.Count,3}/{trials.Count}: {Markup.Escape(Describe(t))} → {score:F4}");
        }
        var ranked = results.OrderByDescending(r => r.Score).ToList();
        var names = space.Space.Select(d => d.Name).ToList();
        var csv = new StringBuilder("rank," + string.Join(",", names) + ",score,best_epoch\n");
        var md = new StringBuilder($"# {s.Search} search on {Path.GetFileName(data.Source)} ({data.TargetName}): {metric}\n\n| rank | " + string.Join(" | ", names) + " | score | best epoch |\n|---:|" + string.Concat(names.Select(_ => "---|")) + "---:|---:|\n");
        for (int i = 0; i < ranked.Count; i++)
        {
            var (t, score, ep) = ranked[i];
            csv.Append(i + 1).Append(',').Append(string.Join(",", names.Select(n => $"\"{t[n]}\""))).Append(FormattableString.Invariant($",{score:R},{ep}\n"));
            md.Append($"| {i + 1} | ").Append(string.Join(" | ", names.Select(n => t[n]))).Append(FormattableString.Invariant($" | {score:F4} | {ep} |\n"));
        }
        var outDir = RunFolder.Choose(s.Out, "tune");
        Directory.CreateDirectory(outDir);
        RunFolder.WriteText(Path.Combine(outDir, "tune.csv"), csv.ToString());
        RunFolder.WriteText(Path.Combine(outDir, "tune.md"), md.ToString());
        Plots.ScoreByHyperparameter(space.Space, results.Select(r => (r.Trial, r.Score)).ToList(), metric, Path.Combine(outDir, "tune.png"));
        AnsiConsole.MarkupLine($"best: [bold green]{ranked[0].Score:F4}[/] with {Markup.Escape(Describe(ranked[0].Trial))}");
        AnsiConsole.MarkupLine($"written: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }

    static string Describe(IReadOnlyDictionary<string, string> t) => string.Join(" ", t.Select(kv => $"{kv.Key}={kv.Value}"));
}
