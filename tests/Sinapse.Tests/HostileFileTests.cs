using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Sinapse.Cli;
using Sinapse.Data;
using Sinapse.IO;
using Sinapse.Layers;
using Sinapse.Tests.Support;

namespace Sinapse.Tests;

/// <summary>
/// Malformed files each reader once accepted, or rejected with an exception that named no file: every one now raises
/// <see cref="InvalidDataException"/> naming the file and what was expected, before allocating more than the file justifies.
/// </summary>
public class HostileFileTests
{
    static string Temp(string name) { var d = Path.Combine(Path.GetTempPath(), "sinapse-hostile", Guid.NewGuid().ToString("N")); Directory.CreateDirectory(d); return Path.Combine(d, name); }

    static string Safetensors(string header, int dataBytes, string name = "bad.safetensors") =>
        SafetensorsBytes(Encoding.UTF8.GetBytes(header), new byte[dataBytes], name);

    static string SafetensorsBytes(byte[] header, byte[] data, string name = "bad.safetensors")
    {
        var p = Temp(name);
        var b = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(b, header.Length);
        header.CopyTo(b, 8); data.CopyTo(b, 8 + header.Length);
        File.WriteAllBytes(p, b);
        return p;
    }

    static void Rejects(string path, Action read, params string[] mentions)
    {
        var e = Assert.Throws<InvalidDataException>(read);
        Assert.Contains(path, e.Message);
        foreach (var m in mentions) Assert.Contains(m, e.Message);
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", "'dtype' must be a string")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"3\",4],\"data_offsets\":[0,4]}}", "shape entry \"3\"")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[null,null]}}", "'data_offsets' must be [begin, end]")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "'w' appears twice")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "belong to no tensor")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "4 bytes follow the last tensor")]
    [InlineData("{\"__metadata__\":{\"n\":3},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "expected a string")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", "more than 2147483647 elements")]
    [InlineData("{\"a\\ud800\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "not valid text")]
    public void Safetensors_MalformedHeaders(string header, string mention)
    {
        var p = Safetensors(header, 8);
        Rejects(p, () => IO.Safetensors.Load(p), mention);
    }

    [Fact]
    public void Safetensors_InvalidUtf8_InMetadataOrName()
    {
        var good = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        foreach (var target in new[] { "pt", "\"w\"" })
        {
            var bytes = Encoding.UTF8.GetBytes(good);
            int at = good.IndexOf(target, StringComparison.Ordinal) + (target[0] == '"' ? 1 : 0);
            bytes[at] ^= 0x80; // one flipped bit
            var p = SafetensorsBytes(bytes, new byte[4]);
            Rejects(p, () => IO.Safetensors.Load(p), "not valid UTF-8", $"byte {8 + at}");
        }
    }

    [Fact]
    public void Safetensors_OtherDTypes_AreConverted()
    {
        var header = "{\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[8,10]},\"i\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[10,11]}}";
        var data = new byte[11];
        BinaryPrimitives.WriteDoubleLittleEndian(data, 0.25);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(8), (ushort)(BitConverter.SingleToInt32Bits(-3.5f) >> 16));
        data[10] = 0xfe;
        var t = IO.Safetensors.Load(SafetensorsBytes(Encoding.UTF8.GetBytes(header), data, "ok.safetensors"));
        Assert.Equal(0.25f, t["d"].ToArray()[0]); Assert.Equal(-3.5f, t["b"].ToArray()[0]); Assert.Equal(-2f, t["i"].ToArray()[0]);
    }

    [Collection(nameof(ProcessWideCollection))]
    public class Cli
    {
        [Fact]
        public void InvalidUtf8InWeights_IsOneErrorLineNamingTheFile_ExitCode2()
        {
            var dir = Path.GetDirectoryName(Temp("x"))!;
            var spec = ModelSpec.Mlp([1, 28, 28], [4], 10);
            spec.Save(Path.Combine(dir, "model.json"));
            var weights = Path.Combine(dir, "model.safetensors");
            spec.Build(new Generator(1)).Save(weights, new Dictionary<string, string> { ["note"] = "café" });
            var b = File.ReadAllBytes(weights);
            int at = b.AsSpan().IndexOf("caf"u8) + 2;
            b[at] ^= 0x80; // 'f' → 0xE6, a lead byte without its continuation bytes
            File.WriteAllBytes(weights, b);
            var (so, se) = (Console.Out, Console.Error);
            var err = new StringWriter();
            Console.SetOut(new StringWriter()); Console.SetError(err);
            int code;
            try { code = Program.Run(["eval", "--model", dir]); }
            finally { Console.SetOut(so); Console.SetError(se); }
            Assert.Equal(2, code);
            Assert.Single(err.ToString().Trim().Split('\n'));
            Assert.True(err.ToString().StartsWith($"error: Safetensors file '{weights}': header byte", StringComparison.Ordinal), err.ToString());
            Assert.Contains("not valid UTF-8", err.ToString());
        }
    }

    static string ModelJson(string layer) =>
        $"{{\"format\":\"sinapse.sequential/1\",\"input_shape\":[4],\"classes\":2,\"layers\":[{layer}]}}";

    [Theory]
    [InlineData("{\"type\":\"Linear\",\"in_features\":0,\"out_features\":2}", "'in_features' = 0 must be positive")]
    [InlineData("{\"type\":\"Linear\",\"in_features\":-1,\"out_features\":2}", "'in_features' = -1 must be positive")]
    [InlineData("{\"type\":\"Linear\",\"in_features\":0.5,\"out_features\":2}", "'in_features' = 0.5 is not a whole number")]
    [InlineData("{\"type\":\"Linear\",\"in_features\":2147483648,\"out_features\":2}", "'in_features' = 2147483648 is not a whole number in the 32-bit range")]
    [InlineData("{\"type\":\"Dropout\",\"p\":1}", "'p' = 1 must be in [0, 1)")]
    [InlineData("{\"type\":\"Dropout\",\"p\":1.5}", "'p' = 1.5 must be in [0, 1)")]
    [InlineData("{\"type\":\"Dropout\",\"p\":\"0.5\"}", "layers[0].p = \"0.5\": expected a finite number")]
    [InlineData("{\"type\":\"Softplus\",\"beta\":1e39}", "'beta' = 1E+39 is not a finite float")]
    [InlineData("{\"type\":\"Linear\",\"in_features\":4,\"in_features\":8,\"out_features\":2}", "'in_features' appears twice")]
    [InlineData("{\"type\":7}", "layers[0].type: expected a string")]
    public void ModelJson_BadArguments_NameTheFileAndTheField(string layer, string mention)
    {
        var p = Temp("model.json");
        File.WriteAllText(p, ModelJson(layer));
        Rejects(p, () => ModelSpec.Load(p), mention);
    }

    [Fact]
    public void ModelJson_AHugeLayer_IsRefusedBeforeItIsBuilt()
    {
        var dir = Path.GetDirectoryName(Temp("x"))!;
        var json = Path.Combine(dir, "model.json");
        var weights = Path.Combine(dir, "model.safetensors");
        new Sequential(new Linear(4, 2)).Save(weights.Replace("model.", "small."));
        File.Move(weights.Replace("model.", "small."), weights);
        File.WriteAllText(json, ModelJson("{\"type\":\"Linear\",\"in_features\":67108864,\"out_features\":4}"));
        Assert.True(new FileInfo(json).Length < 300);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Rejects(json, () => ModelSpec.LoadModel(json, weights), "268,435,460 values", "holds 10");
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(bytes < 1 << 20, $"{bytes:N0} bytes");
    }

    static byte[] IdxHeader(params int[] dims)
    {
        var b = new byte[4 + 4 * dims.Length];
        b[2] = 0x08; b[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        return b;
    }

    [Fact]
    public void Idx_DimensionsWhoseProductOverflows_AreRefused()
    {
        var p = Temp("overflow.idx");
        File.WriteAllBytes(p, IdxHeader(1 << 21, 1 << 21, 1 << 22));
        Rejects(p, () => Idx.Read(p), "hold more than");
    }

    [Fact]
    public void Idx_AGzipHoldingMoreThanItsHeaderSays_IsRefusedWithoutDecompressingIt()
    {
        var p = Temp("bomb.idx.gz");
        using (var fs = File.Create(p))
        using (var gz = new GZipStream(fs, CompressionLevel.Optimal))
        {
            gz.Write(IdxHeader(10, 10));
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 150; i++) gz.Write(zeros); // 150 MiB
        }
        Assert.True(new FileInfo(p).Length < 1 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Rejects(p, () => Idx.Read(p), "more data follows the 100 values");
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(bytes < 1 << 20, $"{bytes:N0} bytes");

        // and one declaring far more than it holds allocates only what arrives
        var q = Temp("short.idx.gz");
        using (var fs = File.Create(q))
        using (var gz = new GZipStream(fs, CompressionLevel.Fastest)) { gz.Write(IdxHeader(60000, 28, 28)); gz.Write(new byte[1000]); }
        before = GC.GetAllocatedBytesForCurrentThread();
        Rejects(q, () => Idx.Read(q), "the data ends after 1000");
        bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(bytes < 4 << 20, $"{bytes:N0} bytes");
    }

    [Theory]
    [InlineData("NaN", "'NaN' is not a finite float32")]
    [InlineData("Infinity", "'Infinity' is not a finite float32")]
    [InlineData("-Infinity", "'-Infinity' is not a finite float32")]
    [InlineData("1e39", "'1e39' is not a finite float32")]
    public void Csv_NonFiniteCells_AreRefused(string cell, string mention)
    {
        var p = Temp("data.csv");
        File.WriteAllText(p, $"x,y\n1,2\n3,{cell}\n");
        Rejects(p, () => Csv.Read(p), "line 3 column 2 ('y')", mention);
    }

    [Theory]
    [InlineData("1,2,3", "3 cells, expected 2 (as in the header)")]
    [InlineData("1", "1 cells, expected 2 (as in the header)")]
    public void Csv_RowsOfTheWrongLength_AreRefused(string row, string mention)
    {
        var p = Temp("data.csv");
        File.WriteAllText(p, $"x,y\n{row}\n1,2\n");
        Rejects(p, () => Csv.Read(p), "line 2", mention);
    }

    [Fact]
    public void Image_DeclaringTooManyPixels_IsRefusedBeforeDecoding()
    {
        // A valid 1×1 PNG whose header then claims 100,000 × 100,000 pixels (with its CRC fixed).
        using var bmp = new SkiaSharp.SKBitmap(1, 1);
        using var data = SkiaSharp.SKImage.FromBitmap(bmp).Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        var png = data.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        var p = Temp("huge.png");
        File.WriteAllBytes(p, png);
        Rejects(p, () => PredictCommand.LoadDigit(p), "100000×100000 pixels");
    }

    static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xffffffff;
        foreach (var b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xedb88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }
}
