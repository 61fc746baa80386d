using System.Buffers.Binary;
using System.IO.Compression;

namespace Sinapse.Data;

/// <summary>
/// Reader for the IDX format of MNIST: magic (0, 0, type, rank), rank big-endian int32 dimensions, then the
/// data. Plain or gzip-compressed (detected by the 1f 8b signature). Only unsigned-byte data (type 0x08) is
/// supported, which covers MNIST and Fashion-MNIST.
/// </summary>
/// <remarks>
/// The header is read and checked first; the data is then read up to the size it declares and no further, so a
/// compressed file that holds more than its header says is refused without being decompressed whole. Every failure
/// is an <see cref="InvalidDataException"/> naming the file.
/// </remarks>
public static class Idx
{
    /// <summary>Reads the dimensions and raw bytes; errors name the file and what was expected.</summary>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' not found.", path);
        using var fs = File.OpenRead(path);
        var sig = new byte[2];
        int got = fs.ReadAtLeast(sig, 2, throwOnEndOfStream: false);
        fs.Position = 0;
        if (got == 2 && sig[0] == 0x1f && sig[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(fs, CompressionMode.Decompress);
                return Read(gz, path, null);
            }
            catch (InvalidDataException e) when (!e.Message.StartsWith($"IDX file '{path}'", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"IDX file '{path}': corrupt gzip stream ({e.Message}).", e);
            }
        }
        return Read(fs, path, fs.Length);
    }

    /// <summary>Parses IDX bytes; <paramref name="name"/> is used in error messages.</summary>
    public static (int[] Shape, byte[] Data) Parse(byte[] raw, string name)
    {
        using var ms = new MemoryStream(raw, writable: false);
        return Read(ms, name, raw.Length);
    }

    /// <summary>Reads from <paramref name="s"/>, whose total length is <paramref name="length"/> when known (uncompressed).</summary>
    static (int[] Shape, byte[] Data) Read(Stream s, string name, long? length)
    {
        Span<byte> magic = stackalloc byte[4];
        if (s.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || magic[0] != 0 || magic[1] != 0)
            throw Bad(name, "bad magic number; expected 00 00 08 <rank> at the start");
        if (magic[2] != 0x08)
            throw Bad(name, $"data type 0x{magic[2]:x2} is not supported; expected 0x08 (unsigned bytes)");
        int rank = magic[3];
        if (rank is < 1 or > 4) throw Bad(name, $"rank {rank}; expected 1 to 4 dimensions");
        Span<byte> dims = stackalloc byte[4 * rank];
        if (s.ReadAtLeast(dims, dims.Length, throwOnEndOfStream: false) < dims.Length)
            throw Bad(name, $"the file ends inside the {rank} dimensions of its header");
        var shape = new int[rank];
        long n = 1;
        for (int i = 0; i < rank; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(dims[(4 * i)..]);
            if (shape[i] < 0) throw Bad(name, $"negative dimension {shape[i]}");
            n *= shape[i]; // each factor < 2^31 and n ≤ Array.MaxLength before it: no overflow
            if (n > Array.MaxLength) throw Bad(name, $"dimensions {ShapeUtil.Str(shape[..(i + 1)])}… hold more than {Array.MaxLength} values");
        }
        int header = 4 + 4 * rank;
        if (length is long len && len - header != n)
            throw Bad(name, $"header promises {n} values of shape {ShapeUtil.Str(shape)} but the file holds {len - header} (truncated or corrupt)");

        // A compressed stream's size is unknown: grow towards the declared size as data actually arrives, so a small
        // file that declares much allocates only what it holds.
        var data = new byte[length.HasValue ? n : Math.Min(n, 1 << 20)];
        long filled = 0;
        while (filled < n)
        {
            if (filled == data.Length) Array.Resize(ref data, (int)Math.Min(n, 2L * data.Length));
            int r = s.Read(data, (int)filled, data.Length - (int)filled);
            if (r == 0) throw Bad(name, $"header promises {n} values of shape {ShapeUtil.Str(shape)} but the data ends after {filled} (truncated or corrupt)");
            filled += r;
        }
        if (s.ReadByte() >= 0)
            throw Bad(name, $"more data follows the {n} values of shape {ShapeUtil.Str(shape)} its header promises (corrupt)");
        return (shape, data);
    }

    static InvalidDataException Bad(string name, string what) => new($"IDX file '{name}': {what}.");
}
