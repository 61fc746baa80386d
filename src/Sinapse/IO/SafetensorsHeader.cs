using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;

namespace Sinapse.IO;

/// <summary>One tensor listed in a safetensors header: its name, element type, shape and byte range in the data section.</summary>
public sealed record SafetensorsEntry(string Name, string DType, int[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (the product of the shape; 1 for a scalar).</summary>
    public long Numel => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>
/// The header of a safetensors file, read and checked before any tensor is allocated: every field has the JSON kind
/// the format gives it, names are unique, every shape's size matches its byte range, and the ranges tile the data
/// section exactly (no overlap, no gap, no trailing bytes), as the reference implementation requires.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>Element types read (each converted to float32) and their sizes in bytes.</summary>
    public static readonly IReadOnlyDictionary<string, int> DTypeSizes = new Dictionary<string, int>
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2,
        ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    public IReadOnlyList<SafetensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Offset of the data section from the start of the file.</summary>
    public long DataStart { get; }

    SafetensorsHeader(List<SafetensorsEntry> entries, Dictionary<string, string> metadata, long dataStart)
    {
        Entries = entries; Metadata = metadata; DataStart = dataStart;
    }

    /// <summary>Reads and checks the header of <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file and the field.</summary>
    public static SafetensorsHeader Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Safetensors file '{path}' not found.", path);
        using var fs = File.OpenRead(path);
        return Read(fs, path);
    }

    internal static SafetensorsHeader Read(Stream fs, string path)
    {
        long fileLen = fs.Length;
        if (fileLen < 8) throw Bad(path, $"{fileLen} bytes is too short; expected an 8-byte header length");
        Span<byte> lenBytes = stackalloc byte[8];
        fs.ReadExactly(lenBytes);
        ulong hlen = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (hlen == 0 || hlen > (ulong)Safetensors.MaxHeaderBytes || (long)hlen > fileLen - 8)
            throw Bad(path, $"header length {hlen} does not fit the {fileLen}-byte file (truncated or not a safetensors file)");
        var header = new byte[(int)hlen];
        fs.ReadExactly(header);
        long dataLen = fileLen - 8 - (long)hlen;

        // Invalid UTF-8 would surface later as a transcoding error from the JSON reader, far from the file.
        var chars = new char[header.Length];
        if (Utf8.ToUtf16(header, chars, out int bytesRead, out int _, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
            throw Bad(path, $"header byte {8 + bytesRead} is not valid UTF-8");

        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { throw Bad(path, $"header is not valid JSON ({e.Message})", e); }
        using var owned = doc;
        try { return Parse(doc.RootElement, path, dataLen, 8 + (long)hlen); }
        catch (InvalidOperationException e) { throw Bad(path, $"header holds a string that is not valid text ({e.Message})", e); }
    }

    static SafetensorsHeader Parse(JsonElement root, string path, long dataLen, long dataStart)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Bad(path, $"header is a JSON {Kind(root)}, expected an object");
        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>();
        var names = new HashSet<string>();
        foreach (var prop in root.EnumerateObject())
        {
            if (!names.Add(prop.Name)) throw Bad(path, $"'{prop.Name}' appears twice in the header");
            if (prop.Name == "__metadata__")
            {
                if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad(path, $"__metadata__ is a JSON {Kind(prop.Value)}, expected an object of strings");
                foreach (var m in prop.Value.EnumerateObject())
                {
                    if (m.Value.ValueKind != JsonValueKind.String) throw Bad(path, $"__metadata__ '{m.Name}' is a JSON {Kind(m.Value)}, expected a string");
                    if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw Bad(path, $"__metadata__ '{m.Name}' appears twice");
                }
                continue;
            }
            entries.Add(ParseEntry(path, prop, dataLen));
        }

        // The tensors' byte ranges must cover the data section exactly, in order of their offsets.
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long at = 0;
        SafetensorsEntry? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin < at)
                throw Bad(path, $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}) and '{e.Name}' [{e.Begin}, {e.End}) overlap");
            if (e.Begin > at) throw Bad(path, $"data bytes [{at}, {e.Begin}) belong to no tensor");
            at = e.End;
            previous = e;
        }
        if (at != dataLen)
            throw Bad(path, $"{dataLen - at} bytes follow the last tensor's data; the data section must end where the last tensor ends");
        return new SafetensorsHeader(entries, metadata, dataStart);
    }

    static SafetensorsEntry ParseEntry(string path, JsonProperty prop, long dataLen)
    {
        string where = $"Safetensors file '{path}', tensor '{prop.Name}'";
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{where}: a JSON {Kind(v)}, expected {{\"dtype\", \"shape\", \"data_offsets\"}}.");
        if (!v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{where}: 'dtype' must be a string such as \"F32\".");
        string dtype = dt.GetString()!;
        if (!DTypeSizes.TryGetValue(dtype, out int size))
            throw new InvalidDataException($"{where}: dtype '{dtype}' is not supported; Sinapse reads {string.Join(", ", DTypeSizes.Keys)}.");
        if (!v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{where}: 'shape' must be an array of non-negative integers.");
        var shape = new List<int>();
        long n = 1;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out var di) || di < 0)
                throw new InvalidDataException($"{where}: shape entry {d.GetRawText()} is not a non-negative integer.");
            shape.Add(di);
            n *= di; // each factor < 2^31 and n ≤ int.MaxValue before it: no overflow
            if (n > int.MaxValue) throw new InvalidDataException($"{where}: shape [{string.Join(", ", shape)}…] holds more than {int.MaxValue} elements.");
        }
        if (!v.TryGetProperty("data_offsets", out var offs) || offs.ValueKind != JsonValueKind.Array || offs.GetArrayLength() != 2 ||
            offs[0].ValueKind != JsonValueKind.Number || offs[1].ValueKind != JsonValueKind.Number ||
            !offs[0].TryGetInt64(out var begin) || !offs[1].TryGetInt64(out var end))
            throw new InvalidDataException($"{where}: 'data_offsets' must be [begin, end], two integers.");
        if (begin < 0 || end < begin || end > dataLen)
            throw new InvalidDataException($"{where}: data_offsets [{begin}, {end}] lie outside the {dataLen}-byte data section (truncated file?).");
        if (end - begin != size * n)
            throw new InvalidDataException($"{where}: {end - begin} bytes of data for {dtype} shape {ShapeUtil.Str(shape.ToArray())}, expected {size * n}.");
        return new SafetensorsEntry(prop.Name, dtype, shape.ToArray(), begin, end);
    }

    static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "object", JsonValueKind.Array => "array", JsonValueKind.String => "string",
        JsonValueKind.Number => "number", JsonValueKind.True or JsonValueKind.False => "boolean", _ => "null",
    };

    static InvalidDataException Bad(string path, string what, Exception? inner = null) =>
        new($"Safetensors file '{path}': {what}.", inner);

    /// <summary>Converts <paramref name="src"/>, little-endian values of <paramref name="dtype"/>, to float32.</summary>
    internal static void Convert(string dtype, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (dtype)
        {
            case "F32": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]); break;
            case "F64": for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]); break;
            case "F16": for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]); break;
            // bfloat16 is the upper half of a float32
            case "BF16": for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) << 16); break;
            case "I64": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]); break;
            case "I32": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]); break;
            case "I16": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]); break;
            case "I8": for (int i = 0; i < dst.Length; i++) dst[i] = (sbyte)src[i]; break;
            case "U8": for (int i = 0; i < dst.Length; i++) dst[i] = src[i]; break;
            case "BOOL": for (int i = 0; i < dst.Length; i++) dst[i] = src[i] != 0 ? 1f : 0f; break;
            default: throw new ArgumentException($"dtype {dtype}");
        }
    }
}
