using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Training;
using Spectre.Console;

namespace Sinapse.Cli;

/// <summary>
/// <c>sinapse train --data csv:FILE --target COLUMN [--task classification|regression]</c> (or --data iris|wine|
/// breast-cancer|diabetes): trains an MLP on a table and writes the run folder: model, standardisation, history, loss
/// plot, and a report — precision, recall, F1 (and ROC AUC for two classes), or RMSE, MAE, R² with a 95% prediction
/// interval from the validation MSE and its coverage on the test rows.
/// </summary>
internal static class TabularRun
{
    public const string ReportMd = "report.md", PreprocessingJson = "preprocessing.json", PredictionsCsv = "predictions.csv", PredictionsPng = "predictions.png";

    /// <summary>
    /// Hidden layer sizes of --model for a table: mlp (one layer of 16: the small tables here have 150–570 rows, and in
    /// 5-fold cross-validation over four seeds it matched or beat 32-16 on each of them), linear (none) or mlp:H1,H2,….
    /// </summary>
    public static int[] Hidden(string model) =>
        model == "mlp" ? [16] : ModelSpec.Parse(model, [1], 1).Layers.Where(l => l.Type == "Linear").Select(l => (int)l.Args!["out_features"]).SkipLast(1).ToArray();

    public static TabularTraining.Recipe Recipe(TrainCommand.Settings s) =>
        new(Hidden(s.Model), s.LearningRateOption ?? 3e-3f, s.EpochsOption ?? 300, s.BatchSizeOption ?? 16, s.Seed, s.WeightDecay, s.Dropout, s.Optimizer, L1: s.L1, MaxNorm: s.MaxNorm);

    public static int Run(TrainCommand.Settings s)
    {
        if (s.Threads is int th) Sinapse.Settings.Threads = th;
        if (s.Model is "lenet" or "cnn" or "charlstm") throw new ArgumentException($"--data {s.Data} is a table: use --model mlp, linear or mlp:H1,H2,…, not '{s.Model}'.");
        var data = TabularTraining.Load(s.Data!, s.Target, s.Task);
        var recipe = Recipe(s);
        var outDir = RunFolder.Choose(s.Out);
        Directory.CreateDirectory(outDir);
        bool classify = data.Task == TabularTask.Classification;
        AnsiConsole.MarkupLine($"[bold]Sinapse[/] training [green]{Markup.Escape(s.Model)}[/] on {Markup.Escape(data.Source)}: {data.Count} rows, {data.FeatureCount} inputs, target [bold]{Markup.Escape(data.TargetName)}[/] " +
            (classify ? $"(classification, {data.Classes.Length} classes: {Markup.Escape(string.Join(", ", data.Classes))})" : "(regression)") + $"; seed {s.Seed}");
        var p = TabularTraining.Split(data, s.Seed);
        AnsiConsole.MarkupLine($"{p.Train.Count} training, {p.Validation.Count} validation, {p.Test.Count} test rows{(classify ? " (stratified)" : "")}; inputs standardised on the training rows{(classify ? "" : ", and the target")}");
        var spec = TabularTraining.Spec(data, recipe);
        var sw = Stopwatch.StartNew();
        var callbacks = new List<Callback> { new CsvLogger(Path.Combine(outDir, RunFolder.HistoryCsv)) };
        RunSettings.Save(s, outDir);
        callbacks.Add(RunSettings.Backup(outDir, s.Resume != null));
        var (model, history, stop) = TabularTraining.Fit(p, recipe, callbacks, TrainCommand.FitWithProgress);
        double seconds = sw.Elapsed.TotalSeconds;
        AnsiConsole.WriteLine(model.Summary(1, data.FeatureCount));

        model.Save(Path.Combine(outDir, RunFolder.Weights), new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "sinapse" });
        spec.Save(Path.Combine(outDir, RunFolder.ModelJson));
        RunFolder.WriteText(Path.Combine(outDir, PreprocessingJson), Preprocessing(p));
        Plots.Loss(history, Path.Combine(outDir, RunFolder.LossPng), classify ? "cross-entropy" : "MSE (standardised target)", stop.BestEpoch);
        var metrics = new List<(string, object)> { ("data", data.Source), ("target", data.TargetName), ("task", classify ? "classification" : "regression"),
            ("model", s.Model), ("epochs", history.Epochs.Count), ("best_epoch", stop.BestEpoch), ("seed", s.Seed), ("seconds", seconds) };
        var report = new StringBuilder($"# {Path.GetFileName(data.Source)}: {data.TargetName}\n\n{p.Train.Count} training, {p.Validation.Count} validation, {p.Test.Count} test rows; " +
            $"best validation loss at epoch {stop.BestEpoch} of {history.Epochs.Count}.\n\n");
        if (recipe.L1 > 0)
        {
            double sparse = Regularization.NearZeroFraction(model);
            metrics.Add(("near_zero_weights", sparse));
            report.Append($"L1 penalty λ = {recipe.L1}: {sparse:P1} of the weights are below 1e-3 in magnitude.\n\n");
            AnsiConsole.MarkupLine($"L1 λ = {recipe.L1}: {sparse:P1} of the weights are near zero (|w| < 1e-3)");
        }
        if (classify) Classification(p, model, outDir, metrics, report);
        else Regression(p, model, outDir, metrics, report);
        RunFolder.WriteMetrics(Path.Combine(outDir, RunFolder.MetricsJson), metrics);
        RunFolder.WriteText(Path.Combine(outDir, ReportMd), report.ToString());
        AnsiConsole.MarkupLine($"run folder: [blue]{Markup.Escape(Path.GetFullPath(outDir))}[/]");
        return 0;
    }

    static void Classification(TabularTraining.Prepared p, Layers.Sequential model, string outDir, List<(string, object)> metrics, StringBuilder report)
    {
        var scores = p.Predict(model, p.Test);
        var actual = p.Test.Targets.ToArray().Select(v => (int)v).ToArray();
        var predicted = scores.ArgMax(1).ToArray().Select(v => (int)v).ToArray();
        var cm = new ConfusionMatrix(p.Data.Classes.Length, predicted, actual);
        Output.Confusion(cm, p.Data.Classes);
        Pictures.Confusion(cm, Path.Combine(outDir, RunFolder.ConfusionPng));
        report.Append(cm.Report(p.Data.Classes));
        metrics.Add(("test_accuracy", cm.Accuracy));
        metrics.Add(("macro_f1", cm.Macro(cm.F1)));
        string auc = "";
        if (p.Data.Classes.Length == 2)
        {
            var prob = scores.Softmax(1).ToArray().Where((_, i) => i % 2 == 1).ToArray(); // P(second class)
            double a = Metrics.RocAuc(prob, actual);
            metrics.Add(("roc_auc", a));
            report.Append($"ROC AUC ({p.Data.Classes[1]} as positive): {a:F4}\n");
            auc = $", ROC AUC {a:F4}";
        }
        AnsiConsole.MarkupLine($"test accuracy [bold green]{cm.Accuracy:P2}[/], macro F1 {cm.Macro(cm.F1):F4}{auc} ({actual.Length} test rows)");
    }

    static void Regression(TabularTraining.Prepared p, Layers.Sequential model, string outDir, List<(string, object)> metrics, StringBuilder report)
    {
        float[] Values(TensorDataset set) => p.Target!.Invert(set.Targets).ToArray();
        var valPred = p.Predict(model, p.Validation).ToArray();
        double halfWidth = Metrics.IntervalHalfWidth(Metrics.Mse(valPred, Values(p.Validation)));
        var pred = p.Predict(model, p.Test).ToArray();
        var actual = Values(p.Test);
        double rmse = Metrics.Rmse(pred, actual), mae = Metrics.Mae(pred, actual), r2 = Metrics.R2(pred, actual), coverage = Metrics.Coverage(pred, actual, halfWidth);
        metrics.AddRange([("test_rmse", rmse), ("test_mae", mae), ("test_r2", r2), ("interval_half_width", halfWidth), ("interval_coverage", coverage)]);
        report.Append($"| test rows | RMSE | MAE | R² | 95% interval | coverage |\n|---:|---:|---:|---:|---:|---:|\n" +
            $"| {actual.Length} | {rmse:F2} | {mae:F2} | {r2:F3} | ± {halfWidth:F1} | {coverage:P1} |\n\n" +
            "The interval is prediction ± 1.96·σ with σ² the mean squared error on the validation rows (normal errors).\n");
        var csv = new StringBuilder("actual,predicted,lower,upper\n");
        for (int i = 0; i < actual.Length; i++)
            csv.Append(FormattableString.Invariant($"{actual[i]},{pred[i]},{pred[i] - halfWidth:G6},{pred[i] + halfWidth:G6}\n"));
        RunFolder.WriteText(Path.Combine(outDir, PredictionsCsv), csv.ToString());
        Plots.Predictions(actual, pred, halfWidth, $"{p.Data.TargetName}: test R² {r2:F3}, coverage {coverage:P0}", Path.Combine(outDir, PredictionsPng));
        AnsiConsole.MarkupLine($"test RMSE [bold green]{rmse:F2}[/], MAE {mae:F2}, R² [bold]{r2:F3}[/]; 95% interval ± {halfWidth:F1} covers {coverage:P1} of {actual.Length} test rows");
    }

    /// <summary>What predict needs to treat a new row as training did: input names and standardisation, classes, target scaling.</summary>
    static string Preprocessing(TabularTraining.Prepared p)
    {
        static string List(IEnumerable<float> v) => "[" + string.Join(", ", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]";
        static string Names(IEnumerable<string> v) => "[" + string.Join(", ", v.Select(x => System.Text.Json.JsonEncodedText.Encode(x).ToString()).Select(x => $"\"{x}\"")) + "]";
        var sb = new StringBuilder("{\n");
        sb.Append($"  \"features\": {Names(p.Data.FeatureNames)},\n  \"mean\": {List(p.Inputs.Mean)},\n  \"std\": {List(p.Inputs.Std)},\n");
        sb.Append($"  \"target\": {Names([p.Data.TargetName])[1..^1]},\n  \"classes\": {Names(p.Data.Classes)}");
        if (p.Target != null) sb.Append($",\n  \"target_mean\": {p.Target.Mean[0].ToString("R", CultureInfo.InvariantCulture)},\n  \"target_std\": {p.Target.Std[0].ToString("R", CultureInfo.InvariantCulture)}");
        return sb.Append("\n}\n").ToString();
    }
}
