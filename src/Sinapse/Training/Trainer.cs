using System.Diagnostics;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Training;

/// <summary>Result of <see cref="Trainer.Evaluate"/>: mean loss and (for classifiers) accuracy.</summary>
public readonly record struct Evaluation(float Loss, float? Accuracy, int Samples);

/// <summary>The Keras-style training loop.</summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> for <paramref name="epochs"/> epochs with the supervised step
    /// (<see cref="SupervisedTask"/>); see <see cref="Fit{TBatch}"/>.
    /// </summary>
    public static History Fit(Module<Tensor, Tensor> model, Loss loss, Optimizer optimizer, DataLoader train, DataLoader? validation = null,
        int epochs = 1, params Callback[] callbacks) =>
        Fit(new SupervisedTask(model, loss, optimizer), train, validation, epochs, callbacks);

    /// <summary>
    /// Runs <paramref name="task"/>'s step on every batch of <paramref name="train"/> for <paramref name="epochs"/>
    /// epochs; after each epoch runs its test step on <paramref name="validation"/> (if given, without gradients, in
    /// evaluation mode) and calls the callbacks. A NaN or infinite loss throws <see cref="TrainingDivergedException"/>
    /// naming the epoch and batch (with <see cref="TerminateOnNaN"/>, training ends there instead). With
    /// <see cref="BackupAndRestore"/> the run resumes from its file and backs up after every epoch.
    /// </summary>
    public static History Fit<TBatch>(TrainingTask<TBatch> task, DataLoader<TBatch> train, DataLoader<TBatch>? validation = null,
        int epochs = 1, params Callback[] callbacks)
    {
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Fit: epochs must be at least 1.");
        var model = task.Model;
        var history = new History();
        var ctx = new TrainingContext { Model = model, Optimizer = task.Optimizer, History = history, Epochs = epochs, BatchCount = train.BatchCount };
        if (task.Optimizer != null) ctx.AddState("optimizer", task.Optimizer);
        foreach (var (key, part) in task.StateParts) ctx.AddState(key, part);
        ctx.AddState("train_loader", train);
        ctx.AddState("history", history);
        for (int i = 0; i < callbacks.Length; i++)
            if (callbacks[i] is IStateful part) ctx.AddState($"callback{i}.{callbacks[i].GetType().Name}", part);
        foreach (var c in callbacks) c.OnTrainBegin(ctx);
        var backups = callbacks.OfType<BackupAndRestore>().ToArray();
        foreach (var b in backups) b.Restore(ctx);
        var nanStop = callbacks.OfType<TerminateOnNaN>().FirstOrDefault();
        for (int epoch = ctx.InitialEpoch + 1; epoch <= epochs && !ctx.StopTraining; epoch++)
        {
            ctx.Epoch = epoch;
            float lr = task.Optimizer?.LearningRate ?? float.NaN;
            foreach (var c in callbacks) c.OnEpochBegin(ctx);
            var sw = Stopwatch.StartNew();
            model.Train();
            var sums = new EpochSums();
            int batch = 0;
            foreach (var b in train)
            {
                batch++;
                ctx.Batch = batch;
                var r = task.TrainStep(b);
                if (!float.IsFinite(r.Loss))
                {
                    string message = $"Training diverged: the loss is {r.Loss} at epoch {epoch}, batch {batch} of {train.BatchCount}." +
                        (task.Optimizer != null ? $" Try a smaller learning rate (now {task.Optimizer.LearningRate}) or gradient clipping." : " Try a smaller learning rate or gradient clipping.");
                    if (nanStop == null) throw new TrainingDivergedException(message);
                    nanStop.Message = message;
                    ctx.StopTraining = true;
                    break;
                }
                sums.Add(r);
                var bl = new BatchLogs(epoch, batch, r.Loss, r.Correct is int k && r.Samples > 0 ? k / (float)r.Samples : null);
                foreach (var c in callbacks) c.OnBatchEnd(ctx, bl);
                if (ctx.StopTraining) break;
            }
            if (nanStop?.Message != null) break;
            Evaluation? val = null;
            IReadOnlyDictionary<string, float>? valMetrics = null;
            if (validation != null) (val, valMetrics) = RunTest(task, validation);
            var extra = sums.Metrics(null);
            if (valMetrics != null) foreach (var (k, v) in valMetrics) extra["val_" + k] = v;
            var logs = new EpochLogs(epoch, sums.MeanLoss, sums.Accuracy, val?.Loss, val?.Accuracy, lr, sw.Elapsed.TotalSeconds, extra.Count > 0 ? extra : null);
            history.Epochs.Add(logs);
            foreach (var c in callbacks) c.OnEpochEnd(ctx, logs);
            foreach (var b in backups) b.Backup(ctx);
        }
        foreach (var c in callbacks) c.OnTrainEnd(ctx);
        model.Train();
        return history;
    }

    static (Evaluation, IReadOnlyDictionary<string, float>?) RunTest<TBatch>(TrainingTask<TBatch> task, DataLoader<TBatch> data)
    {
        var model = task.Model;
        bool wasTraining = model.Training;
        model.Eval();
        var sums = new EpochSums();
        using (Autograd.NoGrad())
            foreach (var b in data)
                sums.Add(task.TestStep(b) ?? throw new InvalidOperationException($"Fit: {task.GetType().Name} has no TestStep, so it cannot be validated; override TestStep or pass no validation data."));
        model.Train(wasTraining);
        var m = sums.Metrics(null);
        return (new Evaluation(sums.MeanLoss, sums.Accuracy, sums.Samples), m.Count > 0 ? m : null);
    }

    /// <summary>Mean loss and accuracy over a data set, in eval mode without gradients.</summary>
    public static Evaluation Evaluate(Module<Tensor, Tensor> model, Loss loss, DataLoader data)
    {
        bool wasTraining = model.Training;
        model.Eval();
        var sums = new EpochSums();
        using (Autograd.NoGrad())
            foreach (var (x, y) in data)
            {
                var output = model.Call(x);
                sums.Add(new StepResult(loss.Call(output, y).Item(), SampleCount(x, output, y), CountCorrect(output, y)));
            }
        model.Train(wasTraining);
        return new Evaluation(sums.MeanLoss, sums.Accuracy, sums.Samples);
    }

    /// <summary>Predicted class (argmax) for every sample of a data set, with the true labels.</summary>
    public static (int[] Predicted, int[] Actual) Predict(Module<Tensor, Tensor> model, DataLoader data)
    {
        bool wasTraining = model.Training;
        model.Eval();
        var pred = new List<int>(); var actual = new List<int>();
        using (Autograd.NoGrad())
            foreach (var (x, y) in data)
            {
                pred.AddRange(model.Call(x).ArgMax(1).ToArray().Select(v => (int)v));
                actual.AddRange(y.ToArray().Select(v => (int)v));
            }
        model.Train(wasTraining);
        return (pred.ToArray(), actual.ToArray());
    }

    /// <summary>
    /// What a step counts as samples: the class targets when the output is (N, C) against N of them (a sequence model
    /// scores every position of a (B, T) input), else the input's first dimension.
    /// </summary>
    public static int SampleCount(Tensor input, Tensor output, Tensor target) =>
        output.Rank == 2 && target.Rank == 1 && target.Shape[0] == output.Shape[0] ? target.Shape[0] : input.Shape[0];

    /// <summary>Correct predictions when output is (N, C) with C &gt; 1 and target (N) class indices; else null.</summary>
    public static int? CountCorrect(Tensor output, Tensor target)
    {
        if (output.Rank != 2 || output.Shape[1] < 2 || target.Rank != 1 || target.Shape[0] != output.Shape[0]) return null;
        var o = output.NoGraph().Contiguous().AsReadOnlySpan();
        var t = target.NoGraph().Contiguous().AsReadOnlySpan();
        int c = output.Shape[1], right = 0;
        for (int i = 0; i < t.Length; i++)
        {
            var row = o.Slice(i * c, c);
            int best = 0;
            for (int j = 1; j < c; j++) if (row[j] > row[best]) best = j;
            if (best == (int)t[i]) right++;
        }
        return right;
    }

    /// <summary>
    /// Sample-weighted sums of step results over an epoch. A metric is averaged over the steps that report it (an
    /// agent reports an episode's return only on the step that ends it).
    /// </summary>
    sealed class EpochSums
    {
        double loss; long correct; bool classifier = true;
        readonly Dictionary<string, (double Sum, long Samples)> metrics = new();
        public int Samples { get; private set; }

        public void Add(StepResult r)
        {
            loss += (double)r.Loss * r.Samples;
            Samples += r.Samples;
            if (r.Correct is int k) correct += k; else classifier = false;
            if (r.Metrics != null)
                foreach (var (name, v) in r.Metrics)
                {
                    var (sum, n) = metrics.GetValueOrDefault(name);
                    metrics[name] = (sum + (double)v * r.Samples, n + r.Samples);
                }
        }

        public float MeanLoss => (float)(loss / Math.Max(Samples, 1));
        public float? Accuracy => classifier && Samples > 0 ? correct / (float)Samples : null;

        public Dictionary<string, float> Metrics(string? prefix) =>
            metrics.ToDictionary(m => (prefix ?? "") + m.Key, m => (float)(m.Value.Sum / Math.Max(m.Value.Samples, 1)));
    }
}
