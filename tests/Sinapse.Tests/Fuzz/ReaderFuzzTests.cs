using Xunit.Abstractions;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Sinapse.Cli;
using Sinapse.Data;
using Sinapse.IO;
using SkiaSharp;

namespace Sinapse.Tests.Fuzz;

/// <summary>
/// Every reader, fed a few thousand mutations of valid files: each input loads what it holds or raises
/// <see cref="InvalidDataException"/> naming the file, within the time and allocation limits of <see cref="FuzzHarness"/>.
/// </summary>
public class ReaderFuzzTests(ITestOutputHelper output)
{
    const int Cases = 2000;

    void Check(FuzzHarness.Report r)
    {
        output.WriteLine($"{r.Cases} cases: {r.Loaded} loaded, {r.Rejected} rejected, {r.Breaches.Count} breaches");
        FuzzHarness.AssertClean(r);
    }

    static string TempDir() { var d = Path.Combine(Path.GetTempPath(), "sinapse-fuzz-seeds", Guid.NewGuid().ToString("N")); Directory.CreateDirectory(d); return d; }

    static byte[] SafetensorsSeed(IEnumerable<(string, Tensor)> tensors, Dictionary<string, string>? meta = null)
    {
        var p = Path.Combine(TempDir(), "seed.safetensors");
        Safetensors.Save(p, tensors, meta);
        return File.ReadAllBytes(p);
    }

    /// <summary>A file from a JSON header and a data section (the header length prefix computed, or kept wrong on purpose).</summary>
    static byte[] SafetensorsFile(byte[] header, byte[] data, long? claimedLength = null)
    {
        var b = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(b, claimedLength ?? header.Length);
        header.CopyTo(b, 8); data.CopyTo(b, 8 + header.Length);
        return b;
    }

    static (byte[] Header, byte[] Data) Split(byte[] file)
    {
        int h = (int)BinaryPrimitives.ReadInt64LittleEndian(file);
        return (file[8..(8 + h)], file[(8 + h)..]);
    }

    [Fact]
    public void Safetensors_MutatedFiles()
    {
        var g = new Generator(1);
        var f32 = SafetensorsSeed([("0.weight", Tensor.Randn([3, 4], g)), ("0.bias", Tensor.Randn([3], g)), ("2.weight", Tensor.Randn([2, 3], g))],
            new Dictionary<string, string> { ["format"] = "pt", ["note"] = "café" });
        // Other dtypes: F16 (1, 2), I64 (7), BOOL (1, 0, 1)
        var mixedHeader = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[4,12]},\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[12,15]}}";
        var mixedData = new byte[15];
        BinaryPrimitives.WriteHalfLittleEndian(mixedData, (Half)1); BinaryPrimitives.WriteHalfLittleEndian(mixedData.AsSpan(2), (Half)2);
        BinaryPrimitives.WriteInt64LittleEndian(mixedData.AsSpan(4), 7); mixedData[12] = 1; mixedData[14] = 1;
        var mixed = SafetensorsFile(Encoding.UTF8.GetBytes(mixedHeader), mixedData);
        Assert.Equal([1f, 2f, 7f, 1f, 0f, 1f], LoadAll(mixed));

        var seeds = new[] { f32, mixed };
        var mut = new Mutator(11);
        var report = FuzzHarness.Run("safetensors", Cases, i =>
        {
            var seed = seeds[i % 2];
            if (mut.Next(2) == 0) return mut.Bytes(seed);
            var (h, d) = Split(seed);
            var json = mut.Json(Encoding.UTF8.GetString(h));
            return SafetensorsFile(json, d, mut.Next(4) == 0 ? h.Length : null);
        }, p => Safetensors.Load(p), CheckSafetensors, "model.safetensors");
        Check(report);
    }

    static float[] LoadAll(byte[] file)
    {
        var p = Path.Combine(TempDir(), "x.safetensors");
        File.WriteAllBytes(p, file);
        var h = SafetensorsHeader.Read(p);
        var all = Safetensors.Load(p);
        return h.Entries.SelectMany(e => all[e.Name].ToArray()).ToArray();
    }

    /// <summary>Independently of the reader: every F32 tensor holds the bytes its offsets point at, and the tensors cover the data section.</summary>
    static string? CheckSafetensors(byte[] file, object? result)
    {
        var tensors = (Dictionary<string, Tensor>)result!;
        var (h, d) = Split(file);
        using var doc = JsonDocument.Parse(h);
        long covered = 0;
        foreach (var (name, t) in tensors)
        {
            var e = doc.RootElement.GetProperty(name);
            long begin = e.GetProperty("data_offsets")[0].GetInt64(), end = e.GetProperty("data_offsets")[1].GetInt64();
            covered += end - begin;
            if (e.GetProperty("dtype").GetString() != "F32") continue;
            var want = new float[(end - begin) / 4];
            for (int i = 0; i < want.Length; i++) want[i] = BinaryPrimitives.ReadSingleLittleEndian(d.AsSpan((int)begin + 4 * i));
            if (!want.Select(BitConverter.SingleToInt32Bits).SequenceEqual(t.ToArray().Select(BitConverter.SingleToInt32Bits)))
                return $"tensor '{name}' differs from its bytes";
        }
        return covered == d.Length ? null : $"tensors cover {covered} of {d.Length} data bytes";
    }

    static string RichModelJson() => new ModelSpec([1, 8, 8],
    [
        new("Flatten"), new("Linear", new Dictionary<string, double> { ["in_features"] = 64, ["out_features"] = 8 }),
        new("Softplus", new Dictionary<string, double> { ["beta"] = 2, ["threshold"] = 10 }),
        new("Dropout", new Dictionary<string, double> { ["p"] = 0.25 }),
        new("Linear", new Dictionary<string, double> { ["in_features"] = 8, ["out_features"] = 8, ["bias"] = 0 }),
        new("Hardtanh", new Dictionary<string, double> { ["min_val"] = -2, ["max_val"] = 2 }),
        new("PReLU", new Dictionary<string, double> { ["num_parameters"] = 8 }),
        new("LeakyReLU", new Dictionary<string, double> { ["negative_slope"] = 0.1 }),
        new("Linear", new Dictionary<string, double> { ["in_features"] = 8, ["out_features"] = 3 }),
        new("LogSoftmax", new Dictionary<string, double> { ["dim"] = 1 }),
    ], 3).ToJson();

    [Fact]
    public void ModelJson_MutatedDescriptions()
    {
        var seeds = new[] { ModelSpec.Mlp([1, 8, 8], [16], 3).ToJson(), RichModelJson() };
        var mut = new Mutator(12);
        var report = FuzzHarness.Run("model.json", Cases, i =>
            mut.Next(5) < 3 ? mut.Json(seeds[i % 2]) : mut.Bytes(Encoding.UTF8.GetBytes(seeds[i % 2])),
            p => ModelSpec.Load(p),
            (_, r) =>
            {
                var spec = (ModelSpec)r!;
                return ModelSpec.FromJson(spec.ToJson()).ToJson() == spec.ToJson() ? null : "it does not survive a round trip";
            });
        Check(report);
    }

    [Fact]
    public void RunFolder_MutatedModelJsonAgainstItsWeights()
    {
        var dir = TempDir();
        var seed = RichModelJson();
        var model = ModelSpec.FromJson(seed).Build(new Generator(3));
        var weights = Path.Combine(dir, "model.safetensors");
        model.Save(weights);
        var mut = new Mutator(13);
        var report = FuzzHarness.Run("model.json", Cases, _ => mut.Next(5) < 4 ? mut.Json(seed) : mut.Bytes(Encoding.UTF8.GetBytes(seed)),
            p => ModelSpec.LoadModel(p, weights).Model);
        Check(report);
    }

    static byte[] IdxBytes(byte[] data, params int[] dims)
    {
        var b = new byte[4 + 4 * dims.Length + data.Length];
        b[2] = 0x08; b[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(b, 4 + 4 * dims.Length);
        return b;
    }

    static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal)) gz.Write(raw);
        return ms.ToArray();
    }

    [Fact]
    public void Idx_MutatedPlainAndGzipFiles()
    {
        var rng = new Random(5);
        var images = new byte[5 * 6 * 6]; rng.NextBytes(images);
        var seeds = new[] { IdxBytes(images, 5, 6, 6), IdxBytes([3, 1, 4, 1, 5], 5) };
        var mut = new Mutator(14);
        var report = FuzzHarness.Run("idx", Cases, i =>
        {
            var seed = seeds[i % 2];
            return mut.Next(3) switch
            {
                0 => mut.Bytes(seed),
                1 => mut.Bytes(Gzip(seed)),  // the compressed stream damaged
                _ => Gzip(mut.Bytes(seed)),  // a damaged header inside a sound stream
            };
        }, p => Idx.Read(p), (bytes, r) =>
        {
            var (shape, data) = ((int[], byte[]))r!;
            long n = shape.Aggregate(1L, (a, d) => a * d);
            if (n != data.Length) return $"shape {string.Join("×", shape)} with {data.Length} values";
            bool gz = bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
            return gz || bytes.AsSpan(4 + 4 * shape.Length).SequenceEqual(data) ? null : "the values differ from the file's bytes";
        });
        Check(report);
    }

    static readonly string[] CsvCells = ["NaN", "Infinity", "-Infinity", "1e39", "", "abc", "\"1\"", "1,2", "1\n2", "-0", "1e-50", "\"", "0x10", "1_000", "∞"];

    [Fact]
    public void Csv_MutatedTables()
    {
        var rng = new Random(6);
        var sb = new StringBuilder("a,b,\"c\",label\n");
        for (int r = 0; r < 20; r++)
            sb.Append($"{rng.NextDouble():F3},{-rng.Next(100)},\"{rng.NextDouble() * 1e5:E2}\",{rng.Next(3)}\n").Append(r == 7 ? "\n" : "");
        var seed = sb.ToString();
        var mut = new Mutator(15);
        var report = FuzzHarness.Run("data.csv", Cases, _ =>
        {
            if (mut.Next(2) == 0) return mut.Bytes(Encoding.UTF8.GetBytes(seed));
            var cells = seed.Split(',');
            int k = 1 + mut.Next(cells.Length - 1);
            cells[k] = CsvCells[mut.Next(CsvCells.Length)] + (cells[k].EndsWith('\n') ? "\n" : "");
            return Encoding.UTF8.GetBytes(string.Join(",", cells));
        }, p => Csv.Read(p), (_, r) =>
        {
            var (values, header) = ((Tensor, string[]))r!;
            if (values.ToArray().Any(v => !float.IsFinite(v))) return "a value is not finite";
            return values.Shape[1] == header.Length ? null : $"{values.Shape[1]} columns under a header of {header.Length}";
        });
        Check(report);
    }

    static byte[] Encode(SKEncodedImageFormat format)
    {
        using var bmp = new SKBitmap(10, 10);
        for (int y = 0; y < 10; y++) for (int x = 0; x < 10; x++) bmp.SetPixel(x, y, new SKColor((byte)(25 * x), (byte)(25 * y), 128));
        using var img = SKImage.FromBitmap(bmp);
        using var data = img.Encode(format, 90);
        return data.ToArray();
    }

    [Fact]
    public void Images_MutatedPngAndJpeg()
    {
        var seeds = new[] { Encode(SKEncodedImageFormat.Png), Encode(SKEncodedImageFormat.Jpeg) };
        var mut = new Mutator(16);
        var report = FuzzHarness.Run("digit.png", Cases, i => mut.Bytes(seeds[i % 2]), p => PredictCommand.LoadDigit(p), (_, r) =>
        {
            var t = (Tensor)r!;
            return t.Shape.SequenceEqual([1, 1, 28, 28]) && t.ToArray().All(float.IsFinite) ? null : "not a finite 1×1×28×28 tensor";
        });
        Check(report);
    }

    [Fact]
    public void MnistManifest_MutatedChecksums()
    {
        // Four small stand-in files and their manifest; the mutations hit the manifest (names, hashes, layout).
        var dir = TempDir();
        string[] names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];
        var lines = new StringBuilder();
        for (int i = 0; i < 4; i++)
        {
            var bytes = Gzip(IdxBytes([(byte)i, 1, 2], 3));
            File.WriteAllBytes(Path.Combine(dir, names[i]), bytes);
            lines.Append(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))).Append("  ").Append(names[i]).Append('\n');
        }
        var seed = Encoding.UTF8.GetBytes(lines.ToString());
        var mut = new Mutator(17);
        var report = FuzzHarness.Run("SHA256SUMS", Cases, _ => mut.Bytes(seed), p =>
        {
            var at = Path.GetDirectoryName(p)!; // the harness's folder holds the manifest; the data files join it
            foreach (var n in names)
                if (!File.Exists(Path.Combine(at, n))) File.Copy(Path.Combine(dir, n), Path.Combine(at, n));
            Mnist.Verify(at);
            return true;
        }, fileName: Mnist.ManifestName);
        Check(report);
    }
}
