using System.Text.Json;
using Sinapse.Tests.Support;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

/// <summary>Tables through the CLI: train on a shipped set or any CSV, cross-validate, resume, and the errors of a bad CSV.</summary>
[Collection(nameof(ProcessWideCollection))]
public class CliTabularTests
{
    static JsonElement Metrics(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement.Clone();

    [Fact]
    public void Train_OnIris_WritesAReportWithPrecisionRecallF1()
    {
        var run = Path.Combine(Temp(), "run");
        var (code, output, err) = Run("train", "--data", "iris", "--epochs", "80", "--out", run);
        Assert.True(code == 0, err);
        Assert.Contains("target species (classification, 3 classes: setosa, versicolor, virginica)", output.Replace("\n", ""));
        foreach (var f in new[] { "model.json", "model.safetensors", "preprocessing.json", "history.csv", "metrics.json", "loss.png", "confusion.png", "report.md", "settings.json", "checkpoint.safetensors" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);
        Assert.True(Metrics(run).GetProperty("test_accuracy").GetDouble() >= 0.9);
        var report = File.ReadAllText(Path.Combine(run, "report.md"));
        Assert.Contains("| setosa |", report);
        Assert.Contains("| macro average |", report);
        // predict scores new rows read exactly as in training: columns by name, in any order.
        var rows = Path.Combine(Temp(), "rows.csv");
        File.WriteAllLines(rows, ["species,petal_width,petal_length,sepal_width,sepal_length", "setosa,0.2,1.4,3.5,5.1", "virginica,2.3,6.0,3.3,6.3", "versicolor,1.3,4.5,2.8,5.7"]);
        (code, output, err) = Run("predict", "--model", run, rows);
        Assert.True(code == 0, err);
        Assert.Contains("accuracy against the 'species' column: 100.0 % (3 of 3)", output);
        Assert.Equal("1,setosa,", File.ReadAllLines(Path.ChangeExtension(rows, ".predictions.csv"))[1][..9]);
        File.WriteAllLines(rows, ["sepal_length,sepal_width", "5.1,3.5"]);
        (code, _, err) = Run("predict", "--model", run, rows);
        Assert.Equal(2, code);
        Assert.Contains("no column 'petal_length'", err);
    }

    [Fact]
    public void Train_OnATwoClassCsv_ReportsRocAuc()
    {
        var dir = Temp();
        var csv = Path.Combine(dir, "points.csv");
        var gen = new Generator(4);
        var lines = new List<string> { "x,y,label" };
        for (int i = 0; i < 120; i++)
        {
            bool pos = i % 2 == 0;
            lines.Add(FormattableString.Invariant($"{gen.NextNormal() + (pos ? 1.5f : -1.5f)},{gen.NextNormal()},{(pos ? "yes" : "no")}"));
        }
        File.WriteAllLines(csv, lines);
        var run = Path.Combine(dir, "run");
        var (code, output, err) = Run("train", "--data", "csv:" + csv, "--target", "label", "--epochs", "40", "--out", run);
        Assert.True(code == 0, err);
        Assert.Contains("ROC AUC", output);
        Assert.InRange(Metrics(run).GetProperty("roc_auc").GetDouble(), 0.9, 1.0);
    }

    [Fact]
    public void Train_OnDiabetes_GivesRegressionScoresAndAnInterval()
    {
        var run = Path.Combine(Temp(), "run");
        var (code, output, err) = Run("train", "--data", "diabetes", "--epochs", "60", "--out", run);
        Assert.True(code == 0, err);
        Assert.Contains("(regression)", output);
        var m = Metrics(run);
        Assert.True(m.GetProperty("test_r2").GetDouble() > 0.2, output);
        Assert.InRange(m.GetProperty("interval_coverage").GetDouble(), 0.7, 1.0);
        Assert.True(File.Exists(Path.Combine(run, "predictions.png")));
        Assert.Equal(89, File.ReadAllLines(Path.Combine(run, "predictions.csv")).Length); // header + 88 test rows (20% of 442)
    }

    [Theory]
    [InlineData("a,b,y\n1,2,3\n4,5,6\n", "target", "no column 'target'; its columns are a, b, y")]
    [InlineData("a,b,y\n1,2,3\n4,five,6\n7,8,9\n", "y", "line 3 column 2 ('b'): 'five' is not a number")]
    [InlineData("a,b,y\n1,2,3\n4,5\n", "y", "line 3: 2 cells, expected 3")]
    public void ABadCsv_IsOneErrorLine_NamingTheFile_AndExitCode2(string text, string target, string message)
    {
        var csv = Path.Combine(Temp(), "bad.csv");
        File.WriteAllText(csv, text);
        var (code, _, err) = Run("train", "--data", "csv:" + csv, "--target", target, "--out", Path.Combine(Temp(), "run"));
        Assert.Equal(2, code);
        var line = Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("error: ", line);
        Assert.Contains(csv, line);
        Assert.Contains(message, line);
    }

    [Fact]
    public void Cv_OnIris_PrintsEveryFoldAndTheMean()
    {
        var dir = Path.Combine(Temp(), "cv");
        var (code, output, err) = Run("cv", "--data", "iris", "--folds", "3", "--epochs", "60", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("fold 3: accuracy", output);
        Assert.Contains("mean", output);
        var rows = File.ReadAllLines(Path.Combine(dir, "cv.csv"));
        Assert.Equal(4, rows.Length);
        Assert.All(rows.Skip(1), r => Assert.InRange(double.Parse(r.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture), 0.8, 1.0));
        Assert.Contains("± ", File.ReadAllText(Path.Combine(dir, "cv.md")));
    }

    [Fact]
    public void Resume_ContinuesARun_ToTheSameWeightsAsOneLongRun()
    {
        var dir = Temp();
        string whole = Path.Combine(dir, "whole"), parts = Path.Combine(dir, "parts");
        string[] common = ["--data", "iris", "--schedule", "none", "--dropout", "0.2"];
        Assert.Equal(0, Run(["train", .. common, "--epochs", "8", "--out", whole]).Code);
        Assert.Equal(0, Run(["train", .. common, "--epochs", "3", "--out", parts]).Code);
        var (code, output, err) = Run("train", "--resume", parts, "--epochs", "8");
        Assert.True(code == 0, err);
        Assert.Contains("resuming", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(parts, "model.safetensors")));
        string Losses(string run) => string.Join("\n", File.ReadAllLines(Path.Combine(run, "history.csv")).Select(l => string.Join(",", l.Split(',')[..6])));
        Assert.Equal(Losses(whole), Losses(parts));
    }

    [Fact]
    public void Resume_OfAFolderWithoutACheckpoint_SaysWhy()
    {
        var (code, _, err) = Run("train", "--resume", Temp());
        Assert.Equal(2, code);
        Assert.Contains("settings.json", err);
    }
}

/// <summary>The generalization commands: tune, lr-sweep, capacity and optimizers, with small budgets.</summary>
[Collection(nameof(ProcessWideCollection))]
public class CliGeneralizationTests
{
    [Fact]
    public void Tune_RanksTrials_AndWritesTablesAndPlot()
    {
        var dir = Path.Combine(Temp(), "tune");
        var (code, output, err) = Run("tune", "--data", "iris", "--trials", "3", "--epochs", "30", "--space", "lr=1e-3,1e-2;hidden=8|16,8", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("best:", output);
        var rows = File.ReadAllLines(Path.Combine(dir, "tune.csv"));
        Assert.Equal("rank,lr,hidden,score,best_epoch", rows[0]);
        Assert.Equal(4, rows.Length);
        var scores = rows.Skip(1).Select(r => double.Parse(r.Split(',')[^2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.True(File.Exists(Path.Combine(dir, "tune.png")));
        Assert.Equal(2, Run("tune", "--data", "iris", "--space", "momentum=0.9").Code);
    }

    [Fact]
    public void Capacity_SmallUnderfits_LargeOverfits()
    {
        var fits = Sinapse.Cli.CapacityCommand.Run(3000, 42);
        float noise = Sinapse.Cli.CapacityCommand.Noise * Sinapse.Cli.CapacityCommand.Noise;
        var (small, right, large) = (fits[0], fits[1], fits[2]);
        Assert.True(small.TrainMse > 2 * noise, $"small: train {small.TrainMse}");
        Assert.True(large.TrainMse < noise / 2, $"large: train {large.TrainMse}");
        Assert.True(large.ValMse > large.TrainMse * 2, $"large: train {large.TrainMse}, val {large.ValMse}");
        Assert.True(right.ValMse < large.ValMse && right.ValMse < small.ValMse, $"right val {right.ValMse}, small {small.ValMse}, large {large.ValMse}");
        Assert.InRange(large.BestEpoch, 1, large.History.Epochs.Count - 1);
        var dir = Path.Combine(Temp(), "cap");
        Assert.Equal(0, Run("capacity", "--epochs", "200", "--out", dir).Code);
        Assert.True(File.Exists(Path.Combine(dir, "capacity-fits.png")) && File.Exists(Path.Combine(dir, "capacity-losses.png")));
    }

    [Fact]
    public void Optimizers_And_LrSweep_WriteTheirFiles()
    {
        var dir = Temp();
        var (code, output, err) = Run("optimizers", "--max-epochs", "200", "--out", dir);
        Assert.True(code == 0, err);
        var md = File.ReadAllText(Path.Combine(dir, "optimizers.md"));
        foreach (var name in new[] { "gradient descent (full batch)", "SGD + momentum 0.9", "Adam", "Rprop (iRprop−)", "Quickprop" }) Assert.Contains($"| {name} |", md);
        Assert.True(File.Exists(Path.Combine(dir, "optimizers.png")));
        (code, output, err) = Run("lr-sweep", "--samples", "640", "--epochs", "1", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("suggested rate", output);
        Assert.True(File.Exists(Path.Combine(dir, "lr-range.png")) && File.Exists(Path.Combine(dir, "lr-sweep.png")));
    }
}
