using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Losses;
using Sinapse.Optimizers;
using Sinapse.Training;

namespace Sinapse.Cli;

/// <summary>
/// Networks on tables (a CSV, or a shipped set: iris, wine, breast-cancer, diabetes): the rows split (stratified for
/// classification), inputs standardised on the training rows, a regression target too, and an MLP trained with Adam
/// and early stopping on the validation rows (best weights kept).
/// </summary>
internal static class TabularTraining
{
    /// <summary>Whether --data names a table: csv:FILE or a shipped table.</summary>
    public static bool Handles(string? data) => data != null && (data.StartsWith("csv:") || TabularData.Shipped.ContainsKey(data));

    /// <summary>Loads --data with --target and --task (a shipped table knows its own target and task).</summary>
    public static TabularData Load(string data, string? target, string? task)
    {
        TabularTask? kind = task switch
        {
            null => null,
            "classification" => TabularTask.Classification,
            "regression" => TabularTask.Regression,
            _ => throw new ArgumentException($"--task: '{task}' is not classification or regression."),
        };
        if (data.StartsWith("csv:"))
        {
            var path = data[4..];
            if (target == null) throw new ArgumentException($"--data {data}: name the column to predict with --target COLUMN.");
            return TabularData.Load(path, target, kind);
        }
        if (target == null && kind == null) return TabularData.LoadShipped(data);
        var (t, k) = TabularData.Shipped[data];
        return TabularData.Load(ShippedData.Locate(data, data + ".csv", "table", "scripts/make-tabular-data.sh"), target ?? t, kind ?? k);
    }

    /// <summary>What a tabular run is trained with.</summary>
    public sealed record Recipe(int[] Hidden, float LearningRate, int Epochs, int BatchSize, ulong Seed, float WeightDecay = 0f, float Dropout = 0f,
        string Optimizer = "adam", int Patience = 30, float L1 = 0f, float? MaxNorm = null);

    /// <summary>Rows standardised with statistics of the training rows; a regression target too (<see cref="Target"/>).</summary>
    public sealed record Prepared(TabularData Data, TensorDataset Train, TensorDataset Validation, TensorDataset Test, Standardizer Inputs, Standardizer? Target)
    {
        /// <summary>Predictions for a set in the data's units: class scores (N, C), or values (N, 1) with the target scaling undone.</summary>
        public Tensor Predict(Module<Tensor, Tensor> model, TensorDataset set)
        {
            bool was = model.Training;
            model.Eval();
            Tensor y;
            using (Autograd.NoGrad()) y = model.Call(set.Inputs);
            model.Train(was);
            return Target != null ? Target.Invert(y) : y;
        }
    }

    /// <summary>Splits <paramref name="d"/> by the given rows and standardises it.</summary>
    public static Prepared Prepare(TabularData d, int[] train, int[] validation, int[] test)
    {
        (Tensor X, Tensor Y) Rows(int[] rows) => d.Data.GetBatch(rows);
        var (xt, yt) = Rows(train);
        var sx = Standardizer.Fit(xt);
        var sy = d.Task == TabularTask.Regression ? Standardizer.Fit(yt) : null;
        TensorDataset Scaled(int[] rows)
        {
            var (x, y) = Rows(rows);
            return new TensorDataset(sx.Apply(x), sy != null ? sy.Apply(y) : y);
        }
        return new Prepared(d, Scaled(train), Scaled(validation), Scaled(test), sx, sy);
    }

    /// <summary>Stratified split: 20% test, then 20% of the rest for validation.</summary>
    public static Prepared Split(TabularData d, ulong seed)
    {
        var labels = d.Labels;
        var (rest, test) = Folds.Split(d.Count, 0.2f, seed, labels);
        var (train, validation) = Folds.Split(rest.Length, 0.2f, seed + 1, labels != null ? rest.Select(i => labels[i]).ToArray() : null);
        return Prepare(d, train.Select(i => rest[i]).ToArray(), validation.Select(i => rest[i]).ToArray(), test);
    }

    public static ModelSpec Spec(TabularData d, Recipe r) => ModelSpec.Mlp([d.FeatureCount], r.Hidden, d.Outputs, dropout: r.Dropout);

    /// <summary>Builds the model and trains it on <paramref name="p"/> (early stopping on validation loss, best weights restored).</summary>
    public static (Sequential Model, History History, EarlyStopping Stop) Fit(Prepared p, Recipe r, IEnumerable<Callback>? more = null,
        Func<int, int, List<Callback>, Func<Callback[], History>, History>? runner = null)
    {
        var model = Spec(p.Data, r).Build(new Generator(r.Seed));
        var opt = TrainCommand.MakeOptimizer(r.Optimizer, model.Parameters(), r.LearningRate, r.WeightDecay);
        Loss loss = p.Data.Task == TabularTask.Classification ? new CrossEntropyLoss() : new MSELoss();
        // Rprop and Quickprop follow the sign or curvature of the whole training set's gradient: one batch per epoch.
        int batch = r.Optimizer is "rprop" or "quickprop" ? p.Train.Count : r.BatchSize;
        var train = new DataLoader(p.Train, batch, shuffle: true, seed: r.Seed);
        var val = new DataLoader(p.Validation, 4096);
        var stop = new EarlyStopping("val_loss", r.Patience, restoreBest: true);
        var callbacks = new List<Callback> { stop };
        if (more != null) callbacks.AddRange(more);
        var task = new SupervisedTask(model, loss, opt) { L1 = r.L1, MaxNorm = r.MaxNorm };
        Func<Callback[], History> fit = cbs => Trainer.Fit(task, train, val, r.Epochs, MpiJob.Communicator, cbs);
        var history = runner != null ? runner(r.Epochs, train.BatchCount, callbacks, fit) : fit([.. callbacks]);
        model.Eval();
        return (model, history, stop);
    }

    /// <summary>Accuracy of class scores (N, C) against class indices (N).</summary>
    public static double Accuracy(Tensor scores, Tensor labels) =>
        (Trainer.CountCorrect(scores, labels) ?? throw new ArgumentException("Accuracy: not class scores.")) / (double)labels.Shape[0];
}
