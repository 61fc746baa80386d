using System.IO.Compression;
using Sinapse.Data;

namespace Sinapse.Tests;

public class DataTests
{
    static string Temp(string name) { var d = Path.Combine(Path.GetTempPath(), "sinapse-tests", Guid.NewGuid().ToString("N")); Directory.CreateDirectory(d); return Path.Combine(d, name); }

    static TensorDataset Numbers(int n) => new(Tensor.Arange(n).Reshape(n, 1), Tensor.Arange(n));

    [Fact]
    public void DataLoader_BatchesShufflesAndDropsLast()
    {
        var ds = Numbers(10);
        var plain = new DataLoader(ds, 4).ToList();
        Assert.Equal(3, plain.Count);
        Assert.Equal([8f, 9f], plain[2].Target.ToArray());
        Assert.Equal([4, 1], plain[0].Input.Shape);
        Assert.Equal(2, new DataLoader(ds, 4, dropLast: true).Count());
        var s1 = new DataLoader(ds, 10, shuffle: true, seed: 3).First().Target.ToArray();
        var s2 = new DataLoader(ds, 10, shuffle: true, seed: 3).First().Target.ToArray();
        Assert.Equal(s1, s2);
        Assert.NotEqual(Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), s1);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), s1.OrderBy(v => v));
        var loader = new DataLoader(ds, 10, shuffle: true, seed: 3);
        Assert.NotEqual(loader.First().Target.ToArray(), loader.First().Target.ToArray()); // reshuffled each epoch
    }

    [Fact]
    public void Split_IsSeededAndDisjoint()
    {
        var (train, val) = Numbers(100).Split(0.2f, seed: 1);
        Assert.Equal(80, train.Count); Assert.Equal(20, val.Count);
        var a = new DataLoader(train, 100).First().Target.ToArray();
        var b = new DataLoader(val, 100).First().Target.ToArray();
        Assert.Empty(a.Intersect(b));
        Assert.Equal(b, new DataLoader(Numbers(100).Split(0.2f, seed: 1).Validation, 100).First().Target.ToArray());
    }

    [Fact]
    public void Normalize_StandardisesColumns()
    {
        var x = Tensor.FromArray(new float[,] { { 1, 10 }, { 3, 30 } });
        var (m, s) = Normalize.Fit(x);
        TestUtil.Close([-1f, -1, 1, 1], Normalize.Apply(x, m, s).ToArray(), 1e-5f);
        Assert.Equal([0f], Normalize.Apply(Tensor.FromArray([0.1307f]), Mnist.Mean, Mnist.Std).ToArray());
    }

    static byte[] IdxBytes(byte[] data, params int[] dims)
    {
        var ms = new MemoryStream();
        ms.Write([0, 0, 8, (byte)dims.Length]);
        foreach (var d in dims) { var b = BitConverter.GetBytes(d); Array.Reverse(b); ms.Write(b); }
        ms.Write(data);
        return ms.ToArray();
    }

    [Fact]
    public void Idx_ReadsPlainAndGzip()
    {
        var bytes = IdxBytes([1, 2, 3, 4, 5, 6], 3, 2);
        var p = Temp("a.idx"); File.WriteAllBytes(p, bytes);
        var (shape, data) = Idx.Read(p);
        Assert.Equal([3, 2], shape); Assert.Equal([1, 2, 3, 4, 5, 6], data);
        var gz = Temp("a.idx.gz");
        using (var f = File.Create(gz)) using (var z = new GZipStream(f, CompressionLevel.Optimal)) z.Write(bytes);
        Assert.Equal(data, Idx.Read(gz).Data);
    }

    [Fact]
    public void Idx_BadFiles_GiveErrorsNamingTheFile()
    {
        var missing = Temp("missing.idx");
        Assert.Contains("missing.idx", Assert.Throws<FileNotFoundException>(() => Idx.Read(missing)).Message);
        var trunc = Temp("trunc.idx"); File.WriteAllBytes(trunc, IdxBytes([1, 2, 3], 3, 2));
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(trunc));
        Assert.Contains("trunc.idx", e.Message); Assert.Contains("truncated", e.Message);
        var magic = Temp("magic.idx"); File.WriteAllBytes(magic, [1, 2, 3, 4, 5]);
        Assert.Contains("magic", Assert.Throws<InvalidDataException>(() => Idx.Read(magic)).Message);
        var badGz = Temp("bad.gz"); File.WriteAllBytes(badGz, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]);
        Assert.Contains("bad.gz", Assert.ThrowsAny<Exception>(() => Idx.Read(badGz)).Message);
    }

    [Fact]
    public void Csv_ReadsNumbers_AndReportsBadLines()
    {
        var p = Temp("d.csv");
        File.WriteAllText(p, "a,b,label\n1,2,0\n3,4.5,1\n");
        var ds = Csv.ReadDataset(p);
        Assert.Equal(2, ds.Count);
        Assert.Equal([1f, 2, 3, 4.5f], ds.Inputs.ToArray());
        Assert.Equal([0f, 1], ds.Targets.ToArray());
        File.WriteAllText(p, "a,b\n1,2\n3,x\n");
        var e = Assert.Throws<InvalidDataException>(() => Csv.Read(p));
        Assert.Contains("line 3", e.Message); Assert.Contains("'x'", e.Message);
        File.WriteAllText(p, "a,b\n1,2\n3\n");
        Assert.Contains("1 cells, expected 2", Assert.Throws<InvalidDataException>(() => Csv.Read(p)).Message);
    }

    static string MnistDir() => Mnist.FindDefaultDirectory() ?? throw new InvalidOperationException("data/mnist not found from the test directory");

    [Fact]
    public void Mnist_ShippedFilesLoadAndMatchTheManifest()
    {
        var test = Mnist.LoadTest(MnistDir());
        Assert.Equal(10000, test.Count);
        Assert.Equal([10000, 1, 28, 28], test.Inputs.Shape);
        var labels = test.Targets.ToArray();
        Assert.Equal(7f, labels[0]); Assert.Equal(2f, labels[1]); // the famous first test digits
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), labels.Distinct().OrderBy(v => v));
        // Pixels were scaled to [0,1] and normalised: the test set's mean is close to 0.
        Assert.InRange(test.Inputs.Mean().Item(), -0.05f, 0.05f);
    }

    [Fact]
    public void Mnist_CorruptOrMissingFile_IsNamed()
    {
        var dir = Path.GetDirectoryName(Temp("x"))!;
        foreach (var f in Directory.GetFiles(MnistDir())) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        var victim = Path.Combine(dir, "t10k-labels-idx1-ubyte.gz");
        var b = File.ReadAllBytes(victim); b[100] ^= 0xff; File.WriteAllBytes(victim, b);
        var e = Assert.Throws<InvalidDataException>(() => Mnist.LoadTest(dir));
        Assert.Contains("t10k-labels-idx1-ubyte.gz", e.Message); Assert.Contains("sha256", e.Message);
        File.Delete(victim);
        Assert.Contains("t10k-labels-idx1-ubyte.gz", Assert.Throws<FileNotFoundException>(() => Mnist.LoadTest(dir)).Message);
        // A folder of one's own needs no manifest: its files load as they are, gzipped or not.
        File.Delete(Path.Combine(dir, Mnist.ManifestName));
        Assert.Contains("has no t10k-labels-idx1-ubyte.gz", Assert.Throws<FileNotFoundException>(() => Mnist.LoadTest(dir)).Message);
        using (var src = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(MnistDir(), "t10k-labels-idx1-ubyte.gz")), System.IO.Compression.CompressionMode.Decompress))
        using (var dst = File.Create(Path.Combine(dir, "t10k-labels-idx1-ubyte")))
            src.CopyTo(dst);
        var test = Mnist.LoadTest(dir);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(Mnist.LoadTest(MnistDir()).Targets.ToArray(), test.Targets.ToArray());
    }
}
