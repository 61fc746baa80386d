namespace Sinapse.IO.Onnx;

/// <summary>
/// Builds an ONNX graph (ModelProto, opset 17) node by node: initializers hold the weights, each node names its
/// inputs and outputs. Field numbers are those of onnx.proto.
/// </summary>
internal sealed class OnnxGraph
{
    public const int Opset = 17, IrVersion = 8;
    const int FloatType = 1, Int64Type = 7;

    readonly List<ProtoWriter> nodes = [], initializers = [];
    readonly HashSet<string> names = [];
    int counter;

    /// <summary>A fresh value name.</summary>
    public string Fresh(string hint)
    {
        string n;
        do n = $"{hint}_{counter++}"; while (!names.Add(n));
        return n;
    }

    /// <summary>Adds a float initializer of <paramref name="dims"/> and returns its name.</summary>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        if (!names.Add(name)) name = Fresh(name);
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(raw.AsSpan(4 * i), values[i]);
        initializers.Add(new ProtoWriter().Ints(1, dims).Int(2, FloatType).String(8, name).Bytes(9, raw));
        return name;
    }

    /// <summary>Adds an int64 initializer (a shape, an index, axes) and returns its name.</summary>
    public string Int64Initializer(string hint, long[] values, params long[] dims)
    {
        var name = Fresh(hint);
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(raw.AsSpan(8 * i), values[i]);
        initializers.Add(new ProtoWriter().Ints(1, dims).Int(2, Int64Type).String(8, name).Bytes(9, raw));
        return name;
    }

    /// <summary>Adds a node and returns the name of its (first) output.</summary>
    public string Node(string op, string[] inputs, Action<Attributes>? attributes = null, string? name = null)
    {
        var output = Fresh(op.ToLowerInvariant());
        var w = new ProtoWriter();
        foreach (var i in inputs) w.String(1, i);
        w.String(2, output).String(3, name ?? Fresh(op)).String(4, op);
        if (attributes != null)
        {
            var a = new Attributes();
            attributes(a);
            foreach (var attr in a.List) w.Message(5, attr);
        }
        nodes.Add(w);
        return output;
    }

    /// <summary>Node attributes (AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, strings 9, type 20).</summary>
    public sealed class Attributes
    {
        internal readonly List<ProtoWriter> List = [];
        public Attributes Int(string name, long v) { List.Add(new ProtoWriter().String(1, name).Int(3, v).Int(20, 2)); return this; }
        public Attributes Float(string name, float v) { List.Add(new ProtoWriter().String(1, name).Float(2, v).Int(20, 1)); return this; }
        public Attributes String(string name, string v) { List.Add(new ProtoWriter().String(1, name).String(4, v).Int(20, 3)); return this; }
        public Attributes Ints(string name, params long[] v) { List.Add(new ProtoWriter().String(1, name).Ints(8, v).Int(20, 7)); return this; }
        public Attributes Strings(string name, params string[] v)
        {
            var w = new ProtoWriter().String(1, name);
            foreach (var s in v) w.String(9, s);
            List.Add(w.Int(20, 8));
            return this;
        }
    }

    /// <summary>The whole model: one float input of <paramref name="inputDims"/> (null for a symbolic dimension), one float output.</summary>
    public byte[] Build(string input, (long? Size, string Name)[] inputDims, string output, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new ProtoWriter();
        foreach (var n in nodes) graph.Message(1, n);
        graph.String(2, "sinapse");
        foreach (var i in initializers) graph.Message(5, i);
        var shape = new ProtoWriter();
        foreach (var (size, name) in inputDims)
            shape.Message(1, size is long v ? new ProtoWriter().Int(1, v) : new ProtoWriter().String(2, name));
        graph.Message(11, new ProtoWriter().String(1, input).Message(2, new ProtoWriter().Message(1, new ProtoWriter().Int(1, FloatType).Message(2, shape))));
        graph.Message(12, new ProtoWriter().String(1, output).Message(2, new ProtoWriter().Message(1, new ProtoWriter().Int(1, FloatType))));
        var model = new ProtoWriter().Int(1, IrVersion).String(2, "sinapse").String(3, "0.1")
            .Message(7, graph).Message(8, new ProtoWriter().String(1, "").Int(2, Opset));
        foreach (var (k, v) in metadata) model.Message(14, new ProtoWriter().String(1, k).String(2, v));
        return model.ToArray();
    }
}
