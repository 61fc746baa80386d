using Sinapse.Classic;
using Sinapse.Data;
using Sinapse.Tests.Support;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

/// <summary>The classic models' commands (hebb, hopfield, rbm, elm), with small budgets, and the Hebbian bars on MNIST.</summary>
[Collection(nameof(ProcessWideCollection))]
public class CliClassicTests
{
    [Fact]
    public void OjaAndSanger_OnMnist_MatchTheCovariancesEigenvectors()
    {
        var (train, _) = Mnist.Load(Mnist.FindDefaultDirectory()!, 0f, 1f);
        var x = train.Inputs.Reshape(train.Count, 784);
        var (eigen, values) = LinearSolve.TopEigenvectors(LinearSolve.Covariance(x), 784, 3);
        Assert.True(values[0] > values[1] && values[1] > values[2]);
        var oja = Sinapse.Cli.HebbCommand.Run(x, 1, OjaRule.Create(1e-2f), 4, eigen, 42);
        Assert.True(oja.Cosines[^1][0] >= 0.99, $"Oja: cosine {oja.Cosines[^1][0]:F4}");
        var sanger = Sinapse.Cli.HebbCommand.Run(x, 3, new SangerRule(1e-2f), 4, eigen, 42);
        for (int c = 0; c < 3; c++) Assert.True(sanger.Cosines[^1][c] >= 0.95, $"Sanger component {c + 1}: cosine {sanger.Cosines[^1][c]:F4}");
    }

    [Fact]
    public void Hebb_And_Hopfield_WriteTheirFiles()
    {
        var dir = Temp();
        var (code, output, err) = Run("hebb", "--epochs", "1", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("| MNIST | Sanger, 3 components |", output);
        Assert.True(File.Exists(Path.Combine(dir, "hebb.png")) && File.Exists(Path.Combine(dir, "hebb-components.png")));
        (code, output, err) = Run("hopfield", "--neurons", "50", "--out", dir);
        Assert.True(code == 0, err);
        var rows = File.ReadAllLines(Path.Combine(dir, "hopfield.md")).Where(l => l.StartsWith("| 1 |") || l.StartsWith("| 3 |")).ToList();
        Assert.All(rows, r => Assert.Equal("0", r.Split('|')[3].Trim())); // the projection rule recalls the noisy digit exactly
        Assert.True(File.Exists(Path.Combine(dir, "hopfield-recall.png")) && File.Exists(Path.Combine(dir, "hopfield-capacity.png")));
    }

    [Fact]
    public void Rbm_And_Elm_TrainAndReport()
    {
        var dir = Temp();
        var (code, output, err) = Run("rbm", "--hidden", "64", "--epochs", "1", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("softmax classifier on the RBM's hidden probabilities", output);
        foreach (var f in new[] { "rbm-filters.png", "rbm-samples.png", "rbm.png", "rbm.md", "model.safetensors" }) Assert.True(File.Exists(Path.Combine(dir, f)), f);
        (code, output, err) = Run("elm", "--hidden", "300", "--no-mlp", "--out", dir);
        Assert.True(code == 0, err);
        var row = File.ReadAllLines(Path.Combine(dir, "elm.md")).Single(l => l.StartsWith("| ELM"));
        Assert.InRange(double.Parse(row.Split('|')[2], System.Globalization.CultureInfo.InvariantCulture), 0.85, 1.0);
    }
}
