using System.Diagnostics;
using Sinapse.Data;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;

namespace Sinapse.Training;

/// <summary>Result of <see cref="Trainer.Evaluate"/>: mean loss and (for classifiers) accuracy.</summary>
public readonly record struct Evaluation(float Loss, float? Accuracy, int Samples);

/// <summary>The Keras-style training loop.</summary>
public static partial class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> for <paramref name="epochs"/> epochs with the supervised step
    /// (<see cref="SupervisedTask"/>); see <see cref="Sinapse.Training.Trainer.Fit{TBatch}(Sinapse.Training.TrainingTask{TBatch}, Sinapse.Data.DataLoader{TBatch}, Sinapse.Data.DataLoader{TBatch}?, int, Sinapse.Training.Callback[])"/>.
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
        int epochs = 1, params Callback[] callbacks) =>
        Fit(task, train, validation, epochs, SingleProcess.Instance, callbacks);

    /// <summary>
    /// <see cref="Fit{TBatch}(TrainingTask{TBatch}, DataLoader{TBatch}, DataLoader{TBatch}?, int, Callback[])"/> in
    /// data-parallel over <paramref name="communicator"/>'s processes (each runs this same call): rank 0's weights are
    /// broadcast first; every process trains on its share of each batch of the common seeded shuffle
    /// (<see cref="DataLoader{TBatch}.Shard"/>), so a batch size is the global batch; gradients are averaged across
    /// processes during backward (<see cref="DataParallel"/>); epoch metrics and validation are summed over all
    /// processes, so every rank sees the same logs and callbacks decide alike; a stop asked by any rank (a time limit)
    /// stops all. Only rank 0 writes the <see cref="BackupAndRestore"/> file; a resumed run reads it on rank 0 and
    /// sends it to the others. Pass callbacks that write files or print on rank 0 only.
    /// </summary>
    public static History Fit<TBatch>(TrainingTask<TBatch> task, DataLoader<TBatch> train, DataLoader<TBatch>? validation,
        int epochs, ICommunicator communicator, params Callback[] callbacks)
    {
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Fit: epochs must be at least 1.");
        var group = communicator.Size > 1 ? JoinGroup(task, communicator, train, validation) : null;
        try { return Run(task, train, validation, epochs, communicator, group, callbacks); }
        finally
        {
            if (group != null)
            {
                group.Dispose();
                task.Communicator = SingleProcess.Instance;
                train.Shard(0, 1);
                validation?.Shard(0, 1);
            }
        }
    }

    static History Run<TBatch>(TrainingTask<TBatch> task, DataLoader<TBatch> train, DataLoader<TBatch>? validation,
        int epochs, ICommunicator comm, DataParallel? group, Callback[] callbacks)
    {
        var model = task.Model;
        var history = new History();
        var ctx = new TrainingContext { Model = model, Optimizer = task.Optimizer, History = history, Epochs = epochs, BatchCount = train.BatchCount, Communicator = comm };
        if (task.Optimizer != null) ctx.AddState("optimizer", task.Optimizer);
        foreach (var (key, part) in task.StateParts) ctx.AddState(key, part);
        ctx.AddState("train_loader", train);
        ctx.AddState("history", history);
        for (int i = 0; i < callbacks.Length; i++)
            if (callbacks[i] is IStateful part) ctx.AddState($"callback{i}.{callbacks[i].GetType().Name}", part);
        foreach (var c in callbacks) c.OnTrainBegin(ctx);
        var backups = callbacks.OfType<BackupAndRestore>().ToArray();
        foreach (var b in backups) b.Restore(ctx);
        group?.BroadcastState(model);
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
                if (group != null) group.Share = train.Share;
                var r = task.TrainStep(b);
                bool diverged = !float.IsFinite(r.Loss);
                if (!diverged)
                {
                    sums.Add(r);
                    var bl = new BatchLogs(epoch, batch, r.Loss, r.Correct is int k && r.Samples > 0 ? k / (float)r.Samples : null);
                    foreach (var c in callbacks) c.OnBatchEnd(ctx, bl);
                }
                if (group != null) (diverged, ctx.StopTraining) = AnyRank(comm, diverged, ctx.StopTraining);
                if (diverged)
                {
                    string where = float.IsFinite(r.Loss) ? $"on another process (this one, rank {comm.Rank}, has {r.Loss})" : r.Loss.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    string message = $"Training diverged: the loss is {where} at epoch {epoch}, batch {batch} of {train.BatchCount}." +
                        (task.Optimizer != null ? $" Try a smaller learning rate (now {task.Optimizer.LearningRate}) or gradient clipping." : " Try a smaller learning rate or gradient clipping.");
                    if (nanStop == null) throw new TrainingDivergedException(message);
                    nanStop.Message = message;
                    ctx.StopTraining = true;
                    break;
                }
                if (ctx.StopTraining) break;
            }
            if (nanStop?.Message != null) break;
            Evaluation? val = null;
            IReadOnlyDictionary<string, float>? valMetrics = null;
            if (validation != null) (val, valMetrics) = RunTest(task, validation, group != null ? comm : null);
            if (group != null) sums.Reduce(comm);
            var extra = sums.Metrics(null);
            if (valMetrics != null) foreach (var (k, v) in valMetrics) extra["val_" + k] = v;
            var logs = new EpochLogs(epoch, sums.MeanLoss, sums.Accuracy, val?.Loss, val?.Accuracy, lr, sw.Elapsed.TotalSeconds, extra.Count > 0 ? extra : null);
            history.Epochs.Add(logs);
            foreach (var c in callbacks) c.OnEpochEnd(ctx, logs);
            if (group != null) ctx.StopTraining = AnyRank(comm, ctx.StopTraining);
            foreach (var b in backups) b.Backup(ctx);
        }
        foreach (var c in callbacks) c.OnTrainEnd(ctx);
        model.Train();
        return history;
    }

    static (Evaluation, IReadOnlyDictionary<string, float>?) RunTest<TBatch>(TrainingTask<TBatch> task, DataLoader<TBatch> data, ICommunicator? comm)
    {
        var model = task.Model;
        bool wasTraining = model.Training;
        model.Eval();
        var sums = new EpochSums();
        using (Autograd.NoGrad())
            foreach (var b in data)
                sums.Add(task.TestStep(b) ?? throw new InvalidOperationException($"Fit: {task.GetType().Name} has no TestStep, so it cannot be validated; override TestStep or pass no validation data."));
        model.Train(wasTraining);
        if (comm != null) sums.Reduce(comm);
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

        /// <summary>Replaces the sums by their totals over all processes (each must report the same metric names).</summary>
        public void Reduce(ICommunicator comm)
        {
            var names = metrics.Keys.Order(StringComparer.Ordinal).ToArray();
            var v = new double[5 + 2 * names.Length];
            (v[0], v[1], v[2], v[3], v[4]) = (loss, Samples, correct, classifier ? 1 : 0, names.Length);
            for (int i = 0; i < names.Length; i++) (v[5 + 2 * i], v[6 + 2 * i]) = metrics[names[i]];
            comm.AllReduceSum(v);
            if (v[4] != (double)names.Length * comm.Size)
                throw new InvalidOperationException($"Fit: the processes report different metrics (rank {comm.Rank}: {string.Join(", ", names)}); a data-parallel task must report the same ones on every process.");
            (loss, Samples, correct, classifier) = (v[0], (int)v[1], (long)v[2], v[3] == comm.Size);
            for (int i = 0; i < names.Length; i++) metrics[names[i]] = (v[5 + 2 * i], (long)v[6 + 2 * i]);
        }

        public Dictionary<string, float> Metrics(string? prefix) =>
            metrics.ToDictionary(m => (prefix ?? "") + m.Key, m => (float)(m.Value.Sum / Math.Max(m.Value.Samples, 1)));
    }
}
