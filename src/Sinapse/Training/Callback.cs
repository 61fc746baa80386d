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
}

/// <summary>Metrics of one training batch.</summary>
public readonly record struct BatchLogs(int Epoch, int Batch, float Loss, float? Accuracy);

/// <summary>Hooks into <see cref="Trainer.Fit"/> (Keras style). Override what you need.</summary>
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
public sealed class EarlyStopping(string monitor = "val_loss", int patience = 3, float minDelta = 0f, bool restoreBest = true) : Callback
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
            if (restoreBest) bestWeights = ctx.Model.Parameters().Select(p => p.ToArray()).ToArray();
            return;
        }
        if (++wait >= patience) { ctx.StopTraining = true; StoppedEpoch = ctx.Epoch; }
    }

    public override void OnTrainEnd(TrainingContext ctx)
    {
        if (!restoreBest || bestWeights == null) return;
        using var _ = Autograd.NoGrad();
        int i = 0;
        foreach (var p in ctx.Model.Parameters()) bestWeights[i++].CopyTo(p.AsSpan());
    }
}

/// <summary>Steps a learning-rate scheduler at the end of every epoch (plateau schedulers get the monitored metric).</summary>
public sealed class SchedulerCallback(LRScheduler scheduler, string monitor = "val_loss") : Callback
{
    public override void OnEpochEnd(TrainingContext ctx, EpochLogs logs) =>
        scheduler.Step(scheduler is ReduceLROnPlateau ? logs.Get(monitor) ?? logs.Loss : null);
}

/// <summary>
/// Stops training once the time spent in training steps reaches <paramref name="seconds"/> (validation is not
/// counted): the epoch in progress ends at that batch and is validated, so results compare at equal training budgets.
/// </summary>
public sealed class TimeLimit(double seconds) : Callback
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
}
