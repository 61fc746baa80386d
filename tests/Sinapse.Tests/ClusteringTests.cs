using Sinapse.Data;
using Sinapse.Tests.Support;
using Sinapse.Unsupervised;
using static Sinapse.Tests.Support.CliRunner;

namespace Sinapse.Tests;

public class ClusteringTests
{
    [Fact]
    public void AdjustedRandIndex_AndPurity_MatchHandComputedValues()
    {
        int[] classes = [0, 0, 0, 1, 1, 1];
        Assert.Equal(1.0, ClusterMetrics.AdjustedRandIndex([5, 5, 5, 7, 7, 7], classes), 12); // same partition, other names
        Assert.Equal(1.0, ClusterMetrics.Purity([5, 5, 5, 7, 7, 7], classes));
        // Clusters {0,1} {2,3} {4,5}: contingency [[2,0],[1,1],[0,2]]; Σ C(n_ij,2) = 2, a = 3, b = 6, C(6,2) = 15:
        // expected 18/15 = 1.2, max 4.5 → ARI = (2 − 1.2) / (4.5 − 1.2) = 0.2424…
        Assert.Equal(0.8 / 3.3, ClusterMetrics.AdjustedRandIndex([0, 0, 1, 1, 2, 2], classes), 10);
        Assert.Equal(5 / 6.0, ClusterMetrics.Purity([0, 0, 1, 1, 2, 2], classes), 12);
    }

    [Fact]
    public void KMeans_SeparatesBlobs_AndClustersIris()
    {
        var g = new Generator(1);
        var x = new float[300 * 2]; var y = new int[300];
        for (int i = 0; i < 300; i++) { y[i] = i % 3; x[2 * i] = 10 * y[i] + g.NextNormal(); x[2 * i + 1] = -5 * y[i] + g.NextNormal(); }
        var km = new KMeans(3);
        Assert.Equal(1.0, ClusterMetrics.AdjustedRandIndex(km.Fit(Tensor.FromArray(x, 300, 2), 2), y), 12);
        Assert.Equal(km.Fit(Tensor.FromArray(x, 300, 2), 2), km.Predict(Tensor.FromArray(x, 300, 2)));
        var iris = TabularData.LoadShipped("iris");
        var labels = new KMeans(3).Fit(Standardizer.Fit(iris.Data.Inputs).Apply(iris.Data.Inputs), 42);
        Assert.True(ClusterMetrics.AdjustedRandIndex(labels, iris.Labels!) >= 0.6);
    }

    [Fact]
    public void Som_OrdersALine_AndItsUMatrixMarksTheGap()
    {
        // Points on two segments of a line, [0, 1] and [3, 4]: a 1×10 map lays them out in order, with a border between.
        var g = new Generator(2);
        var x = Enumerable.Range(0, 400).Select(i => (i % 2 == 0 ? 0f : 3f) + g.NextFloat()).ToArray();
        var som = new SelfOrganizingMap(1, 10, 1);
        som.Fit(Tensor.FromArray(x, 400, 1), 20, 3);
        var p = som.Prototypes;
        bool increasing = Enumerable.Range(1, 9).All(i => p[i] > p[i - 1]), decreasing = Enumerable.Range(1, 9).All(i => p[i] < p[i - 1]);
        Assert.True(increasing || decreasing, string.Join(", ", p.Select(v => v.ToString("F2"))));
        var u = som.UMatrix();
        int border = Array.IndexOf(u, u.Max());
        // The unit with the largest U value sits where the prototypes jump from one segment to the other.
        Assert.True(p[Math.Max(0, border - 1)] < 2f != p[Math.Min(9, border + 1)] < 2f, $"U-matrix peak at unit {border}: " + string.Join(", ", p.Select(v => v.ToString("F2"))));
    }
}

[Collection(nameof(ProcessWideCollection))]
public class CliClusterTests
{
    [Fact]
    public void SomOnMnist_ReachesPurity08_AndDrawsItsMaps()
    {
        var dir = Temp();
        var (code, output, err) = Run("cluster", "--algo", "som", "--data", "mnist", "--samples", "10000", "--epochs", "5", "--out", dir);
        Assert.True(code == 0, err);
        double purity = double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"purity (\d\.\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(purity >= 0.8, output);
        Assert.True(File.Exists(Path.Combine(dir, "som-prototypes.png")) && File.Exists(Path.Combine(dir, "som-umatrix.png")));
        (code, output, err) = Run("cluster", "--data", "iris", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Contains("adjusted Rand index 0.6201", output);
    }
}
