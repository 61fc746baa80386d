using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Sinapse.IO;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a UTF-8 JSON header mapping
/// each name to {dtype, shape, data_offsets}, then the raw little-endian data. Sinapse writes F32. Files are
/// written atomically (temporary file, then rename); reading checks the whole header before allocating.
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
        foreach (var (n, _) in list)
        {
            if (!names.Add(n)) throw new ArgumentException($"Safetensors.Save: tensor name '{n}' appears twice.");
            if (n == "__metadata__") throw new ArgumentException("Safetensors.Save: __metadata__ is reserved for the metadata and cannot name a tensor.");
        }
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

    /// <summary>
    /// Reads every tensor of a safetensors file as float32 (F64, F16, BF16 and the integer types are converted);
    /// metadata goes to <paramref name="metadata"/> when given. The whole header is checked against the file's length
    /// before anything is allocated (<see cref="SafetensorsHeader"/>); a malformed file raises
    /// <see cref="InvalidDataException"/> naming the file, the tensor and what was expected.
    /// </summary>
    public static Dictionary<string, Tensor> Load(string path, Dictionary<string, string>? metadata = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' not found.", path);
        using var fs = File.OpenRead(path);
        return Load(fs, path, metadata);
    }

    /// <summary>Reads safetensors from a seekable <paramref name="fs"/> (see <see cref="Load(string, Dictionary{string, string}?)"/>); <paramref name="name"/> is what errors call it.</summary>
    public static Dictionary<string, Tensor> Load(Stream fs, string name, Dictionary<string, string>? metadata = null)
    {
        var path = name;
        var header = SafetensorsHeader.Read(fs, path);
        if (metadata != null) foreach (var (k, v) in header.Metadata) metadata[k] = v;
        var result = new Dictionary<string, Tensor>();
        var chunk = new byte[64 * 1024];
        foreach (var e in header.Entries) // in file order: one forward pass over the data
        {
            int size = SafetensorsHeader.DTypeSizes[e.DType];
            var vals = new float[e.Numel];
            fs.Position = header.DataStart + e.Begin;
            for (int i = 0; i < vals.Length;)
            {
                int k = Math.Min(chunk.Length / size, vals.Length - i);
                fs.ReadExactly(chunk, 0, k * size);
                SafetensorsHeader.Convert(e.DType, chunk.AsSpan(0, k * size), vals.AsSpan(i, k));
                i += k;
            }
            result[e.Name] = e.Shape.Length == 0 ? Tensor.Scalar(vals[0]) : Tensor.FromArray(vals, e.Shape);
        }
        return result;
    }
}
