using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Tests;

/// <summary>Search spaces, the LR range test, L1 and max-norm, and the classic problems.</summary>
public class GeneralizationTests
{
    [Fact]
    public void Grid_EnumeratesEveryCombination_RandomDrawsDistinctOnes()
    {
        var s = HyperparameterSearch.Parse("lr=1e-3,1e-2;hidden=16|32,16|64;optimizer=adam,sgd");
        Assert.Equal(12, s.GridSize);
        var grid = s.Grid().Select(t => $"{t["lr"]} {t["hidden"]} {t["optimizer"]}").ToList();
        Assert.Equal(12, grid.Distinct().Count());
        Assert.Equal("1e-3 16 adam", grid[0]);
        Assert.Equal("1e-3 16 sgd", grid[1]); // the last dimension varies fastest
        Assert.Contains("1e-2 32,16 sgd", grid);
        var random = s.Random(5, 3).Select(t => string.Join(" ", t.Values)).ToList();
        Assert.Equal(5, random.Distinct().Count());
        Assert.Equal(random, s.Random(5, 3).Select(t => string.Join(" ", t.Values)).ToList()); // seeded
        Assert.Equal(12, s.Random(50, 1).Count()); // never more than the grid
        Assert.Throws<ArgumentException>(() => HyperparameterSearch.Parse("lr"));
        Assert.Throws<ArgumentException>(() => HyperparameterSearch.Parse("lr=1;lr=2"));
    }

    [Fact]
    public void RangeTest_FindsAFallingThenExplodingLoss_AndSuggestsARateThatTrains()
    {
        var data = ClassicProblems.Parity(3);
        Sequential Net() { var g = new Generator(2); return new Sequential(new Linear(3, 16, gen: g), new Tanh(), new Linear(16, 2, gen: g)); }
        var net = Net();
        var r = LearningRateRangeTest.Run(net, new CrossEntropyLoss(), new SGD(net.Parameters(), 1f), new DataLoader(data, 8), 1e-4f, 1e3f, 200);
        Assert.NotNull(r.Diverged);
        Assert.True(r.Points[^1].Rate > r.Points[0].Rate);
        Assert.InRange(r.Suggested, 1e-3f, 10f);
        var good = EpochsToTarget.Run("good", Net, p => new SGD(p, r.Suggested), data, new CrossEntropyLoss(), 0.5f, 3000);
        var slow = EpochsToTarget.Run("slow", Net, p => new SGD(p, r.Suggested / 100), data, new CrossEntropyLoss(), 0.5f, 3000);
        Assert.True(good.Epochs.HasValue);
        Assert.True(!slow.Epochs.HasValue || slow.Epochs > good.Epochs);
    }

    [Fact]
    public void L1_MakesWeightsExactlySmall_AndIsLeftOutOfTheReportedLoss()
    {
        var data = TabularData.LoadShipped("breast-cancer");
        var x = Standardizer.Fit(data.Data.Inputs).Apply(data.Data.Inputs);
        var ds = new TensorDataset(x, data.Data.Targets);
        double Sparse(float l1, out History h)
        {
            var g = new Generator(1);
            var net = new Sequential(new Linear(30, 32, gen: g), new ReLU(), new Linear(32, 2, gen: g));
            var task = new SupervisedTask(net, new CrossEntropyLoss(), new Adam(net.Parameters(), 0.01f)) { L1 = l1 };
            h = Trainer.Fit(task, new DataLoader(ds, 64, shuffle: true, seed: 1), null, 30);
            return Regularization.NearZeroFraction(net, 1e-2f);
        }
        double plain = Sparse(0, out var h0), sparse = Sparse(1e-3f, out var h1);
        Assert.True(sparse > plain + 0.3, $"near-zero share {sparse:P1} with L1 vs {plain:P1} without");
        Assert.True(h1.Epochs[^1].Loss < 0.3f); // still the data loss: the penalty (≈ 1e-3·Σ|w|) is not in it
    }

    [Fact]
    public void MaxNorm_CapsEachUnitsIncomingWeights()
    {
        var g = new Generator(4);
        var net = new Sequential(new Linear(5, 3, gen: g), new Linear(3, 2, gen: g));
        var w = net.Parameters().First();
        w.AsSpan().Fill(2f); // each row: norm √(5·4) ≈ 4.47
        w.AsSpan()[..5].Fill(0.1f); // row 0: norm ≈ 0.22, under the cap
        Regularization.ApplyMaxNorm(net, 1f);
        var v = w.ToArray();
        Assert.Equal(0.1f, v[0]);
        for (int r = 1; r < 3; r++) Assert.Equal(1f, MathF.Sqrt(v.Skip(r * 5).Take(5).Sum(a => a * a)), 5);
        Assert.Equal(2, Regularization.Weights(net).Count()); // biases are not constrained
    }

    [Fact]
    public void Parity_HasEveryRowWithItsParity()
    {
        var p = ClassicProblems.Parity(4);
        Assert.Equal([16, 4], p.Inputs.Shape);
        var x = p.Inputs.ToArray(); var y = p.Targets.ToArray();
        for (int r = 0; r < 16; r++) Assert.Equal(x.Skip(r * 4).Take(4).Sum() % 2, y[r]);
        Assert.Equal([0f, 1, 1, 0], ClassicProblems.Xor().Targets.ToArray());
    }
}
