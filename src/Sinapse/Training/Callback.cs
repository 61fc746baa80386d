using Sinapse.Layers;
using Sinapse.Optimizers;

namespace Sinapse.Training;

/// <summary>
/// What a callback sees of the training run; set <see cref="StopTraining"/> to end it: set after a batch, the epoch ends
/// there (and is validated); set after an epoch, no further epoch starts.
/// </summary>
public sealed class TrainingContext
{
    public required Module Model { get; init; }
    /// <summary>The task's optimizer, or null when it has several or none.</summary>
    public required Optimizer? Optimizer { get; init; }
    public required History History { get; init; }
    public required int Epochs { get; init; }
    public required int BatchCount { get; init; }
    /// <summary>Current epoch, 1-based.</summary>
    public int Epoch { get; internal set; }
    /// <summary>Current batch within the epoch, 1-based.</summary>
    public int Batch { get; internal set; }
    /// <summary>Set by a callback to stop (see the class).</summary>
    public bool StopTraining { get; set; }

    /// <summary>
    /// The group of processes training together (<see cref="SingleProcess"/> unless data-parallel): a callback that
    /// writes files should do so on rank 0 only.
    /// </summary>
    public ICommunicator Communicator { get; init; } = SingleProcess.Instance;

    /// <summary>Epochs already done before this call of Fit (a resumed run starts after them); 0 for a fresh run.</summary>
    public int InitialEpoch { get; internal set; }

    readonly List<(string Key, IStateful Part)> state = new();

    /// <summary>Adds a part to what <see cref="SaveState"/> saves (Fit adds the optimizer, the loader, the history and stateful callbacks).</summary>
    public void AddState(string key, IStateful part)
    {
        if (state.Any(s => s.Key == key)) throw new ArgumentException($"TrainingContext: state key '{key}' is already used.");
        state.Add((key, part));
    }

    /// <summary>The whole run: the epoch, the model (weights, buffers, generators), the default generator and every part.</summary>
    public TrainingState SaveState()
    {
        var s = new TrainingState();
        s.Set("epoch", Epoch);
        s.Set("stopped", StopTraining ? 1 : 0);
        s.SaveModule(Model, "model.");
        s.Set("generator:default", Generator.Default);
        foreach (var (key, part) in state) part.SaveState(s, key + ".");
        return s;
    }

    /// <summary>Restores a state from <see cref="SaveState"/>; training continues after its epoch.</summary>
    public void LoadState(TrainingState s)
    {
        s.LoadModule(Model, "model.");
        s.GetGenerator("generator:default", Generator.Default);
        foreach (var (key, part) in state) part.LoadState(s, key + ".");
        Epoch = InitialEpoch = checked((int)s.GetLong("epoch"));
        StopTraining = s.GetLong("stopped") != 0;
    }
}

/// <summary>Metrics of one training batch.</summary>
public readonly record struct BatchLogs(int Epoch, int Batch, float Loss, float? Accuracy);

/// <summary>Hooks into <see cref="Sinapse.Training.Trainer.Fit(Sinapse.Layers.Module{Sinapse.Tensor, Sinapse.Tensor}, Sinapse.Losses.Loss, Sinapse.Optimizers.Optimizer, Sinapse.Data.DataLoader, Sinapse.Data.DataLoader?, int, Sinapse.Training.Callback[])"/> (Keras style). Override what you need.</summary>
public abstract class Callback
{
    public virtual void OnTrainBegin(TrainingContext ctx) { }
    public virtual void OnEpochBegin(TrainingContext ctx) { }
    public virtual void OnBatchEnd(TrainingContext ctx, BatchLogs logs) { }
    public virtual void OnEpochEnd(TrainingContext ctx, EpochLogs logs) { }
    public virtual void OnTrainEnd(TrainingContext ctx) { }
}

/// <summary>A callback made of lambdas, for quick use.</summary>
public sealed class LambdaCallback : Callback
{
    public Action<TrainingContext, EpochLogs>? EpochEnd { get; init; }
    public Action<TrainingContext, BatchLogs>? BatchEnd { get; init; }
    public override void OnEpochEnd(TrainingContext ctx, EpochLogs logs) => EpochEnd?.Invoke(ctx, logs);
    public override void OnBatchEnd(TrainingContext ctx, BatchLogs logs) => BatchEnd?.Invoke(ctx, logs);
}

/// <summary>
/// Stops when the monitored metric ("val_loss", "loss", "val_accuracy", "accuracy") has not improved by more
/// than <c>minDelta</c> for <c>patience</c> epochs; optionally restores the best weights seen.
/// </summary>
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 3, float minDelta = 0f, bool restoreBest = true) : Callback, IStateful
{
    float best;
    int wait;
    float[][]? bestWeights;
    public int BestEpoch { get; private set; }
    public int StoppedEpoch { get; private set; }

    bool HigherIsBetter => monitor.EndsWith("accuracy");

    public override void OnTrainBegin(TrainingContext ctx)
    {
        best = HigherIsBetter ? float.NegativeInfinity : float.PositiveInfinity;
        wait = 0; bestWeights = null; BestEpoch = 0; StoppedEpoch = 0;
    }

    public override void OnEpochEnd(TrainingContext ctx, EpochLogs logs)
    {
        float v = logs.Get(monitor) ?? throw new InvalidOperationException($"EarlyStopping: metric '{monitor}' is not available (is there a validation set?).");
        bool improved = HigherIsBetter ? v > best + minDelta : v < best - minDelta;
        if (improved)
        {
            best = v; wait = 0; BestEpoch = ctx.Epoch;
            if (restoreBest) bestWeights = ctx.Model.StateDict().Select(p => p.Value.ToArray()).ToArray();
            return;
        }
        if (++wait >= patience) { ctx.StopTraining = true; StoppedEpoch = ctx.Epoch; }
    }

    public override void OnTrainEnd(TrainingContext ctx)
    {
        if (!restoreBest || bestWeights == null) return;
        using var _ = Autograd.NoGrad();
        int i = 0;
        foreach (var (_, p) in ctx.Model.StateDict()) { bestWeights[i++].CopyTo(p.AsSpan()); p.BumpVersion(); }
    }

    public void SaveState(TrainingState state, string prefix)
    {
        state.Set(prefix + "best", best);
        state.Set(prefix + "wait", wait);
        state.Set(prefix + "best_epoch", BestEpoch);
        state.Set(prefix + "stopped_epoch", StoppedEpoch);
        state.Set(prefix + "best_weights", bestWeights?.Length ?? 0);
        if (bestWeights != null) for (int i = 0; i < bestWeights.Length; i++) state.SetArray($"{prefix}best_weights.{i}", bestWeights[i]);
    }

    public void LoadState(TrainingState state, string prefix)
    {
        best = state.GetFloat(prefix + "best");
        wait = checked((int)state.GetLong(prefix + "wait"));
        BestEpoch = checked((int)state.GetLong(prefix + "best_epoch"));
        StoppedEpoch = checked((int)state.GetLong(prefix + "stopped_epoch"));
        int n = checked((int)state.GetLong(prefix + "best_weights"));
        bestWeights = n == 0 ? null : Enumerable.Range(0, n).Select(i =>
        {
            var a = new float[state.ArrayLength($"{prefix}best_weights.{i}")];
            state.CopyArray($"{prefix}best_weights.{i}", a);
            return a;
        }).ToArray();
    }
}

/// <summary>Steps a learning-rate scheduler at the end of every epoch (plateau schedulers get the monitored metric).</summary>
public sealed class SchedulerCallback(LRScheduler scheduler, string monitor = "val_loss") : Callback, IStateful
{
    public void SaveState(TrainingState state, string prefix) => scheduler.SaveState(state, prefix);
    public void LoadState(TrainingState state, string prefix) => scheduler.LoadState(state, prefix);

    public override void OnEpochEnd(TrainingContext ctx, EpochLogs logs) =>
        scheduler.Step(scheduler is ReduceLROnPlateau ? logs.Get(monitor) ?? logs.Loss : null);
}

/// <summary>
/// Stops training once the time spent in training steps reaches <paramref name="seconds"/> (validation is not
/// counted): the epoch in progress ends at that batch and is validated, so results compare at equal training budgets.
/// </summary>
public sealed class TimeLimit(double seconds) : Callback, IStateful
{
    readonly System.Diagnostics.Stopwatch sinceLast = new();
    double spent;

    /// <summary>Training seconds counted so far.</summary>
    public double Spent => spent;

    public override void OnEpochBegin(TrainingContext ctx) => sinceLast.Restart();

    public override void OnBatchEnd(TrainingContext ctx, BatchLogs logs)
    {
        spent += sinceLast.Elapsed.TotalSeconds;
        sinceLast.Restart();
        if (spent >= seconds) ctx.StopTraining = true;
    }

    public void SaveState(TrainingState state, string prefix) => state.Set(prefix + "spent", spent);
    public void LoadState(TrainingState state, string prefix) => spent = state.GetDouble(prefix + "spent");
}
