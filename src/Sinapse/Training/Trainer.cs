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
    /// Trains <paramref name="model"/> for <paramref name="epochs"/> epochs: per batch zero_grad → forward → loss →
    /// backward → step; after each epoch evaluates on <paramref name="validation"/> (if given) and calls the
    /// callbacks. A NaN or infinite loss throws <see cref="TrainingDivergedException"/> naming the epoch and batch.
    /// Accuracy is reported when the model outputs (N, C) scores and the targets are class indices (N).
    /// </summary>
    public static History Fit(Module model, Loss loss, Optimizer optimizer, DataLoader train, DataLoader? validation = null,
        int epochs = 1, params Callback[] callbacks)
    {
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Fit: epochs must be at least 1.");
        var history = new History();
        var ctx = new TrainingContext { Model = model, Optimizer = optimizer, History = history, Epochs = epochs, BatchCount = train.BatchCount };
        foreach (var c in callbacks) c.OnTrainBegin(ctx);
        for (int epoch = 1; epoch <= epochs && !ctx.StopTraining; epoch++)
        {
            ctx.Epoch = epoch;
            float lr = optimizer.LearningRate;
            foreach (var c in callbacks) c.OnEpochBegin(ctx);
            var sw = Stopwatch.StartNew();
            model.Train();
            double lossSum = 0; long correct = 0, seen = 0; bool classifier = true;
            int batch = 0;
            foreach (var (x, y) in train)
            {
                batch++;
                ctx.Batch = batch;
                optimizer.ZeroGrad();
                var output = model.Forward(x);
                var l = loss.Forward(output, y);
                float lv = l.Item();
                if (!float.IsFinite(lv))
                    throw new TrainingDivergedException($"Training diverged: the loss is {lv} at epoch {epoch}, batch {batch} of {train.BatchCount}. Try a smaller learning rate (now {optimizer.LearningRate}) or gradient clipping.");
                l.Backward();
                optimizer.Step();
                int n = x.Shape[0];
                lossSum += (double)lv * n; seen += n;
                int? right = CountCorrect(output, y);
                if (right is int r) correct += r; else classifier = false;
                var bl = new BatchLogs(epoch, batch, lv, right is int rr ? rr / (float)n : null);
                foreach (var c in callbacks) c.OnBatchEnd(ctx, bl);
            }
            float trainLoss = (float)(lossSum / Math.Max(seen, 1));
            float? trainAcc = classifier && seen > 0 ? correct / (float)seen : null;
            Evaluation? val = validation != null ? Evaluate(model, loss, validation) : null;
            var logs = new EpochLogs(epoch, trainLoss, trainAcc, val?.Loss, val?.Accuracy, lr, sw.Elapsed.TotalSeconds);
            history.Epochs.Add(logs);
            foreach (var c in callbacks) c.OnEpochEnd(ctx, logs);
        }
        foreach (var c in callbacks) c.OnTrainEnd(ctx);
        model.Train();
        return history;
    }

    /// <summary>Mean loss and accuracy over a data set, in eval mode without gradients.</summary>
    public static Evaluation Evaluate(Module model, Loss loss, DataLoader data)
    {
        bool wasTraining = model.Training;
        model.Eval();
        double lossSum = 0; long correct = 0, seen = 0; bool classifier = true;
        using (Autograd.NoGrad())
        {
            foreach (var (x, y) in data)
            {
                var output = model.Forward(x);
                int n = x.Shape[0];
                lossSum += (double)loss.Forward(output, y).Item() * n;
                seen += n;
                if (CountCorrect(output, y) is int r) correct += r; else classifier = false;
            }
        }
        model.Train(wasTraining);
        return new Evaluation((float)(lossSum / Math.Max(seen, 1)), classifier && seen > 0 ? correct / (float)seen : null, (int)seen);
    }

    /// <summary>Predicted class (argmax) for every sample of a data set, with the true labels.</summary>
    public static (int[] Predicted, int[] Actual) Predict(Module model, DataLoader data)
    {
        bool wasTraining = model.Training;
        model.Eval();
        var pred = new List<int>(); var actual = new List<int>();
        using (Autograd.NoGrad())
            foreach (var (x, y) in data)
            {
                pred.AddRange(model.Forward(x).ArgMax(1).ToArray().Select(v => (int)v));
                actual.AddRange(y.ToArray().Select(v => (int)v));
            }
        model.Train(wasTraining);
        return (pred.ToArray(), actual.ToArray());
    }

    /// <summary>Correct predictions when output is (N, C) with C &gt; 1 and target (N) class indices; else null.</summary>
    static int? CountCorrect(Tensor output, Tensor target)
    {
        if (output.Rank != 2 || output.Shape[1] < 2 || target.Rank != 1 || target.Shape[0] != output.Shape[0]) return null;
        var o = output.Detach().Contiguous().Span;
        var t = target.Detach().Contiguous().Span;
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
}
