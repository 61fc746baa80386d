namespace Sinapse.Bench;

/// <summary>
/// TTA (time to accuracy) recipe shared by both engines, from WORKLOADS.md's "MLP" row: 784-256-128-10 ReLU with
/// PyTorch-default initialisation, Adam lr 1e-3, batch 128, cross-entropy, seed 42, reshuffled every epoch, test
/// accuracy on the full 10k test set after each epoch; seconds count training only.
/// </summary>
/// <remarks>
/// Both engines draw each epoch's order from Sinapse's <see cref="Generator"/>(42) (one <c>Permutation(n)</c> per
/// epoch, exactly what Sinapse's shuffling DataLoader does), so they see the same batches in the same order and only
/// initial weights (each library's own RNG) differ.
/// </remarks>
public static class Tta
{
    public const int BatchSize = 128, EvalBatch = 1000, Hidden1 = 256, Hidden2 = 128, Classes = 10;
    public const float LearningRate = 1e-3f;
    public const ulong Seed = 42;
    public const double Target = 0.98;

    public static int Epochs(bool quick) => quick ? 1 : 12;

    /// <summary>The two result lines of one epoch.</summary>
    public static IEnumerable<(string, double, string)> EpochLines(int epoch, double seconds, double accuracy)
    {
        yield return ($"epoch {epoch} acc", accuracy, "acc");
        yield return ($"epoch {epoch} seconds", seconds, "s");
    }

    /// <summary>"seconds to 0.98" (cumulative training seconds at the first epoch reaching it, NaN if none) and "final acc".</summary>
    public static IEnumerable<(string, double, string)> Summary(IReadOnlyList<(double Seconds, double Accuracy)> epochs)
    {
        double total = 0, reached = double.NaN;
        foreach (var (s, acc) in epochs)
        {
            total += s;
            if (acc >= Target && double.IsNaN(reached)) reached = total;
        }
        yield return ($"seconds to {Target:0.00}", reached, "s");
        yield return ("final acc", epochs.Count > 0 ? epochs[^1].Accuracy : double.NaN, "acc");
    }
}
