using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;
using Sinapse.Tests.Support;

namespace Sinapse.Tests;

/// <summary>A run interrupted after any epoch and resumed from BackupAndRestore ends bit for bit where the uninterrupted run ends.</summary>
public class ResumeTests
{
    const int Epochs = 6;

    static TensorDataset Blobs()
    {
        var gen = new Generator(3);
        int n = 240;
        var x = new float[n * 2]; var y = new float[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            x[2 * i] = (c - 1) * 2f + gen.NextNormal(); x[2 * i + 1] = (c == 1 ? 2f : -1f) + gen.NextNormal(); y[i] = c;
        }
        return new TensorDataset(Tensor.FromArray(x, n, 2), Tensor.FromArray(y));
    }

    sealed class Crash(int afterEpoch) : Callback
    {
        public override void OnEpochBegin(TrainingContext ctx)
        {
            if (ctx.Epoch == afterEpoch + 1) throw new IOException($"simulated crash before epoch {ctx.Epoch}");
        }
    }

    /// <summary>
    /// One run of the recipe: dropout (two generators), shuffling, Adam with weight decay, a
    /// cosine schedule, early stopping's state, a plateau scheduler's counters. A fresh model and optimizer each time,
    /// as a new process would build them.
    /// </summary>
    static (float[] Weights, History History) Run(string? backup, Callback? crash, string optimizer = "adam")
    {
        var g = new Generator(5);
        var model = new Sequential(new Linear(2, 32, gen: g), new ReLU(), new Dropout(0.3f, new Generator(21)), new Linear(32, 16, gen: g), new Tanh(),
            new Dropout(0.2f, new Generator(22)), new Linear(16, 3, gen: g));
        Optimizer opt = optimizer == "sgd" ? new SGD(model.Parameters(), 0.05f, momentum: 0.9f) : new Adam(model.Parameters(), 0.01f, weightDecay: 1e-3f);
        var data = Blobs();
        var (train, val) = data.Split(0.25f, 9);
        var callbacks = new List<Callback>
        {
            new SchedulerCallback(new CosineAnnealingLR(opt, Epochs)),
            new EarlyStopping(patience: 50),
            new SchedulerCallback(new ReduceLROnPlateau(opt, patience: 1, factor: 0.9f), "val_loss"),
        };
        if (crash != null) callbacks.Add(crash);
        if (backup != null) callbacks.Add(new BackupAndRestore(backup));
        var h = Trainer.Fit(model, new CrossEntropyLoss(), opt, new DataLoader(train, 16, shuffle: true, seed: 4), new DataLoader(val, 50), Epochs, [.. callbacks]);
        return (model.StateDict().SelectMany(p => p.Value.ToArray()).ToArray(), h);
    }

    [Theory]
    [InlineData(1, "adam")]
    [InlineData(3, "adam")]
    [InlineData(Epochs - 1, "sgd")]
    public void Resumed_EqualsUninterrupted_BitForBit(int k, string optimizer)
    {
        var (expected, full) = Run(null, null, optimizer);
        var path = Path.Combine(CliRunner.Temp(), "checkpoint.safetensors");
        Assert.Throws<IOException>(() => Run(path, new Crash(k), optimizer));
        Assert.True(File.Exists(path));
        var (weights, resumed) = Run(path, null, optimizer);
        Assert.Equal(expected, weights); // exact float equality, element by element
        Assert.Equal(Epochs, resumed.Epochs.Count);
        for (int e = 0; e < Epochs; e++)
        {
            var (a, b) = (full.Epochs[e], resumed.Epochs[e]);
            Assert.Equal((a.Epoch, a.Loss, a.Accuracy, a.ValLoss, a.ValAccuracy, a.LearningRate), (b.Epoch, b.Loss, b.Accuracy, b.ValLoss, b.ValAccuracy, b.LearningRate));
        }
    }

    [Theory]
    [InlineData("train_loader.generator")]
    [InlineData("model.generator:2.generator")]
    public void TheSavedGenerators_AreWhatMakesItExact(string entry)
    {
        // Guards the test above: the same checkpoint with one generator's position replaced resumes to other weights.
        var (expected, _) = Run(null, null);
        var path = Path.Combine(CliRunner.Temp(), "checkpoint.safetensors");
        Assert.Throws<IOException>(() => Run(path, new Crash(2)));
        var state = TrainingState.Load(path);
        Assert.Equal(2, state.GetLong("epoch"));
        Assert.True(state.Has(entry));
        state.Set(entry, new Generator(12345));
        state.Save(path);
        Assert.NotEqual(expected, Run(path, null).Weights);
    }

    [Fact]
    public void ALoadedCheckpoint_FromAnotherModel_NamesTheEntry()
    {
        var path = Path.Combine(CliRunner.Temp(), "checkpoint.safetensors");
        Assert.Throws<IOException>(() => Run(path, new Crash(1)));
        var g = new Generator(1);
        var other = new Sequential(new Linear(2, 8, gen: g), new ReLU(), new Linear(8, 3, gen: g));
        var opt = new Adam(other.Parameters());
        var e = Assert.Throws<InvalidDataException>(() => Trainer.Fit(other, new CrossEntropyLoss(), opt, new DataLoader(Blobs(), 16), null, 3, new BackupAndRestore(path)));
        Assert.Contains(path, e.Message);
        Assert.Contains("'model.0.weight' has 64 values, expected 16", e.Message);
    }

    [Fact]
    public void AWeightsFile_IsNotACheckpoint()
    {
        var dir = CliRunner.Temp();
        var path = Path.Combine(dir, "w.safetensors");
        var g = new Generator(1);
        new Sequential(new Linear(2, 3, gen: g)).Save(path);
        var e = Assert.Throws<InvalidDataException>(() => TrainingState.Load(path));
        Assert.Contains("not a training checkpoint", e.Message);
    }

    [Fact]
    public void GeneratorState_RoundTrips_IncludingTheSpareNormal()
    {
        var a = new Generator(77);
        a.NextNormal(); // leaves a cached second normal
        var b = new Generator(1);
        b.SetState(a.GetState());
        for (int i = 0; i < 5; i++) Assert.Equal(a.NextNormal(), b.NextNormal());
        Assert.Equal(a.NextUInt(), b.NextUInt());
        Assert.Throws<ArgumentException>(() => b.SetState(new uint[6]));
    }

    [Fact]
    public void ModelCheckpoint_WritesLastEveryEpoch_AndBestWhenItImproves()
    {
        var dir = CliRunner.Temp();
        var g = new Generator(2);
        var model = new Sequential(new Linear(2, 16, gen: g), new ReLU(), new Linear(16, 3, gen: g));
        var data = Blobs();
        var ckpt = new ModelCheckpoint(dir);
        var h = Trainer.Fit(model, new CrossEntropyLoss(), new Adam(model.Parameters(), 0.02f), new DataLoader(data, 32, shuffle: true, seed: 1), new DataLoader(data, 240), 4, ckpt);
        int best = 1 + h.Epochs.Select((e, i) => (e.ValLoss!.Value, i)).Min().i;
        Assert.Equal(best, ckpt.BestEpoch);
        var last = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 3));
        last.Load(ckpt.LastPath);
        Assert.Equal(model.StateDict().SelectMany(p => p.Value.ToArray()), last.StateDict().SelectMany(p => p.Value.ToArray()));
        Assert.True(File.Exists(ckpt.BestPath));
    }

    [Fact]
    public void TerminateOnNaN_EndsQuietly_WithTheMessage()
    {
        var g = new Generator(2);
        var model = new Sequential(new Linear(2, 3, gen: g));
        var x = Tensor.FromArray([1f, float.NaN, 0f, 1f], 2, 2);
        var data = new TensorDataset(x, Tensor.FromArray([0f, 1f]));
        var stop = new TerminateOnNaN();
        var h = Trainer.Fit(model, new CrossEntropyLoss(), new SGD(model.Parameters(), 0.1f), new DataLoader(data, 2), null, 3, stop);
        Assert.Empty(h.Epochs);
        Assert.Contains("epoch 1, batch 1", stop.Message);
        Assert.Throws<TrainingDivergedException>(() => Trainer.Fit(model, new CrossEntropyLoss(), new SGD(model.Parameters(), 0.1f), new DataLoader(data, 2), null, 3));
    }
}
