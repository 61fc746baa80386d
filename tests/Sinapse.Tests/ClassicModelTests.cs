using Sinapse.Classic;
using Sinapse.Data;

namespace Sinapse.Tests;

public class ClassicModelTests
{
    [Fact]
    public void Cholesky_FactorsAKnownMatrix_AndSolves()
    {
        // A = [[4, 2], [2, 3]] = L·Lᵀ with L = [[2, 0], [1, √2]].
        var l = LinearSolve.Cholesky([4, 2, 2, 3], 2);
        Assert.Equal((2.0, 0.0, 1.0), (l[0], l[1], l[2]));
        Assert.Equal(Math.Sqrt(2), l[3], 12);
        double[] b = [8, 7]; // A·[1.25, 1.5] = [8, 7]
        LinearSolve.CholeskySolve(l, 2, b, 1);
        Assert.Equal(1.25, b[0], 12);
        Assert.Equal(1.5, b[1], 12);
    }

    [Fact]
    public void Cholesky_RefusesASingularMatrix_WithAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => LinearSolve.Cholesky([1, 2, 2, 4], 2));
        Assert.Contains("singular or not positive definite", e.Message);
        Assert.Contains("λ > 0", e.Message);
    }

    [Fact]
    public void Ridge_RecoversExactWeights_AndShrinksWithLambda()
    {
        var gen = new Generator(1);
        var x = Tensor.Randn([50, 3], gen);
        var w = Tensor.FromArray(new float[,] { { 1, -2 }, { 0.5f, 0 }, { 3, 1 } });
        var y = x.MatMul(w);
        TestUtil.Close(w.ToArray(), LinearSolve.Ridge(x, y, 0).ToArray(), 1e-4f);
        var shrunk = LinearSolve.Ridge(x, y, 100f).ToArray();
        Assert.True(shrunk.Sum(v => v * v) < w.ToArray().Sum(v => v * v) * 0.8f);
        Assert.Throws<ArgumentException>(() => LinearSolve.Ridge(Tensor.Ones(5, 2), Tensor.Ones(5, 1), 0)); // collinear columns, no ridge
    }

    [Fact]
    public void Elm_ClassifiesIris_InOneSolve()
    {
        var d = TabularData.LoadShipped("iris");
        var (train, test) = Folds.Split(d.Count, 0.3f, 1, d.Labels);
        var (xt, yt) = d.Data.GetBatch(train);
        var s = Standardizer.Fit(xt);
        var elm = new ExtremeLearningMachine(4, 100, 3, 1e-2f, new Generator(3));
        elm.Fit(s.Apply(xt), yt);
        var (xs, ys) = d.Data.GetBatch(test);
        var pred = elm.Call(s.Apply(xs)).ArgMax(1).ToArray();
        double acc = pred.Zip(ys.ToArray()).Count(p => p.First == p.Second) / (double)test.Length;
        Assert.True(acc >= 0.9, $"ELM accuracy {acc:P1}");
        Assert.Equal([3, 100], elm.NamedBuffers().First(b => b.Name == "output_weight").Buffer.Shape);
        Assert.Empty(elm.Parameters()); // nothing for an optimizer
    }
}

public class HopfieldTests
{
    static float[] Random(int n, Generator g) => Enumerable.Range(0, n).Select(_ => g.NextFloat() < 0.5f ? -1f : 1f).ToArray();

    [Fact]
    public void HundredNeurons_RecallFivePatterns_FromProbesWithTenPercentFlipped()
    {
        var g = new Generator(7);
        int recalled = 0, trials = 0;
        for (int net = 0; net < 20; net++)
        {
            var h = new HopfieldNetwork(100);
            var patterns = Enumerable.Range(0, 5).Select(_ => Random(100, g)).ToArray();
            foreach (var p in patterns) h.Store(p);
            foreach (var p in patterns)
            {
                var probe = (float[])p.Clone();
                foreach (int i in g.Permutation(100)[..10]) probe[i] = -probe[i];
                h.RecallAsync(probe, g);
                trials++;
                if (probe.SequenceEqual(p)) recalled++;
            }
        }
        Assert.True(recalled >= 0.95 * trials, $"{recalled} of {trials} recalled");
    }

    [Fact]
    public void Energy_NeverIncreases_InAsynchronousRecall()
    {
        var g = new Generator(9);
        for (int run = 0; run < 20; run++)
        {
            var h = new HopfieldNetwork(64);
            for (int k = 0; k < 3 + run % 10; k++) h.Store(Random(64, g)); // some runs far over capacity
            var state = Random(64, g);
            double last = h.Energy(state);
            h.RecallAsync(state, g, onUpdate: _ =>
            {
                double e = h.Energy(state);
                Assert.True(e <= last + 1e-9, $"energy rose from {last} to {e}");
                last = e;
            });
        }
    }

    [Fact]
    public void Weights_AreSymmetric_WithAZeroDiagonal_AndSyncRecallStops()
    {
        var g = new Generator(2);
        var h = new HopfieldNetwork(16);
        h.Store(Random(16, g));
        h.Store(Random(16, g));
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(0f, h.Weight(i, i));
            for (int j = 0; j < 16; j++) Assert.Equal(h.Weight(i, j), h.Weight(j, i));
        }
        var s = Random(16, g);
        var (steps, _) = h.RecallSync(s);
        Assert.InRange(steps, 1, 100);
        Assert.Throws<ArgumentException>(() => h.Store(new float[16]));
    }
}

public class RbmTests
{
    /// <summary>Bars and stripes on a 4×4 grid: every image whose rows (or columns) are each all on or all off.</summary>
    static Tensor BarsAndStripes()
    {
        var rows = new List<float[]>();
        for (int mask = 0; mask < 16; mask++)
            for (int orient = 0; orient < 2; orient++)
            {
                var img = new float[16];
                for (int r = 0; r < 4; r++) for (int c = 0; c < 4; c++) img[r * 4 + c] = ((mask >> (orient == 0 ? r : c)) & 1) == 1 ? 1 : 0;
                rows.Add(img);
            }
        var distinct = rows.DistinctBy(r => string.Concat(r)).ToList();
        return Tensor.FromArray(distinct.SelectMany(r => r).ToArray(), distinct.Count, 16);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ContrastiveDivergence_LowersReconstructionError_AndRaisesPseudoLikelihood(bool persistent)
    {
        var data = BarsAndStripes();
        var rbm = new RestrictedBoltzmannMachine(16, 16, new Generator(1));
        var task = new RbmTask(rbm, 0.1f, k: 1, persistent: persistent, gen: new Generator(2));
        var h = Sinapse.Training.Trainer.Fit(task, new DataLoader<Tensor>(new UnlabelledDataset(data), 10, shuffle: true, seed: 3), null, 300);
        Assert.True(h.Epochs[^1].Loss < h.Epochs[0].Loss * 0.5f, $"{h.Epochs[0].Loss} → {h.Epochs[^1].Loss}");
        float pll0 = h.Epochs[0].Extra!["pseudo_log_likelihood"], pll = h.Epochs.TakeLast(20).Average(e => e.Extra!["pseudo_log_likelihood"]);
        Assert.True(pll > pll0 + 2, $"pseudo-log-likelihood {pll0} → {pll}");
        Assert.Equal([30, 16], rbm.Call(data).Shape);
    }

    [Fact]
    public void FreeEnergy_MatchesTheSumOverHiddenStates()
    {
        // F(v) = −log Σ_h exp(−E(v, h)); check by enumerating the 2³ hidden states of a tiny RBM.
        var rbm = new RestrictedBoltzmannMachine(2, 3, new Generator(4));
        using (Autograd.NoGrad()) { rbm.Weight.AsSpan().Fill(0.3f); rbm.Weight.AsSpan()[1] = -0.7f; rbm.VisibleBias.AsSpan()[0] = 0.2f; rbm.HiddenBias.AsSpan()[2] = -0.4f; }
        var v = Tensor.FromArray([1f, 0f, 1f, 1f], 2, 2);
        var f = rbm.FreeEnergy(v).ToArray();
        var w = rbm.Weight.ToArray(); var b = rbm.VisibleBias.ToArray(); var c = rbm.HiddenBias.ToArray();
        for (int r = 0; r < 2; r++)
        {
            double z = 0;
            for (int hs = 0; hs < 8; hs++)
            {
                double e = 0;
                for (int i = 0; i < 2; i++) e -= b[i] * v.ToArray()[r * 2 + i];
                for (int j = 0; j < 3; j++)
                {
                    int hj = (hs >> j) & 1;
                    e -= c[j] * hj;
                    for (int i = 0; i < 2; i++) e -= hj * w[j * 2 + i] * v.ToArray()[r * 2 + i];
                }
                z += Math.Exp(-e);
            }
            Assert.Equal(-Math.Log(z), f[r], 5);
        }
    }
}

public class HopfieldProjectionTests
{
    [Fact]
    public void ProjectionRule_StoresCorrelatedPatterns_TheHebbRuleMerges()
    {
        // Four patterns sharing 80 of 100 neurons (all −1 there): the Hebb rule's recall drifts to a mixture; the projection rule's does not.
        var g = new Generator(3);
        var patterns = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, 100).Select(i => i < 80 ? -1f : g.NextFloat() < 0.5f ? -1f : 1f).ToArray()).ToArray();
        var hebb = new HopfieldNetwork(100);
        foreach (var p in patterns) hebb.Store(p);
        var proj = new HopfieldNetwork(100);
        proj.StoreProjection(patterns);
        int hebbOk = 0, projOk = 0;
        foreach (var p in patterns)
        {
            var a = (float[])p.Clone(); a[85] = -a[85];
            var b = (float[])a.Clone();
            hebb.RecallAsync(a, g);
            proj.RecallAsync(b, g);
            if (a.SequenceEqual(p)) hebbOk++;
            if (b.SequenceEqual(p)) projOk++;
        }
        Assert.Equal(4, projOk);
        Assert.True(hebbOk < 4, "the Hebb rule recalled every correlated pattern");
        for (int i = 0; i < 100; i++) for (int j = 0; j < 100; j++) Assert.Equal(proj.Weight(i, j), proj.Weight(j, i), 5);
        Assert.Throws<ArgumentException>(() => proj.StoreProjection([patterns[0], patterns[0]]));
    }
}
