namespace Sinapse.Data;

/// <summary>
/// The MNIST handwritten digits (LeCun &amp; Cortes, CC BY-SA 3.0) as shipped in data/mnist: four gzipped IDX
/// files and a SHA256SUMS manifest that is checked before anything is read. Any folder with the four IDX files
/// (gzipped or not; Fashion-MNIST, a set of one's own) loads the same way; its files are checked against a manifest
/// only when it has one.
/// </summary>
/// <remarks>Shape: images (N, 1, 28, 28), pixels scaled to [0,1] then normalised with mean 0.1307 and std 0.3081; labels (N).</remarks>
public static class Mnist
{
    public const float Mean = 0.1307f, Std = 0.3081f;

    /// <summary>Fashion-MNIST's pixel mean and standard deviation (same IDX layout, ten kinds of clothing).</summary>
    public const float FashionMean = 0.2860f, FashionStd = 0.3530f;

    /// <summary>Where <c>sinapse data fetch fashion-mnist</c> puts Fashion-MNIST: <see cref="ShippedData.CacheDirectory"/>/fashion-mnist.</summary>
    public static string FashionDirectory() => Path.Combine(ShippedData.CacheDirectory(), "fashion-mnist");
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
        var files = Locate(dir);
        return (LoadPair(files[0], files[1], mean, std), LoadPair(files[2], files[3], mean, std));
    }

    /// <summary>Loads only the 10,000 test images (for evaluation).</summary>
    public static TensorDataset LoadTest(string dir, float mean = Mean, float std = Std)
    {
        var files = Locate(dir);
        return LoadPair(files[2], files[3], mean, std);
    }

    /// <summary>Checks every file against the manifest; throws naming the file and the expected hash.</summary>
    public static void Verify(string dir) => ShippedData.Verify(dir, Files, "MNIST", "scripts/make-mnist.sh");

    /// <summary>
    /// The four files' paths in <paramref name="dir"/>: checked against its manifest when it has one; without one,
    /// each file may also be uncompressed (the name without .gz).
    /// </summary>
    public static string[] Locate(string dir)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Data folder '{dir}' not found.");
        if (File.Exists(Path.Combine(dir, ManifestName)))
        {
            Verify(dir);
            return Files.Select(f => Path.Combine(dir, f)).ToArray();
        }
        return Files.Select(f =>
        {
            var gz = Path.Combine(dir, f);
            var plain = gz[..^3];
            return File.Exists(gz) ? gz : File.Exists(plain) ? plain
                : throw new FileNotFoundException($"'{dir}' has no {f} (nor {Path.GetFileName(plain)}); an IDX data folder holds {string.Join(", ", Files)}, gzipped or not.", gz);
        }).ToArray();
    }

    static TensorDataset LoadPair(string imagesFile, string labelsFile, float mean, float std)
    {
        var (ishape, ibytes) = Idx.Read(imagesFile);
        var (lshape, lbytes) = Idx.Read(labelsFile);
        if (ishape.Length != 3 || lshape.Length != 1 || ishape[0] != lshape[0])
            throw new InvalidDataException($"IDX files '{imagesFile}' {ShapeUtil.Str(ishape)} and '{labelsFile}' {ShapeUtil.Str(lshape)} do not match: expected (N, H, W) images and (N,) labels.");
        var x = new float[ibytes.Length];
        for (int i = 0; i < x.Length; i++) x[i] = (ibytes[i] / 255f - mean) / std;
        var y = new float[lbytes.Length];
        for (int i = 0; i < y.Length; i++) y[i] = lbytes[i];
        return new TensorDataset(Tensor.FromArray(x, ishape[0], 1, ishape[1], ishape[2]), Tensor.FromArray(y, y.Length));
    }

    /// <summary>Finds data/mnist by walking up from the current directory and from the program's directory; null if none.</summary>
    public static string? FindDefaultDirectory() => ShippedData.Find("mnist");
}
