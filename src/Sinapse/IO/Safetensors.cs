using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Sinapse.IO;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a UTF-8 JSON header mapping
/// each name to {dtype, shape, data_offsets}, then the raw little-endian data. Sinapse writes F32. Files are
/// written atomically (temporary file, then rename); reading validates every offset before allocating.
/// </summary>
public static class Safetensors
{
    /// <summary>Largest header accepted (the reference implementation uses 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes named tensors (and optional string metadata) to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IEnumerable<(string Name, Tensor Value)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var names = new HashSet<string>();
        foreach (var (n, _) in list) if (!names.Add(n)) throw new ArgumentException($"Safetensors.Save: tensor name '{n}' appears twice.");
        using var hs = new MemoryStream();
        using (var w = new Utf8JsonWriter(hs))
        {
            w.WriteStartObject();
            if (metadata != null && metadata.Count > 0)
            {
                w.WriteStartObject("__metadata__");
                foreach (var kv in metadata) w.WriteString(kv.Key, kv.Value);
                w.WriteEndObject();
            }
            long off = 0;
            foreach (var (n, t) in list)
            {
                w.WriteStartObject(n);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape"); foreach (var d in t.Shape) w.WriteNumberValue(d); w.WriteEndArray();
                w.WriteStartArray("data_offsets"); w.WriteNumberValue(off); w.WriteNumberValue(off + 4L * t.Numel); w.WriteEndArray();
                w.WriteEndObject();
                off += 4L * t.Numel;
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 so the data is aligned (allowed by the format).
        var header = hs.ToArray().ToList();
        while ((header.Count + 8) % 8 != 0) header.Add((byte)' ');

        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Count);
                fs.Write(len);
                fs.Write(header.ToArray());
                var buf = new byte[4 * 4096];
                foreach (var (_, t) in list)
                {
                    var vals = t.ToArray();
                    for (int i = 0; i < vals.Length; i += 4096)
                    {
                        int k = Math.Min(4096, vals.Length - i);
                        for (int j = 0; j < k; j++) BinaryPrimitives.WriteSingleLittleEndian(buf.AsSpan(4 * j), vals[i + j]);
                        fs.Write(buf, 0, 4 * k);
                    }
                }
                fs.Flush(true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Reads every tensor of a safetensors file; metadata goes to <paramref name="metadata"/> when given.</summary>
    public static Dictionary<string, Tensor> Load(string path, Dictionary<string, string>? metadata = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' not found.", path);
        using var fs = File.OpenRead(path);
        long fileLen = fs.Length;
        if (fileLen < 8) throw new InvalidDataException($"Safetensors file '{path}': {fileLen} bytes is too short; expected an 8-byte header length.");
        Span<byte> lenBytes = stackalloc byte[8];
        fs.ReadExactly(lenBytes);
        ulong hlen = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (hlen == 0 || hlen > (ulong)MaxHeaderBytes || (long)hlen > fileLen - 8)
            throw new InvalidDataException($"Safetensors file '{path}': header length {hlen} does not fit the {fileLen}-byte file (truncated or not a safetensors file).");
        var headerBytes = new byte[(int)hlen];
        fs.ReadExactly(headerBytes);
        long dataLen = fileLen - 8 - (long)hlen;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(headerBytes); }
        catch (JsonException e) { throw new InvalidDataException($"Safetensors file '{path}': header is not valid JSON ({e.Message}).", e); }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"Safetensors file '{path}': header is not a JSON object.");

        var entries = new List<(string Name, int[] Shape, long Begin, long End)>();
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            if (prop.Name == "__metadata__")
            {
                if (metadata != null && prop.Value.ValueKind == JsonValueKind.Object)
                    foreach (var m in prop.Value.EnumerateObject()) metadata[m.Name] = m.Value.ToString();
                continue;
            }
            entries.Add(ParseEntry(path, prop, dataLen));
        }
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, shape, begin, end) in entries.OrderBy(e => e.Begin))
        {
            var bytes = new byte[end - begin];
            fs.Position = 8 + (long)hlen + begin;
            fs.ReadExactly(bytes);
            var vals = new float[bytes.Length / 4];
            for (int i = 0; i < vals.Length; i++) vals[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
            result[name] = shape.Length == 0 ? Tensor.Scalar(vals[0]) : Tensor.FromArray(vals, shape);
        }
        return result;
    }

    static (string, int[], long, long) ParseEntry(string path, JsonProperty prop, long dataLen)
    {
        string where = $"Safetensors file '{path}', tensor '{prop.Name}'";
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object ||
            !v.TryGetProperty("dtype", out var dt) || !v.TryGetProperty("shape", out var sh) || !v.TryGetProperty("data_offsets", out var offs) ||
            sh.ValueKind != JsonValueKind.Array || offs.ValueKind != JsonValueKind.Array || offs.GetArrayLength() != 2)
            throw new InvalidDataException($"{where}: expected {{\"dtype\", \"shape\", \"data_offsets\": [begin, end]}}.");
        if (dt.GetString() != "F32") throw new InvalidDataException($"{where}: dtype {dt} is not supported; Sinapse reads F32.");
        var shape = new List<int>();
        long n = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (!d.TryGetInt32(out var di) || di < 0) throw new InvalidDataException($"{where}: shape entry {d} is not a non-negative integer.");
            shape.Add(di); n *= di;
            if (n > int.MaxValue) throw new InvalidDataException($"{where}: shape is too large.");
        }
        if (!offs[0].TryGetInt64(out var begin) || !offs[1].TryGetInt64(out var end) || begin < 0 || end < begin || end > dataLen)
            throw new InvalidDataException($"{where}: data_offsets [{offs[0]}, {offs[1]}] lie outside the {dataLen}-byte data section (truncated file?).");
        if (end - begin != 4 * n)
            throw new InvalidDataException($"{where}: {end - begin} bytes of data for shape {ShapeUtil.Str(shape.ToArray())}, expected {4 * n}.");
        return (prop.Name, shape.ToArray(), begin, end);
    }
}
