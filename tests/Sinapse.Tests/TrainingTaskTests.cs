using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Tests;

/// <summary>Fit with steps of one's own and batches that are not (input, target) pairs.</summary>
public class TrainingTaskTests
{
    /// <summary>An autoencoder on unlabelled rows: reconstruct the input through a 2-unit bottleneck.</summary>
    sealed class AutoencoderTask : TrainingTask<Tensor>
    {
        public readonly Sequential Net;
        readonly Adam opt;
        readonly MSELoss mse = new();
        public AutoencoderTask(Generator g)
        {
            Net = new Sequential(new Linear(6, 2, gen: g), new Linear(2, 2, gen: g), new Linear(2, 6, gen: g)); // linear: the data are rank 2
            opt = new Adam(Net.Parameters(), 0.02f);
        }
        public override Module Model => Net;
        public override Optimizer Optimizer => opt;
        public override StepResult TrainStep(Tensor x)
        {
            opt.ZeroGrad();
            var l = mse.Call(Net.Call(x), x);
            l.Backward();
            opt.Step();
            return new StepResult(l.Item(), x.Shape[0]);
        }
        public override StepResult? TestStep(Tensor x) => new StepResult(mse.Call(Net.Call(x), x).Item(), x.Shape[0]);
    }

    /// <summary>Rows in one 2-D subspace of R⁶ (the same one for every call).</summary>
    static Tensor LowRankRows(int n, Generator g) => Tensor.MatMul(Tensor.Randn([n, 2], g), Tensor.Randn([2, 6], new Generator(77))) * 0.5f;

    [Fact]
    public void Autoencoder_OnUnlabelledData_KeepsHistoryCallbacksAndValidation()
    {
        var g = new Generator(1);
        var train = new UnlabelledDataset(LowRankRows(256, g));
        var val = new UnlabelledDataset(LowRankRows(64, g));
        var task = new AutoencoderTask(g);
        int batches = 0;
        var history = Trainer.Fit(task, new DataLoader<Tensor>(train, 32, shuffle: true, seed: 2), new DataLoader<Tensor>(val, 64), epochs: 30,
            new LambdaCallback { BatchEnd = (_, _) => batches++ });
        Assert.Equal(30 * 8, batches);
        Assert.Equal(30, history.Epochs.Count);
        Assert.Null(history.Epochs[0].Accuracy);
        Assert.True(history.Epochs[^1].ValLoss < history.Epochs[0].ValLoss! * 0.3f, $"val loss {history.Epochs[0].ValLoss} → {history.Epochs[^1].ValLoss}");
        Assert.Equal(0.02f, history.Epochs[0].LearningRate);
    }

    /// <summary>A GAN-shaped step: two models, two optimizers, two losses reported as metrics.</summary>
    sealed class TwoPlayerTask : TrainingTask<Tensor>
    {
        public readonly Sequential G, D;
        readonly SGD optG, optD;
        readonly BCEWithLogitsLoss bce = new();
        readonly Generator noise;
        readonly Sequential both;
        public TwoPlayerTask(Generator g)
        {
            G = new Sequential(new Linear(2, 8, gen: g), new ReLU(), new Linear(8, 1, gen: g));
            D = new Sequential(new Linear(1, 8, gen: g), new LeakyReLU(0.2f), new Linear(8, 1, gen: g));
            both = new Sequential(G, D);
            optG = new SGD(G.Parameters(), 0.02f, momentum: 0.5f);
            optD = new SGD(D.Parameters(), 0.02f, momentum: 0.5f);
            noise = new Generator(9);
        }
        public override Module Model => both;
        public override StepResult TrainStep(Tensor real)
        {
            int n = real.Shape[0];
            var fake = G.Call(Tensor.Randn([n, 2], noise));
            optD.ZeroGrad();
            var lossD = bce.Call(D.Call(real), Tensor.Ones(n, 1)) + bce.Call(D.Call(fake.Detach()), Tensor.Zeros(n, 1));
            lossD.Backward();
            optD.Step();
            optG.ZeroGrad();
            var lossG = bce.Call(D.Call(fake), Tensor.Ones(n, 1));
            lossG.Backward();
            optG.Step();
            return new StepResult(lossD.Item() + lossG.Item(), n, Metrics: new Dictionary<string, float> { ["d_loss"] = lossD.Item(), ["g_loss"] = lossG.Item() });
        }
    }

    [Fact]
    public void TwoPlayerStep_ReportsItsMetrics_AndTheGeneratorMovesTowardsTheData()
    {
        var g = new Generator(3);
        var real = new UnlabelledDataset(Tensor.Randn([256, 1], g) * 0.3f + 2f); // N(2, 0.3)
        var task = new TwoPlayerTask(g);
        float MeanFake() { using (Autograd.NoGrad()) return task.G.Call(Tensor.Randn([512, 2], new Generator(4))).Mean().Item(); }
        float before = MeanFake();
        var history = Trainer.Fit(task, new DataLoader<Tensor>(real, 32, shuffle: true, seed: 5), epochs: 40);
        Assert.NotNull(history.Epochs[^1].Extra);
        Assert.True(history.Epochs[^1].Get("d_loss") > 0 && history.Epochs[^1].Get("g_loss") > 0);
        Assert.True(float.IsNaN(history.Epochs[0].LearningRate)); // two optimizers: no single learning rate
        var csv = history.ToCsv().Split('\n');
        Assert.Equal("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,d_loss,g_loss", csv[0]);
        var last = csv[40].Split(',');
        Assert.Equal(history.Epochs[^1].Get("g_loss")!.Value, float.Parse(last[^1], System.Globalization.CultureInfo.InvariantCulture));
        float after = MeanFake();
        Assert.True(Math.Abs(after - 2f) < Math.Abs(before - 2f) * 0.5f, $"mean of generated samples {before} → {after} (data mean 2)");
    }

    sealed class DivergingTask : TrainingTask<Tensor>
    {
        readonly Linear net = new(1, 1);
        public override Module Model => net;
        public override StepResult TrainStep(Tensor x) => new StepResult(float.NaN, x.Shape[0]);
    }

    [Fact]
    public void CustomStep_NaNLoss_IsReportedWithEpochAndBatch_AndMissingTestStepIsExplained()
    {
        var data = new UnlabelledDataset(Tensor.Ones(8, 1));
        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Fit(new DivergingTask(), new DataLoader<Tensor>(data, 4), epochs: 2));
        Assert.Contains("epoch 1, batch 1 of 2", e.Message);
        var task = new AutoencoderTask(new Generator(1));
        var ok = Trainer.Fit(task, new DataLoader<Tensor>(new UnlabelledDataset(LowRankRows(8, new Generator(2))), 4), epochs: 1);
        Assert.Single(ok.Epochs);
        var noTest = new TwoPlayerTask(new Generator(2));
        var loader = new DataLoader<Tensor>(data, 4);
        var ex = Assert.Throws<InvalidOperationException>(() => Trainer.Fit(noTest, loader, loader, epochs: 1));
        Assert.Contains("TestStep", ex.Message);
    }

    /// <summary>Reports a "return" only on every third batch, as an agent does when an episode ends.</summary>
    sealed class SparseMetricTask : TrainingTask<Tensor>
    {
        readonly Linear net = new(1, 1);
        int batch;
        public override Module Model => net;
        public override StepResult TrainStep(Tensor x) => ++batch % 3 == 0
            ? new StepResult(1f, x.Shape[0], Metrics: new Dictionary<string, float> { ["return"] = batch })
            : new StepResult(1f, x.Shape[0]);
    }

    [Fact]
    public void Metrics_AreAveragedOverTheStepsThatReportThem()
    {
        // Six batches of 2: returns 3 and 6 reported on batches 3 and 6 average to 4.5, not (3·2 + 6·2) / 12 = 1.5.
        var h = Trainer.Fit(new SparseMetricTask(), new DataLoader<Tensor>(new UnlabelledDataset(Tensor.Ones(12, 1)), 2), epochs: 1);
        Assert.Equal(4.5f, h.Epochs[0].Get("return"));
        Assert.Equal(1f, h.Epochs[0].Loss);
    }

    [Fact]
    public void SequenceDataset_PadsEachBatchToItsLongest_WithLengthsAndMask()
    {
        var seqs = new[] { new[] { 5, 6, 7 }, new[] { 1 }, new[] { 2, 3 }, new[] { 9, 9, 9, 9 } };
        var ds = new SequenceDataset(seqs, Tensor.FromArray([0f, 1, 0, 1]), padToken: -1);
        var b = ds.GetBatch([0, 1, 2]);
        Assert.Equal([3, 3], b.Tokens.Shape);
        Assert.Equal([5f, 6, 7, 1, -1, -1, 2, 3, -1], b.Tokens.ToArray());
        Assert.Equal([3, 1, 2], b.Lengths);
        Assert.Equal([1f, 1, 1, 1, 0, 0, 1, 1, 0], b.Mask().ToArray());
        Assert.Equal([0f, 1, 0], b.Targets!.ToArray());
        var batches = new DataLoader<SequenceBatch>(ds, 2).ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal([2, 4], batches[1].Tokens.Shape);
        Assert.Throws<ArgumentException>(() => new SequenceDataset([[1], []]));
        Assert.Throws<IndexOutOfRangeException>(() => ds.GetBatch([4]));
    }

    /// <summary>A module of two inputs: scores a pair (x, y) by a bilinear form xᵀ·W·y.</summary>
    sealed class PairScore : Module<Tensor, Tensor, Tensor>
    {
        public Tensor W { get; }
        public PairScore(Generator g) => W = RegisterParameter("weight", Tensor.Randn([3, 4], g) * 0.1f);
        public override Tensor Forward(Tensor x, Tensor y) => (Tensor.MatMul(x, W) * y).Sum(1);
    }

    [Fact]
    public void TwoInputModule_TrainsAndPassesGradCheck()
    {
        var g = new Generator(6);
        var m = new PairScore(g);
        var x = Tensor.Randn([16, 3], g); var y = Tensor.Randn([16, 4], g);
        var target = (Tensor.MatMul(x, Tensor.Randn([3, 4], g)) * y).Sum(1);
        var opt = new Adam(m.Parameters(), 0.05f);
        float first = 0, last = 0;
        for (int i = 0; i < 200; i++)
        {
            opt.ZeroGrad();
            var l = new MSELoss().Call(m.Call(x, y), target);
            if (i == 0) first = l.Item();
            last = l.Item();
            l.Backward(); opt.Step();
        }
        Assert.True(last < first * 0.05f, $"loss {first} → {last}");
        TestUtil.Passes(GradCheck.Check(t => m.Call(t[0], t[1]), [TestUtil.Param([2, 3]), TestUtil.Param([2, 4], seed: 8)]));
    }
}
