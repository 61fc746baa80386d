using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Sinapse.IO;
using Sinapse.Layers;

namespace Sinapse.Tests;

public class SafetensorsTests
{
    static string Temp(string name) { var d = Path.Combine(Path.GetTempPath(), "sinapse-tests", Guid.NewGuid().ToString("N")); Directory.CreateDirectory(d); return Path.Combine(d, name); }

    [Fact]
    public void RoundTrip_AndStandardLayout()
    {
        var p = Temp("m.safetensors");
        var a = Tensor.Randn([3, 4], new Generator(1));
        var b = Tensor.FromArray([1.5f, -2f]);
        Safetensors.Save(p, [("layer.weight", a), ("layer.bias", b)], new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = File.ReadAllBytes(p);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0ul, (8 + n) % 8);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        var w = doc.RootElement.GetProperty("layer.weight");
        Assert.Equal("F32", w.GetProperty("dtype").GetString());
        Assert.Equal([3, 4], w.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([0L, 48L], w.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal("pt", doc.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
        Assert.Equal(8 + (long)n + 56, bytes.Length);
        Assert.Equal(1.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n + 48))); // little-endian F32
        var meta = new Dictionary<string, string>();
        var back = Safetensors.Load(p, meta);
        Assert.Equal(a.ToArray(), back["layer.weight"].ToArray());
        Assert.Equal([3, 4], back["layer.weight"].Shape);
        Assert.Equal(b.ToArray(), back["layer.bias"].ToArray());
        Assert.Equal("pt", meta["format"]);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(p)!, "*.tmp")); // atomic write left no temp file
    }

    [Fact]
    public void Module_SaveLoad_AndShapeMismatch()
    {
        var p = Temp("mlp.safetensors");
        var m = new Sequential(new Linear(4, 3, gen: new Generator(1)), new ReLU(), new Linear(3, 2, gen: new Generator(2)));
        m.Save(p);
        var m2 = new Sequential(new Linear(4, 3, gen: new Generator(9)), new ReLU(), new Linear(3, 2, gen: new Generator(9)));
        m2.Load(p);
        Assert.Equal(m.Parameters().SelectMany(t => t.ToArray()), m2.Parameters().SelectMany(t => t.ToArray()));
        var wrong = new Sequential(new Linear(4, 5), new ReLU(), new Linear(5, 2));
        var e = Assert.Throws<InvalidDataException>(() => wrong.Load(p));
        Assert.Contains("0.weight", e.Message); Assert.Contains("(3, 4)", e.Message); Assert.Contains("(5, 4)", e.Message);
        var fewer = new Sequential(new Linear(4, 3));
        Assert.Contains("2.weight", Assert.Throws<InvalidDataException>(() => fewer.Load(p)).Message);
    }

    [Fact]
    public void BadFiles_AreRejectedClearly()
    {
        var p = Temp("ok.safetensors");
        Safetensors.Save(p, [("w", Tensor.Ones(100))]);
        var good = File.ReadAllBytes(p);

        var trunc = Temp("trunc.safetensors"); File.WriteAllBytes(trunc, good[..(good.Length - 10)]);
        var e = Assert.Throws<InvalidDataException>(() => Safetensors.Load(trunc));
        Assert.Contains("trunc.safetensors", e.Message);

        var tiny = Temp("tiny.safetensors"); File.WriteAllBytes(tiny, [1, 2, 3]);
        Assert.Contains("too short", Assert.Throws<InvalidDataException>(() => Safetensors.Load(tiny)).Message);

        var huge = Temp("huge.safetensors"); var h = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(h, ulong.MaxValue / 2); File.WriteAllBytes(huge, h);
        Assert.Contains("header length", Assert.Throws<InvalidDataException>(() => Safetensors.Load(huge)).Message);

        var json = Temp("json.safetensors"); var j = (byte[])good.Clone(); j[8] = (byte)'!'; File.WriteAllBytes(json, j);
        Assert.Contains("JSON", Assert.Throws<InvalidDataException>(() => Safetensors.Load(json)).Message);

        var dtype = Temp("dtype.safetensors"); var hdr = "{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        File.WriteAllBytes(dtype, BitConverter.GetBytes((ulong)hdr.Length).Concat(Encoding.UTF8.GetBytes(hdr)).Concat(new byte[8]).ToArray());
        Assert.Contains("C64", Assert.Throws<InvalidDataException>(() => Safetensors.Load(dtype)).Message);

        var offs = Temp("offs.safetensors"); hdr = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000],\"data_offsets\":[0,4000000000]}}";
        File.WriteAllBytes(offs, BitConverter.GetBytes((ulong)hdr.Length).Concat(Encoding.UTF8.GetBytes(hdr)).Concat(new byte[8]).ToArray());
        Assert.Contains("outside", Assert.Throws<InvalidDataException>(() => Safetensors.Load(offs)).Message);

        Assert.Throws<FileNotFoundException>(() => Safetensors.Load(Temp("none.safetensors")));
    }

    [Fact]
    public void ModelSpec_RoundTripsThroughJson()
    {
        var spec = ModelSpec.Parse("mlp:32,16", [1, 28, 28], 10, dropout: 0.1f);
        var back = ModelSpec.FromJson(spec.ToJson());
        Assert.Equal(spec.ToJson(), back.ToJson());
        var m = back.Build(new Generator(1));
        Assert.Equal([2, 10], m.Call(Tensor.Zeros(2, 1, 28, 28)).Shape);
        Assert.Throws<ArgumentException>(() => ModelSpec.Parse("resnet", [784], 10));
        Assert.Throws<InvalidDataException>(() => ModelSpec.FromJson("{\"input_shape\":[1],\"classes\":2,\"layers\":[{\"type\":\"Nope\"}]}"));
    }
}
