namespace Sinapse.Data;

/// <summary>
/// The MNIST handwritten digits (LeCun &amp; Cortes, CC BY-SA 3.0) as shipped in data/mnist: four gzipped IDX
/// files and a SHA256SUMS manifest that is checked before anything is read.
/// </summary>
/// <remarks>Shape: images (N, 1, 28, 28), pixels scaled to [0,1] then normalised with mean 0.1307 and std 0.3081; labels (N).</remarks>
public static class Mnist
{
    public const float Mean = 0.1307f, Std = 0.3081f;

    /// <summary>Fashion-MNIST's pixel mean and standard deviation (same IDX layout, ten kinds of clothing).</summary>
    public const float FashionMean = 0.2860f, FashionStd = 0.3530f;

    /// <summary>Where scripts/fetch-fashion-mnist.sh puts Fashion-MNIST: $SINAPSE_DATA/fashion-mnist, else ~/.cache/sinapse/fashion-mnist.</summary>
    public static string FashionDirectory() =>
        Path.Combine(Environment.GetEnvironmentVariable("SINAPSE_DATA") is { Length: > 0 } d ? d
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "sinapse"), "fashion-mnist");
    public const string ManifestName = ShippedData.ManifestName;

    static readonly string[] Files =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    /// <summary>
    /// Loads the training (60,000) and test (10,000) sets from <paramref name="dir"/>, normalised with
    /// <paramref name="mean"/> and <paramref name="std"/> (MNIST's by default; <see cref="FashionMean"/> and
    /// <see cref="FashionStd"/> for Fashion-MNIST).
    /// </summary>
    public static (TensorDataset Train, TensorDataset Test) Load(string dir, float mean = Mean, float std = Std)
    {
        Verify(dir);
        return (LoadPair(dir, Files[0], Files[1], mean, std), LoadPair(dir, Files[2], Files[3], mean, std));
    }

    /// <summary>Loads only the 10,000 test images (for evaluation).</summary>
    public static TensorDataset LoadTest(string dir, float mean = Mean, float std = Std)
    {
        Verify(dir);
        return LoadPair(dir, Files[2], Files[3], mean, std);
    }

    /// <summary>Checks every file against the manifest; throws naming the file and the expected hash.</summary>
    public static void Verify(string dir) => ShippedData.Verify(dir, Files, "MNIST", "scripts/make-mnist.sh");

    static TensorDataset LoadPair(string dir, string imagesFile, string labelsFile, float mean, float std)
    {
        var (ishape, ibytes) = Idx.Read(Path.Combine(dir, imagesFile));
        var (lshape, lbytes) = Idx.Read(Path.Combine(dir, labelsFile));
        if (ishape.Length != 3 || lshape.Length != 1 || ishape[0] != lshape[0])
            throw new InvalidDataException($"MNIST files '{imagesFile}' {ShapeUtil.Str(ishape)} and '{labelsFile}' {ShapeUtil.Str(lshape)} do not match: expected (N, 28, 28) and (N,).");
        var x = new float[ibytes.Length];
        for (int i = 0; i < x.Length; i++) x[i] = (ibytes[i] / 255f - mean) / std;
        var y = new float[lbytes.Length];
        for (int i = 0; i < y.Length; i++) y[i] = lbytes[i];
        return new TensorDataset(Tensor.FromArray(x, ishape[0], 1, ishape[1], ishape[2]), Tensor.FromArray(y, y.Length));
    }

    /// <summary>Finds data/mnist by walking up from the current directory and from the program's directory; null if none.</summary>
    public static string? FindDefaultDirectory() => ShippedData.Find("mnist");
}
