using System.Text;

namespace Sinapse.IO.Onnx;

/// <summary>
/// The protocol-buffer wire format, as much as ONNX files need: varints (wire type 0), 32-bit floats (5) and
/// length-delimited fields (2) — strings, bytes, embedded messages and packed repeated numbers.
/// </summary>
internal sealed class ProtoWriter
{
    readonly MemoryStream ms = new();

    public byte[] ToArray() => ms.ToArray();

    void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));

    void Varint(ulong v)
    {
        while (v >= 0x80) { ms.WriteByte((byte)(v | 0x80)); v >>= 7; }
        ms.WriteByte((byte)v);
    }

    public ProtoWriter Int(int field, long value) { Tag(field, 0); Varint((ulong)value); return this; }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BitConverter.TryWriteBytes(b, value);
        if (!BitConverter.IsLittleEndian) b.Reverse();
        ms.Write(b);
        return this;
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value) { Tag(field, 2); Varint((ulong)value.Length); ms.Write(value); return this; }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public ProtoWriter Ints(int field, IEnumerable<long> values) { foreach (var v in values) Int(field, v); return this; }

    /// <summary>Varints without tags: the body of a packed repeated field.</summary>
    public ProtoWriter RawVarints(IEnumerable<long> values) { foreach (var v in values) Varint((ulong)v); return this; }
}

/// <summary>One field read from a message: its number, wire type, and value (a number, or the bytes of a length-delimited field).</summary>
internal readonly record struct ProtoField(int Number, int Wire, ulong Value, ReadOnlyMemory<byte> Data)
{
    public long Int => (long)Value;
    public float Float => BitConverter.Int32BitsToSingle((int)(uint)Value);
    public string String => Encoding.UTF8.GetString(Data.Span);

    /// <summary>The numbers of a repeated integer field, packed (one length-delimited run) or not (this one value).</summary>
    public IEnumerable<long> Ints()
    {
        if (Wire == 0) { yield return Int; yield break; }
        var r = new ProtoReader(Data, "packed field");
        while (!r.End) yield return (long)r.ReadVarint();
    }
}

/// <summary>Reads the fields of one message in order; a malformed buffer raises <see cref="InvalidDataException"/> naming <c>source</c>.</summary>
internal sealed class ProtoReader(ReadOnlyMemory<byte> data, string source)
{
    int pos;
    public bool End => pos >= data.Length;

    public ulong ReadVarint()
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw Bad("a varint runs past the end");
            byte b = data.Span[pos++];
            v |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return v;
        }
        throw Bad("a varint is longer than 10 bytes");
    }

    public ProtoField Next()
    {
        ulong tag = ReadVarint();
        int number = (int)(tag >> 3), wire = (int)(tag & 7);
        switch (wire)
        {
            case 0: return new(number, wire, ReadVarint(), default);
            case 1: return new(number, wire, Fixed(8), default);
            case 5: return new(number, wire, Fixed(4), default);
            case 2:
                ulong len = ReadVarint();
                if (len > (ulong)(data.Length - pos)) throw Bad($"field {number} claims {len} bytes, {data.Length - pos} remain");
                var slice = data.Slice(pos, (int)len);
                pos += (int)len;
                return new(number, wire, len, slice);
            default: throw Bad($"field {number} has wire type {wire}, which ONNX does not use");
        }
    }

    ulong Fixed(int n)
    {
        if (pos + n > data.Length) throw Bad("a fixed-size field runs past the end");
        ulong v = 0;
        for (int i = 0; i < n; i++) v |= (ulong)data.Span[pos + i] << (8 * i);
        pos += n;
        return v;
    }

    InvalidDataException Bad(string why) => new($"{source}: not a valid ONNX (protocol buffer) file: {why} at byte {pos}.");

    /// <summary>Every field of the message.</summary>
    public List<ProtoField> All()
    {
        var list = new List<ProtoField>();
        while (!End) list.Add(Next());
        return list;
    }
}
