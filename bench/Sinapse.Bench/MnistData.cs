using Sinapse.Data;

namespace Sinapse.Bench;

/// <summary>
/// TTA's data: MNIST read once per process with Sinapse's own loader (checksums verified; pixels scaled to [0,1]
/// and normalised with mean 0.1307, std 0.3081), exposed both as Sinapse datasets and as plain arrays, so that
/// TorchSharp trains on exactly the same floats.
/// </summary>
public sealed class MnistData
{
    public const int Pixels = 28 * 28, QuickTrainImages = 6_000;

    /// <summary>Training images (all 60,000, or the first 6,000 with --quick), flattened to (N, 784).</summary>
    public required TensorDataset Train { get; init; }
    /// <summary>The full 10,000-image test set, flattened to (10000, 784).</summary>
    public required TensorDataset Test { get; init; }

    public int TrainCount => Train.Count;
    public float[] TrainImages => Train.Inputs.ToArray();
    public float[] TestImages => Test.Inputs.ToArray();
    public long[] TrainLabels => Labels(Train);
    public long[] TestLabels => Labels(Test);

    static (string Dir, TensorDataset Train, TensorDataset Test)? cache;

    /// <summary>Loads from <paramref name="dir"/> or, if null, from data/mnist found the way the CLI finds it.</summary>
    public static MnistData Load(string? dir, bool quick)
    {
        dir ??= Mnist.FindDefaultDirectory()
            ?? throw new DirectoryNotFoundException("TTA: MNIST not found (no data/mnist/SHA256SUMS above the working or program directory); pass --data DIR.");
        if (cache is not { } c || c.Dir != dir)
        {
            var (train, test) = Mnist.Load(dir);
            cache = c = (dir, Flatten(train), Flatten(test));
        }
        var trainSet = quick
            ? new TensorDataset(c.Train.Inputs.Slice(0, 0, QuickTrainImages), c.Train.Targets.Slice(0, 0, QuickTrainImages))
            : c.Train;
        return new MnistData { Train = trainSet, Test = c.Test };
    }

    static TensorDataset Flatten(TensorDataset d) => new(d.Inputs.Reshape(d.Count, Pixels), d.Targets);

    static long[] Labels(TensorDataset d) => d.Targets.ToArray().Select(v => (long)v).ToArray();
}
