namespace Sinapse.Bench;

/// <summary>
/// A time-to-accuracy recipe of WORKLOADS.md, shared by both engines: PyTorch-default initialisation, Adam lr 1e-3,
/// cross-entropy, seed 42, reshuffled every epoch, test accuracy on the full 10k test set after each epoch; seconds
/// count training only.
/// </summary>
/// <remarks>
/// Both engines draw each epoch's order from Sinapse's <see cref="Generator"/>(42) (one <c>Permutation(n)</c> per
/// epoch, exactly what Sinapse's shuffling DataLoader does), so they see the same batches in the same order and only
/// initial weights and dropout masks (each library's own RNG) differ.
/// </remarks>
/// <param name="Workload">The workload's name on the command line.</param>
/// <param name="Convolutional">False: the MLP 784-256-128-10 (ReLU) on flattened images. True: W3's CNN with
/// Dropout(0.25) before the last Linear, on 1×28×28 images.</param>
public sealed record Tta(string Workload, bool Convolutional, int BatchSize, int FullEpochs, double Target)
{
    /// <summary>WORKLOADS.md's "MLP" row: batch 128, 12 epochs, target 0.98.</summary>
    public static readonly Tta Mlp = new("TTA", false, 128, 12, 0.98);
    /// <summary>WORKLOADS.md's "CNN" row: batch 64, target 0.99 (TorchSharp's reference reaches it at epoch 4).</summary>
    public static readonly Tta Cnn = new("TTA-CNN", true, 64, 6, 0.99);

    public static Tta? Find(string workload) => workload == Mlp.Workload ? Mlp : workload == Cnn.Workload ? Cnn : null;

    public const int EvalBatch = 1000, Classes = 10;
    public const float LearningRate = 1e-3f, DropoutRate = 0.25f;
    public const ulong Seed = 42;

    public int Epochs(bool quick) => quick ? 1 : FullEpochs;

    /// <summary>Images as the model takes them: (N, 784) for the MLP, (N, 1, 28, 28) for the CNN.</summary>
    public long[] InputShape(long n) => Convolutional ? [n, 1, 28, 28] : [n, MnistData.Pixels];

    /// <summary>The two result lines of one epoch.</summary>
    public static IEnumerable<(string, double, string)> EpochLines(int epoch, double seconds, double accuracy)
    {
        yield return ($"epoch {epoch} acc", accuracy, "acc");
        yield return ($"epoch {epoch} seconds", seconds, "s");
    }

    /// <summary>"seconds to T" (cumulative training seconds at the first epoch reaching it, NaN if none) and "final acc".</summary>
    public IEnumerable<(string, double, string)> Summary(IReadOnlyList<(double Seconds, double Accuracy)> epochs)
    {
        double total = 0, reached = double.NaN;
        foreach (var (s, acc) in epochs)
        {
            total += s;
            if (acc >= Target && double.IsNaN(reached)) reached = total;
        }
        yield return ($"seconds to {Target:0.00}", reached, "s");
        yield return ("final acc", epochs.Count > 0 ? epochs[^1].Accuracy : double.NaN, "acc");
        yield return ("best acc", epochs.Count > 0 ? epochs.Max(e => e.Accuracy) : double.NaN, "acc");
    }
}
