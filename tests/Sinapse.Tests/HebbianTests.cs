using Sinapse.Classic;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Training;

namespace Sinapse.Tests;

public class HebbianTests
{
    /// <summary>Zero-mean Gaussian samples (N, 5) with covariance eigenvalues 9, 4, 1, 0.25, 0.04 along known axes.</summary>
    static (Tensor X, double[][] Axes) Gaussian(int n) => ClassicProblems.Gaussian(n, [3, 2, 1, 0.5, 0.2], 5);

    static double Cosine(ReadOnlySpan<float> w, double[] v)
    {
        double dot = 0, nw = 0, nv = 0;
        for (int i = 0; i < v.Length; i++) { dot += w[i] * v[i]; nw += w[i] * (double)w[i]; nv += v[i] * v[i]; }
        return Math.Abs(dot) / Math.Sqrt(nw * nv);
    }

    static Linear Train(Tensor x, int k, LearningRule rule, int epochs)
    {
        var layer = new Linear(x.Shape[1], k, bias: false, gen: new Generator(1));
        Trainer.Fit(new LearningRuleTask(layer, rule), new DataLoader<Tensor>(new UnlabelledDataset(x), 10, shuffle: true, seed: 2), null, epochs);
        return layer;
    }

    [Fact]
    public void Oja_FindsTheTopEigenvector_WithUnitLength()
    {
        var (x, axes) = Gaussian(2000);
        var w = Train(x, 1, OjaRule.Create(5e-3f), 5).Weight.ToArray();
        Assert.True(Cosine(w, axes[0]) >= 0.99, $"cosine {Cosine(w, axes[0]):F4}");
        Assert.Equal(1.0, Math.Sqrt(w.Sum(v => (double)v * v)), 1);
        // The library's eigen-solver agrees with the construction.
        var (vectors, values) = LinearSolve.TopEigenvectors(LinearSolve.Covariance(x), 5, 2);
        Assert.True(Cosine(vectors[0].Select(v => (float)v).ToArray(), axes[0]) > 0.999);
        Assert.InRange(values[0], 8, 10);
    }

    [Fact]
    public void Sanger_FindsTheFirstThreeComponents_InOrder()
    {
        var (x, axes) = Gaussian(4000);
        var w = Train(x, 3, new SangerRule(2e-3f), 10).Weight.ToArray();
        for (int c = 0; c < 3; c++)
            Assert.True(Cosine(w.AsSpan(c * 5, 5), axes[c]) >= 0.95, $"component {c + 1}: cosine {Cosine(w.AsSpan(c * 5, 5), axes[c]):F4}");
    }

    [Fact]
    public void PlainHebb_GrowsWithoutBound()
    {
        var (x, _) = Gaussian(500);
        var layer = new Linear(5, 1, bias: false, gen: new Generator(1));
        var h = Trainer.Fit(new LearningRuleTask(layer, new HebbRule(1e-3f)), new DataLoader<Tensor>(new UnlabelledDataset(x), 10), null, 6);
        var norms = h.Epochs.Select(e => e.Extra!["weight_norm"]).ToList();
        for (int e = 1; e < norms.Count; e++) Assert.True(norms[e] > norms[e - 1] * 1.5f, string.Join(", ", norms));
    }
}
