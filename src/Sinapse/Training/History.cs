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

/// <summary>The per-epoch record returned by <see cref="Trainer.Fit"/>.</summary>
public sealed class History
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
}

/// <summary>Raised when the loss becomes NaN or infinite; the message names the epoch and batch.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
