using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace Sinapse.Tests.Fuzz;

/// <summary>
/// A seeded mutator of valid files, in the manner of AFL's havoc stage: bit flips, interesting bytes and integers,
/// truncation, inserted, deleted and repeated ranges; and for JSON text, values replaced by ones of another kind or
/// out of range, keys repeated, and invalid UTF-8 put inside strings. The same seed gives the same cases.
/// </summary>
internal sealed partial class Mutator(int seed)
{
    readonly Random rng = new(seed);

    static readonly byte[] InterestingBytes = [0, 1, 0x7f, 0x80, 0xff, 0x20, (byte)'"', (byte)'{', (byte)'-', (byte)'9', 0xc3, 0xed];
    static readonly long[] InterestingInts = [0, 1, -1, 255, 256, 65535, 1 << 21, int.MaxValue, int.MinValue, 1L << 31, 1L << 32, long.MaxValue, long.MinValue, 67_108_864];

    /// <summary>JSON values of every kind, and numbers that are negative, fractional, huge or beyond double.</summary>
    static readonly string[] InterestingJson =
    [
        "32", "\"3\"", "null", "[null, null]", "true", "{}", "[]", "-1", "0", "0.5", "2147483648", "67108864", "1e39",
        "1e400", "-0", "\"F64\"", "\"F32\"", "\"BF16\"", "\"\\ud800\"", "[3, 4]", "[0, 0]", "[\"3\", 4]", "1.5", "\"\"",
        "\"Linear\"", "\"Dropout\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ];

    /// <summary>One to three byte-level mutations of <paramref name="input"/>.</summary>
    public byte[] Bytes(byte[] input)
    {
        var b = new List<byte>(input);
        int rounds = 1 + rng.Next(3);
        for (int r = 0; r < rounds; r++) MutateOnce(b);
        return b.ToArray();
    }

    void MutateOnce(List<byte> b)
    {
        if (b.Count == 0) { b.Add((byte)rng.Next(256)); return; }
        int at = rng.Next(b.Count);
        switch (rng.Next(9))
        {
            case 0: b[at] ^= (byte)(1 << rng.Next(8)); break;
            case 1: b[at] = InterestingBytes[rng.Next(InterestingBytes.Length)]; break;
            case 2: // an interesting integer, 2, 4 or 8 bytes, either byte order
            {
                int width = 2 << rng.Next(3);
                var v = new byte[8];
                long x = InterestingInts[rng.Next(InterestingInts.Length)];
                if (rng.Next(2) == 0) BinaryPrimitives.WriteInt64LittleEndian(v, x); else BinaryPrimitives.WriteInt64BigEndian(v, x << (64 - 8 * width));
                for (int i = 0; i < width && at + i < b.Count; i++) b[at + i] = v[i];
                break;
            }
            case 3: b.RemoveRange(at, b.Count - at); break; // truncate
            case 4: b.RemoveRange(at, Math.Min(b.Count - at, 1 + rng.Next(16))); break;
            case 5: for (int i = 0, n = 1 + rng.Next(16); i < n; i++) b.Insert(at, (byte)rng.Next(256)); break;
            case 6: // repeat a range
            {
                int len = Math.Min(b.Count - at, 1 + rng.Next(64));
                b.InsertRange(rng.Next(b.Count + 1), b.GetRange(at, len));
                break;
            }
            case 7: b[at] = (byte)rng.Next(256); break;
            default: // an ASCII digit becomes another digit or a sign, point or exponent
                for (int i = 0; i < b.Count; i++)
                {
                    int j = (at + i) % b.Count;
                    if (b[j] is >= (byte)'0' and <= (byte)'9') { b[j] = (byte)"0123456789-.e9"[rng.Next(14)]; break; }
                }
                break;
        }
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?|\\[[^\\[\\]]*\\]")]
    private static partial Regex JsonToken();

    [GeneratedRegex("\"[^\"\\\\]+\"\\s*:\\s*(?:\"[^\"]*\"|-?[\\d.eE+-]+|\\[[^\\[\\]]*\\])")]
    private static partial Regex JsonMember();

    /// <summary>One or two JSON-aware edits of <paramref name="json"/>, returned as UTF-8 bytes.</summary>
    public byte[] Json(string json)
    {
        int rounds = 1 + rng.Next(2);
        byte[]? raw = null;
        for (int r = 0; r < rounds; r++)
        {
            switch (rng.Next(4))
            {
                case 0:
                case 1: // a value (string, number or flat array) becomes an interesting one
                {
                    var m = JsonToken().Matches(json);
                    if (m.Count == 0) break;
                    var t = m[rng.Next(m.Count)];
                    json = json[..t.Index] + InterestingJson[rng.Next(InterestingJson.Length)] + json[(t.Index + t.Length)..];
                    break;
                }
                case 2: // a member is repeated right after itself
                {
                    var m = JsonMember().Matches(json);
                    if (m.Count == 0) break;
                    var t = m[rng.Next(m.Count)];
                    json = json[..(t.Index + t.Length)] + ", " + t.Value + json[(t.Index + t.Length)..];
                    break;
                }
                default: // a byte inside a string is made invalid UTF-8
                {
                    var bytes = Encoding.UTF8.GetBytes(json);
                    var quotes = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == '"').ToArray();
                    if (quotes.Length == 0) break;
                    int q = quotes[rng.Next(quotes.Length)];
                    if (q + 1 < bytes.Length && bytes[q + 1] != '"') bytes[q + 1] = (byte)(0x80 | rng.Next(0x40));
                    raw = bytes;
                    json = Encoding.UTF8.GetString(bytes); // later edits work on the text; the last raw edit wins if none follows
                    break;
                }
            }
        }
        return raw != null && Encoding.UTF8.GetString(raw) == json ? raw : Encoding.UTF8.GetBytes(json);
    }

    public int Next(int n) => rng.Next(n);
}
