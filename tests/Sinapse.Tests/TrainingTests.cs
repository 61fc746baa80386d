using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Tests;

public class TrainingTests
{
    static (TensorDataset Train, TensorDataset Val) Blobs(ulong seed)
    {
        // Three Gaussian blobs in 2-D: an easy 3-class problem.
        var gen = new Generator(seed);
        var centers = new[] { (0f, 3f), (3f, -2f), (-3f, -2f) };
        int n = 300;
        var x = new float[n * 2]; var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            x[2 * i] = centers[c].Item1 + gen.NextNormal(); x[2 * i + 1] = centers[c].Item2 + gen.NextNormal(); y[i] = c;
        }
        var ds = new TensorDataset(Tensor.FromArray(x, n, 2), Tensor.FromArray(y));
        var (a, b) = ds.Split(0.2f, seed);
        return ((TensorDataset)Materialise(a), (TensorDataset)Materialise(b));
    }

    static Dataset Materialise(Sinapse.Data.Dataset<(Tensor Input, Tensor Target)> d) { var (x, y) = new DataLoader(d, d.Count).First(); return new TensorDataset(x, y); }

    static Sequential Net(ulong seed) { var g = new Generator(seed); return new Sequential(new Linear(2, 16, gen: g), new ReLU(), new Linear(16, 3, gen: g)); }

    [Fact]
    public void Fit_LearnsAndRecordsHistory_WithCallbacksInOrder()
    {
        var (train, val) = Blobs(1);
        var model = Net(1);
        var events = new List<string>();
        var cb = new Recorder(events);
        var h = Trainer.Fit(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.01f),
            new DataLoader(train, 32, shuffle: true, seed: 1), new DataLoader(val, 100), epochs: 5, cb);
        Assert.Equal(5, h.Epochs.Count);
        Assert.True(h.Epochs[^1].Loss < h.Epochs[0].Loss);
        Assert.True(h.Epochs[^1].ValAccuracy > 0.9f);
        Assert.Equal("train-begin", events[0]);
        Assert.Equal("epoch-begin 1", events[1]);
        Assert.Equal("batch 1", events[2]);
        Assert.Equal("train-end", events[^1]);
        Assert.Contains("epoch-end 5", events);
        Assert.StartsWith("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n1,", h.ToCsv());
        Assert.Equal(6, h.ToCsv().Trim().Split('\n').Length);
        var ev = Trainer.Evaluate(model, new CrossEntropyLoss(), new DataLoader(val, 7));
        Assert.Equal(60, ev.Samples);
        Assert.Equal(h.Epochs[^1].ValAccuracy!.Value, ev.Accuracy!.Value, 5);
    }

    [Fact]
    public void SameSeed_SameWeightsAndMetrics()
    {
        float[] Run()
        {
            var (train, val) = Blobs(2);
            var model = Net(2);
            var h = Trainer.Fit(model, new CrossEntropyLoss(), new SGD(model.Parameters(), 0.05f, momentum: 0.9f),
                new DataLoader(train, 16, shuffle: true, seed: 5), new DataLoader(val, 100), epochs: 3);
            return model.Parameters().SelectMany(p => p.ToArray()).Append(h.Epochs[^1].Loss).Append(h.Epochs[^1].ValLoss!.Value).ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void NaNLoss_StopsTraining_NamingEpochAndBatch()
    {
        var (train, _) = Blobs(3);
        var model = Net(3);
        var e = Assert.Throws<TrainingDivergedException>(() =>
            Trainer.Fit(model, new MSELoss(), new SGD(model.Parameters(), 1e6f), new DataLoader(new TensorDataset(train.Inputs, Tensor.OneHot(train.Targets, 3)), 8), epochs: 50));
        Assert.Matches(@"epoch \d+, batch \d+", e.Message);
        Assert.Contains("diverged", e.Message);
    }

    [Fact]
    public void EarlyStopping_StopsAndRestoresTheBestWeights()
    {
        var (train, val) = Blobs(4);
        var model = Net(4);
        var stop = new EarlyStopping("val_loss", patience: 2, minDelta: 0.01f, restoreBest: true);
        float[]? best = null; float bestLoss = float.MaxValue;
        var snap = new LambdaCallback { EpochEnd = (ctx, l) => { if (l.ValLoss < bestLoss - 0.01f) { bestLoss = l.ValLoss!.Value; best = ctx.Model.Parameters().SelectMany(p => p.ToArray()).ToArray(); } } };
        // Once the blobs are separated, validation loss stops improving by 0.01 and patience runs out.
        var h = Trainer.Fit(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.05f), new DataLoader(train, 8, shuffle: true, seed: 4), new DataLoader(val, 100), 100, snap, stop);
        Assert.True(h.Epochs.Count < 100);
        Assert.Equal(stop.StoppedEpoch, h.Epochs.Count);
        Assert.Equal(best, model.Parameters().SelectMany(p => p.ToArray()).ToArray());
    }

    [Fact]
    public void ConfusionMatrix_CountsAndRates()
    {
        var cm = new ConfusionMatrix(3, predicted: [0, 1, 1, 2, 2, 0], actual: [0, 1, 2, 2, 2, 1]);
        Assert.Equal(1, cm.Counts[0, 0]); Assert.Equal(1, cm.Counts[2, 1]); Assert.Equal(1, cm.Counts[1, 0]);
        Assert.Equal(4f / 6, cm.Accuracy, 5);
        Assert.Equal(2f / 3, cm.Recall(2), 5);
        Assert.Equal(0.5f, cm.Precision(1), 5);
        Assert.Contains("actual", cm.ToString());
    }

    sealed class Recorder(List<string> e) : Callback
    {
        public override void OnTrainBegin(TrainingContext c) => e.Add("train-begin");
        public override void OnEpochBegin(TrainingContext c) => e.Add($"epoch-begin {c.Epoch}");
        public override void OnBatchEnd(TrainingContext c, BatchLogs l) { if (l.Batch == 1) e.Add($"batch {l.Batch}"); }
        public override void OnEpochEnd(TrainingContext c, EpochLogs l) => e.Add($"epoch-end {l.Epoch}");
        public override void OnTrainEnd(TrainingContext c) => e.Add("train-end");
    }
}
