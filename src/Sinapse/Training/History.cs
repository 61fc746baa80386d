using System.Globalization;
using System.Text;

namespace Sinapse.Training;

/// <summary>
/// Metrics of one epoch. Validation values are null without a validation set; accuracy is null for non-classification
/// outputs; the learning rate is NaN when the task has no single optimizer. <paramref name="Extra"/> holds the further
/// metrics a custom step reports (validation ones prefixed "val_").
/// </summary>
public sealed record EpochLogs(int Epoch, float Loss, float? Accuracy, float? ValLoss, float? ValAccuracy, float LearningRate, double Seconds,
    IReadOnlyDictionary<string, float>? Extra = null)
{
    /// <summary>A metric by its Keras name: loss, accuracy, val_loss, val_accuracy, lr, or one of <see cref="Extra"/>.</summary>
    public float? Get(string name) => name switch
    {
        "loss" => Loss,
        "accuracy" => Accuracy,
        "val_loss" => ValLoss,
        "val_accuracy" => ValAccuracy,
        "lr" => LearningRate,
        _ when Extra != null && Extra.TryGetValue(name, out var v) => v,
        _ => throw new ArgumentException($"Unknown metric '{name}' (loss, accuracy, val_loss, val_accuracy, lr{(Extra != null ? ", " + string.Join(", ", Extra.Keys) : "")})."),
    };
}

/// <summary>The per-epoch record returned by <see cref="Sinapse.Training.Trainer.Fit(Sinapse.Layers.Module{Sinapse.Tensor, Sinapse.Tensor}, Sinapse.Losses.Loss, Sinapse.Optimizers.Optimizer, Sinapse.Data.DataLoader, Sinapse.Data.DataLoader?, int, Sinapse.Training.Callback[])"/>.</summary>
public sealed class History : IStateful
{
    public List<EpochLogs> Epochs { get; } = new();

    public IReadOnlyList<float> Loss => Epochs.Select(e => e.Loss).ToList();
    public IReadOnlyList<float?> ValLoss => Epochs.Select(e => e.ValLoss).ToList();

    /// <summary>One row per epoch: epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds, then any further metrics (empty where unavailable).</summary>
    public string ToCsv()
    {
        static string F(float? v) => v is float f ? f.ToString("R", CultureInfo.InvariantCulture) : "";
        // Further metrics (a GAN's two losses, an agent's return) follow the standard columns, in first-seen order.
        var extra = new List<string>();
        foreach (var e in Epochs)
            if (e.Extra != null) foreach (var k in e.Extra.Keys) if (!extra.Contains(k)) extra.Add(k);
        var sb = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds");
        foreach (var k in extra) sb.Append(',').Append(k);
        sb.Append('\n');
        foreach (var e in Epochs)
        {
            sb.Append(e.Epoch).Append(',').Append(F(e.Loss)).Append(',').Append(F(e.Accuracy)).Append(',')
              .Append(F(e.ValLoss)).Append(',').Append(F(e.ValAccuracy)).Append(',').Append(F(e.LearningRate)).Append(',')
              .Append(e.Seconds.ToString("F3", CultureInfo.InvariantCulture));
            foreach (var k in extra) sb.Append(',').Append(F(e.Extra != null && e.Extra.TryGetValue(k, out var v) ? v : null));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Saves every epoch's metrics (null as NaN: a finite loss is required while training, so NaN means "none").</summary>
    public void SaveState(TrainingState state, string prefix)
    {
        float[] Column(Func<EpochLogs, float?> f) => Epochs.Select(e => f(e) ?? float.NaN).ToArray();
        state.Set(prefix + "epochs", Epochs.Count);
        if (Epochs.Count == 0) return;
        state.SetArray(prefix + "epoch", Column(e => e.Epoch));
        state.SetArray(prefix + "loss", Column(e => e.Loss));
        state.SetArray(prefix + "accuracy", Column(e => e.Accuracy));
        state.SetArray(prefix + "val_loss", Column(e => e.ValLoss));
        state.SetArray(prefix + "val_accuracy", Column(e => e.ValAccuracy));
        state.SetArray(prefix + "lr", Column(e => e.LearningRate));
        state.SetArray(prefix + "seconds", Column(e => (float)e.Seconds));
        var extra = Epochs.Where(e => e.Extra != null).SelectMany(e => e.Extra!.Keys).Distinct().ToArray();
        state.Set(prefix + "extra", string.Join('\u001f', extra));
        foreach (var k in extra) state.SetArray($"{prefix}extra.{k}", Column(e => e.Extra != null && e.Extra.TryGetValue(k, out var v) ? v : null));
    }

    public void LoadState(TrainingState state, string prefix)
    {
        Epochs.Clear();
        int n = checked((int)state.GetLong(prefix + "epochs"));
        if (n == 0) return;
        float[] Column(string name) { var a = new float[n]; state.CopyArray(prefix + name, a); return a; }
        static float? Opt(float v) => float.IsNaN(v) ? null : v;
        var (epoch, loss, acc, vl, va, lr, sec) = (Column("epoch"), Column("loss"), Column("accuracy"), Column("val_loss"), Column("val_accuracy"), Column("lr"), Column("seconds"));
        var keys = state.Get(prefix + "extra").Split('\u001f', StringSplitOptions.RemoveEmptyEntries);
        var extra = keys.ToDictionary(k => k, k => Column("extra." + k));
        for (int i = 0; i < n; i++)
        {
            var x = keys.Where(k => !float.IsNaN(extra[k][i])).ToDictionary(k => k, k => extra[k][i]);
            Epochs.Add(new EpochLogs((int)epoch[i], loss[i], Opt(acc[i]), Opt(vl[i]), Opt(va[i]), lr[i], sec[i], x.Count > 0 ? x : null));
        }
    }
}

/// <summary>Raised when the loss becomes NaN or infinite; the message names the epoch and batch.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
