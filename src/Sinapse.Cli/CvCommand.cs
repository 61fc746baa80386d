using System.ComponentModel;
using System.Globalization;
using System.Text;
using Sinapse.Data;
using Sinapse.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse cv --data iris --folds 5</c>: k-fold cross-validation of the tabular MLP (stratified for classification).
/// In each round one fold is the test part; 20% of the rest (stratified) is the validation part for early stopping.
/// Prints and writes (cv.md, cv.csv) each fold's score and the mean ± standard deviation.
/// </summary>
internal sealed class CvCommand : Command<CvCommand.Settings>
{
    public sealed class Settings : TrainCommand.Settings
    {
        [CommandOption("--folds <K>"), Description("Number of folds. Default: 5.")]
        public int Folds { get; init; } = 5;

        public override ValidationResult Validate() =>
            Folds < 2 ? ValidationResult.Error($"--folds must be at least 2, got {Folds}.") : base.Validate();
    }

    /// <summary>One round's scores: accuracy (classification) or R² and RMSE (regression), and the epochs trained.</summary>
    public readonly record struct FoldScore(int Fold, int TestRows, double Score, double? Rmse, int BestEpoch);

    /// <summary>Runs k-fold cross-validation of <paramref name="recipe"/> on <paramref name="data"/>.</summary>
    public static List<FoldScore> Run(TabularData data, TabularTraining.Recipe recipe, int k, Action<FoldScore>? progress = null)
    {
        var labels = data.Labels;
        var folds = Data.Folds.KFold(data.Count, k, recipe.Seed, labels);
        var scores = new List<FoldScore>();
        for (int f = 0; f < k; f++)
        {
            var rest = Data.Folds.Rest(folds, f);
            var (train, val) = Data.Folds.Split(rest.Length, 0.2f, recipe.Seed + (ulong)f + 1, labels != null ? rest.Select(i => labels[i]).ToArray() : null);
            var p = TabularTraining.Prepare(data, train.Select(i => rest[i]).ToArray(), val.Select(i => rest[i]).ToArray(), folds[f]);
            var (model, _, stop) = TabularTraining.Fit(p, recipe);
            var pred = p.Predict(model, p.Test);
            FoldScore score;
            if (data.Task == TabularTask.Classification)
                score = new FoldScore(f + 1, p.Test.Count, TabularTraining.Accuracy(pred, p.Test.Targets), null, stop.BestEpoch);
            else
            {
                var actual = p.Target!.Invert(p.Test.Targets).ToArray();
                score = new FoldScore(f + 1, p.Test.Count, Metrics.R2(pred.ToArray(), actual), Metrics.Rmse(pred.ToArray(), actual), stop.BestEpoch);
            }
            scores.Add(score);
            progress?.Invoke(score);
        }
        return scores;
    }

    /// <summary>Mean and sample standard deviation.</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> v)
    {
        double mean = v.Average();
        return (mean, v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0);
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Threads is int th) Sinapse.Settings.Threads = th;
        if (!TabularTraining.Handles(s.Data)) throw new ArgumentException($"cv: --data must be a table (csv:FILE or one of {string.Join(", ", TabularData.Shipped.Keys)}), got '{s.Data ?? "(none)"}'.");
        var data = TabularTraining.Load(s.Data!, s.Target, s.Task);
        var recipe = TabularRun.Recipe(s);
        bool classify = data.Task == TabularTask.Classification;
        string metric = classify ? "accuracy" : "R²";
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] {s.Folds}-fold cross-validation{(classify ? " (stratified)" : "")} of [green]{Markup.Escape(s.Model)}[/] on {Markup.Escape(data.Source)}: {data.Count} rows, target {Markup.Escape(data.TargetName)}; seed {s.Seed}");
        var scores = Run(data, recipe, s.Folds, f =>
            AnsiConsole.MarkupLine($"fold {f.Fold}: {metric} {f.Score:F4}{(f.Rmse is double r ? $", RMSE {r:F2}" : "")} on {f.TestRows} rows (best epoch {f.BestEpoch})"));
        var (mean, std) = MeanStd(scores.Select(f => f.Score).ToList());
        AnsiConsole.MarkupLine($"{metric}: mean [bold green]{mean:F4}[/] ± {std:F4} (standard deviation over {s.Folds} folds)");

        var outDir = RunFolder.Choose(s.Out, "cv");
        Directory.CreateDirectory(outDir);
        var csv = new StringBuilder($"fold,test_rows,{(classify ? "accuracy" : "r2,rmse")},best_epoch\n");
        var md = new StringBuilder($"# {s.Folds}-fold cross-validation: {Path.GetFileName(data.Source)}, {data.TargetName}\n\n| fold | test rows | {metric} |{(classify ? "" : " RMSE |")} best epoch |\n|---:|---:|---:|{(classify ? "" : "---:|")}---:|\n");
        foreach (var f in scores)
        {
            csv.Append(FormattableString.Invariant($"{f.Fold},{f.TestRows},{f.Score:R}{(f.Rmse is double r ? $",{r:R}" : "")},{f.BestEpoch}\n"));
            md.Append(FormattableString.Invariant($"| {f.Fold} | {f.TestRows} | {f.Score:F4} |{(f.Rmse is double r2 ? $" {r2:F2} |" : "")} {f.BestEpoch} |\n"));
        }
        md.Append(FormattableString.Invariant($"\n{metric}: **{mean:F4} ± {std:F4}** (mean ± standard deviation over the folds).\n"));
        RunFolder.WriteText(Path.Combine(outDir, "cv.csv"), csv.ToString());
        RunFolder.WriteText(Path.Combine(outDir, "cv.md"), md.ToString());
        AnsiConsole.MarkupLine($"written: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }
}
