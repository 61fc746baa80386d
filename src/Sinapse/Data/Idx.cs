using System.Buffers.Binary;
using System.IO.Compression;

namespace Sinapse.Data;

/// <summary>
/// Reader for the IDX format of MNIST: magic (0, 0, type, rank), rank big-endian int32 dimensions, then the
/// data. Plain or gzip-compressed (detected by the 1f 8b signature). Only unsigned-byte data (type 0x08) is
/// supported, which covers MNIST and Fashion-MNIST.
/// </summary>
public static class Idx
{
    /// <summary>Reads the dimensions and raw bytes; errors name the file and what was expected.</summary>
    public static (int[] Shape, byte[] Data) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' not found.", path);
        byte[] raw;
        try
        {
            using var fs = File.OpenRead(path);
            var sig = new byte[2];
            int got = fs.Read(sig, 0, 2);
            fs.Position = 0;
            if (got == 2 && sig[0] == 0x1f && sig[1] == 0x8b)
            {
                using var gz = new GZipStream(fs, CompressionMode.Decompress);
                using var ms = new MemoryStream();
                gz.CopyTo(ms);
                raw = ms.ToArray();
            }
            else
            {
                raw = File.ReadAllBytes(path);
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file '{path}': corrupt gzip stream ({e.Message}).", e);
        }
        return Parse(raw, path);
    }

    /// <summary>Parses IDX bytes; <paramref name="name"/> is used in error messages.</summary>
    public static (int[] Shape, byte[] Data) Parse(byte[] raw, string name)
    {
        if (raw.Length < 4 || raw[0] != 0 || raw[1] != 0)
            throw new InvalidDataException($"IDX file '{name}': bad magic number; expected 00 00 08 <rank> at the start.");
        if (raw[2] != 0x08)
            throw new InvalidDataException($"IDX file '{name}': data type 0x{raw[2]:x2} is not supported; expected 0x08 (unsigned bytes).");
        int rank = raw[3];
        if (rank is < 1 or > 4 || raw.Length < 4 + 4 * rank)
            throw new InvalidDataException($"IDX file '{name}': rank {rank} with a {raw.Length}-byte file; expected rank 1–4 and its dimensions.");
        var shape = new int[rank];
        long n = 1;
        for (int i = 0; i < rank; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4 + 4 * i));
            if (shape[i] < 0) throw new InvalidDataException($"IDX file '{name}': negative dimension {shape[i]}.");
            n *= shape[i];
        }
        int header = 4 + 4 * rank;
        if (raw.Length - header != n)
            throw new InvalidDataException($"IDX file '{name}': header promises {n} values of shape {ShapeUtil.Str(shape)} but the file holds {raw.Length - header} (truncated or corrupt).");
        return (shape, raw[header..]);
    }
}
