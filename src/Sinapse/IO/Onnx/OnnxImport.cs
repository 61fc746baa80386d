using Sinapse.Layers;

namespace Sinapse.IO.Onnx;

/// <summary>
/// Reads an ONNX file back into a <see cref="Sequential"/> model: the op set <see cref="OnnxExport"/> writes (and the
/// same ops as PyTorch exports them for sequential models: Gemm with either weight layout, MatMul + Add, Reshape),
/// one chain of nodes from the input to the output. A file outside that set is refused naming the node.
/// </summary>
public static class OnnxImport
{
    sealed record Node(string Op, string Name, string[] Inputs, string[] Outputs, Dictionary<string, ProtoField> Attributes)
    {
        public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var f) ? f.Int : fallback;
        public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var f) ? f.Float : fallback;
        public long[] Ints(string name) => Attributes.TryGetValue(name, out var f) ? [.. IntsOf(f)] : [];
        public string Str(string name, string fallback) => Attributes.TryGetValue(name, out var f) ? f.String : fallback;
    }

    static IEnumerable<long> IntsOf(ProtoField f) => f.Ints();

    /// <summary>The model in <paramref name="path"/> and one sample's input shape (−1 for a symbolic dimension).</summary>
    public static (Sequential Model, int[] InputShape) Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX file '{path}' not found.", path);
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>See <see cref="Load"/>; <paramref name="source"/> names the bytes in errors.</summary>
    public static (Sequential Model, int[] InputShape) Read(byte[] bytes, string source = "ONNX model")
    {
        var model = new ProtoReader(bytes, source).All();
        var graphField = model.FirstOrDefault(f => f.Number == 7 && f.Wire == 2);
        if (graphField.Data.IsEmpty) throw new InvalidDataException($"{source}: no graph (ModelProto field 7); is this an ONNX model?");
        var graph = new ProtoReader(graphField.Data, source).All();
        var inits = new Dictionary<string, (long[] Dims, float[] Values)>();
        foreach (var f in graph.Where(f => f.Number == 5)) { var (n, t) = Tensor(f, source); inits[n] = t; }
        var nodes = graph.Where(f => f.Number == 1).Select(f => ParseNode(f, source)).ToList();
        var input = graph.Where(f => f.Number == 11).Select(f => ValueInfo(f, source)).FirstOrDefault(v => !inits.ContainsKey(v.Name));
        if (input.Name == null) throw new InvalidDataException($"{source}: the graph has no input besides its weights.");
        var layers = new List<Module<Tensor, Tensor>>();
        int rank = input.Dims.Length;
        int i = 0;
        string current = input.Name;
        float[] W(string name, Node n) => inits.TryGetValue(name, out var t) ? t.Values : throw Bad(source, n, $"input '{name}' is not a weight (initializer)");
        long[] D(string name) => inits[name].Dims;

        while (i < nodes.Count)
        {
            var n = nodes[i];
            if (!n.Inputs.Contains(current)) throw Bad(source, n, $"it does not read '{current}', the previous layer's output; only a chain of layers is imported");
            switch (n.Op)
            {
                case "Identity": break;
                case "Gemm":
                {
                    if (n.Float("alpha", 1) != 1 || n.Float("beta", 1) != 1 || n.Int("transA", 0) != 0) throw Bad(source, n, "only alpha = beta = 1 and transA = 0 are imported");
                    var dims = D(n.Inputs[1]);
                    bool transB = n.Int("transB", 0) == 1;
                    int outF = (int)(transB ? dims[0] : dims[1]), inF = (int)(transB ? dims[1] : dims[0]);
                    var w = W(n.Inputs[1], n);
                    layers.Add(MakeLinear(inF, outF, transB ? w : Transpose(w, inF, outF), n.Inputs.Length > 2 ? W(n.Inputs[2], n) : null));
                    break;
                }
                case "MatMul":
                {
                    var dims = D(n.Inputs[1]);
                    int inF = (int)dims[0], outF = (int)dims[1];
                    var weight = Transpose(W(n.Inputs[1], n), inF, outF);
                    float[]? bias = null;
                    if (i + 1 < nodes.Count && nodes[i + 1].Op == "Add" && nodes[i + 1].Inputs.Contains(n.Outputs[0]))
                    {
                        var add = nodes[++i];
                        bias = W(add.Inputs.First(s => s != n.Outputs[0]), add);
                        n = add;
                    }
                    layers.Add(MakeLinear(inF, outF, weight, bias));
                    break;
                }
                case "Relu": layers.Add(new ReLU()); break;
                case "Tanh": layers.Add(new Tanh()); break;
                case "Sigmoid" when i + 1 < nodes.Count && nodes[i + 1].Op == "Mul" && nodes[i + 1].Inputs.Contains(current) && nodes[i + 1].Inputs.Contains(n.Outputs[0]):
                    n = nodes[++i]; layers.Add(new SiLU()); break;
                case "Sigmoid": layers.Add(new Sigmoid()); break;
                case "LeakyRelu": layers.Add(new LeakyReLU(n.Float("alpha", 0.01f))); break;
                case "Elu": layers.Add(new ELU(n.Float("alpha", 1f))); break;
                case "Softplus": layers.Add(new Softplus()); break;
                case "Softmax": layers.Add(new Softmax((int)n.Int("axis", -1))); break;
                case "LogSoftmax": layers.Add(new LogSoftmax((int)n.Int("axis", -1))); break;
                case "Conv": layers.Add(Conv(n, W, D, source)); break;
                case "ConvTranspose":
                {
                    var d = D(n.Inputs[1]);
                    int groups = (int)n.Int("group", 1), k = (int)d[2];
                    var ct = new ConvTranspose2d((int)d[0], (int)d[1] * groups, k, Same(n, "strides", 1, source), Same(n, "pads", 0, source),
                        Same(n, "output_padding", 0, source), groups, n.Inputs.Length > 2, Same(n, "dilations", 1, source));
                    Fill(ct, W(n.Inputs[1], n), n.Inputs.Length > 2 ? W(n.Inputs[2], n) : null);
                    layers.Add(ct);
                    break;
                }
                case "MaxPool": layers.Add(new MaxPool2d(Same(n, "kernel_shape", 1, source), Same(n, "strides", 1, source), Same(n, "pads", 0, source))); break;
                case "AveragePool":
                    layers.Add(new AvgPool2d(Same(n, "kernel_shape", 1, source), Same(n, "strides", 1, source), Same(n, "pads", 0, source), n.Int("count_include_pad", 0) == 1));
                    break;
                case "GlobalAveragePool": layers.Add(new AdaptiveAvgPool2d(1)); break;
                case "BatchNormalization":
                {
                    var scale = W(n.Inputs[1], n);
                    BatchNormBase bn = rank == 4 ? new BatchNorm2d(scale.Length, n.Float("epsilon", 1e-5f), Momentum(n))
                        : new BatchNorm1d(scale.Length, n.Float("epsilon", 1e-5f), Momentum(n));
                    using (Autograd.NoGrad())
                    {
                        bn.Weight.CopyFrom(Sinapse.Tensor.FromArray(scale));
                        bn.Bias.CopyFrom(Sinapse.Tensor.FromArray(W(n.Inputs[2], n)));
                        bn.RunningMean.CopyFrom(Sinapse.Tensor.FromArray(W(n.Inputs[3], n)));
                        bn.RunningVar.CopyFrom(Sinapse.Tensor.FromArray(W(n.Inputs[4], n)));
                    }
                    layers.Add(bn);
                    break;
                }
                case "Dropout":
                {
                    float p = n.Inputs.Length > 1 && inits.TryGetValue(n.Inputs[1], out var r) ? r.Values[0] : 0.5f;
                    layers.Add(n.Name.StartsWith("Dropout2d", StringComparison.Ordinal) ? new Dropout2d(p) : new Dropout(p));
                    break;
                }
                case "Flatten":
                    if (n.Int("axis", 1) != 1) throw Bad(source, n, "only axis 1 is imported");
                    layers.Add(new Flatten()); rank = 2; break;
                case "Reshape":
                {
                    var shape = inits.TryGetValue(n.Inputs[1], out var sh) ? sh.Values.Select(v => (long)v).ToArray() : throw Bad(source, n, "the shape is not a constant");
                    int minus = Array.IndexOf(shape, -1L);
                    if (shape.Length > 1 && shape[0] == 0 && minus < 0 && shape.Skip(1).All(v => v > 0))
                    { layers.Add(new Unflatten(1, shape.Skip(1).Select(v => (int)v).ToArray())); rank = shape.Length; }
                    else if (minus >= 0 && shape.Count(v => v == -1) == 1 && shape.All(v => v is 0 or -1))
                    { int merged = rank - shape.Length; layers.Add(new Flatten(minus, minus + merged)); rank = shape.Length; }
                    else throw Bad(source, n, $"shape [{string.Join(", ", shape)}] is neither an Unflatten nor a Flatten");
                    break;
                }
                case "Cast" when i + 1 < nodes.Count && nodes[i + 1].Op == "Gather" && nodes[i + 1].Inputs.Length == 2 && nodes[i + 1].Inputs[1] == n.Outputs[0]:
                {
                    n = nodes[++i];
                    var d = D(n.Inputs[0]);
                    var em = new Embedding((int)d[0], (int)d[1]);
                    using (Autograd.NoGrad()) em.Weight.CopyFrom(Sinapse.Tensor.FromArray(W(n.Inputs[0], n), (int)d[0], (int)d[1]));
                    layers.Add(em); rank++;
                    break;
                }
                case "Gather" when n.Int("axis", 0) == 1 && inits.TryGetValue(n.Inputs[1], out var last) && last.Values is [-1f]:
                    layers.Add(new LastStep()); rank--; break;
                case "Transpose" or "LSTM" or "GRU" or "RNN":
                    (var rec, i, n) = Recurrent(nodes, i, inits, source);
                    layers.Add(rec);
                    break;
                default:
                    throw Bad(source, n, "this op is not imported");
            }
            current = n.Outputs[0];
            i++;
        }
        return (new Sequential([.. layers]), input.Dims.Skip(1).Select(d => (int)d).ToArray());
    }

    /// <summary>PyTorch's momentum from ONNX's (1 − it), rounded to undo the float subtraction.</summary>
    static float Momentum(Node n) => (float)Math.Round(1 - (double)n.Float("momentum", 0.9f), 6);

    static InvalidDataException Bad(string source, Node n, string why) => new($"{source}: node '{n.Name}' ({n.Op}): {why}.");

    static float[] Transpose(float[] w, int rows, int cols)
    {
        var t = new float[w.Length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
        return t;
    }

    static Linear MakeLinear(int inF, int outF, float[] weight, float[]? bias)
    {
        var l = new Linear(inF, outF, bias != null);
        using (Autograd.NoGrad())
        {
            l.Weight.CopyFrom(Sinapse.Tensor.FromArray(weight, outF, inF));
            if (bias != null) l.Bias!.CopyFrom(Sinapse.Tensor.FromArray(bias));
        }
        return l;
    }

    static void Fill(ConvLayer c, float[] weight, float[]? bias)
    {
        using var _ = Autograd.NoGrad();
        c.Weight.CopyFrom(Sinapse.Tensor.FromArray(weight, c.Weight.Shape));
        if (bias != null) c.Bias!.CopyFrom(Sinapse.Tensor.FromArray(bias));
    }

    /// <summary>An ints attribute whose entries are all equal (square kernels, symmetric pads), as one number.</summary>
    static int Same(Node n, string name, int fallback, string source)
    {
        var v = n.Ints(name);
        if (v.Length == 0) return fallback;
        if (v.Any(x => x != v[0])) throw Bad(source, n, $"{name} [{string.Join(", ", v)}] differ; only square kernels and symmetric padding are imported");
        return (int)v[0];
    }

    static Module<Tensor, Tensor> Conv(Node n, Func<string, Node, float[]> w, Func<string, long[]> d, string source)
    {
        if (n.Str("auto_pad", "NOTSET") != "NOTSET") throw Bad(source, n, "auto_pad is not imported; give explicit pads");
        var dims = d(n.Inputs[1]);
        int groups = (int)n.Int("group", 1), k = (int)dims[2];
        bool bias = n.Inputs.Length > 2;
        ConvLayer c = dims.Length == 4
            ? new Conv2d((int)dims[1] * groups, (int)dims[0], k, Same(n, "strides", 1, source), Same(n, "pads", 0, source), Same(n, "dilations", 1, source), groups, bias)
            : new Conv1d((int)dims[1] * groups, (int)dims[0], k, Same(n, "strides", 1, source), Same(n, "pads", 0, source), Same(n, "dilations", 1, source), groups, bias);
        Fill(c, w(n.Inputs[1], n), bias ? w(n.Inputs[2], n) : null);
        return c;
    }

    /// <summary>
    /// [Transpose (1,0,2)] then per layer an RNN/LSTM/GRU node, Transpose (0,2,1,3) and Reshape (0,0,−1), then
    /// [Transpose (1,0,2)]: one recurrent layer of as many layers as nodes. Returns it, the last node's index and the node.
    /// </summary>
    static (RecurrentLayer Layer, int Last, Node Node) Recurrent(List<Node> nodes, int i, Dictionary<string, (long[] Dims, float[] Values)> inits, string source)
    {
        bool batchFirst = nodes[i].Op == "Transpose";
        if (batchFirst)
        {
            if (!nodes[i].Ints("perm").SequenceEqual([1L, 0, 2])) throw Bad(source, nodes[i], "only the batch-first transpose before a recurrent layer is imported");
            i++;
        }
        var cells = new List<Node>();
        while (i < nodes.Count && nodes[i].Op is "LSTM" or "GRU" or "RNN")
        {
            cells.Add(nodes[i]);
            if (i + 2 >= nodes.Count || nodes[i + 1].Op != "Transpose" || nodes[i + 2].Op != "Reshape")
                throw Bad(source, nodes[i], "a recurrent node must be followed by Transpose (0,2,1,3) and Reshape (0,0,−1)");
            i += 3;
        }
        if (cells.Count == 0) throw Bad(source, nodes[i - 1], "a transpose not followed by a recurrent node is not imported");
        var first = cells[0];
        string type = first.Op;
        if (batchFirst && (i >= nodes.Count || nodes[i].Op != "Transpose")) throw Bad(source, cells[^1], "the batch-first transpose after the recurrent layer is missing");
        int last = batchFirst ? i : i - 1;
        int h = (int)first.Int("hidden_size", 0);
        bool bidirectional = first.Str("direction", "forward") == "bidirectional";
        int dirs = bidirectional ? 2 : 1;
        var w0 = inits[first.Inputs[1]].Dims;
        int input = (int)w0[2];
        bool bias = first.Inputs.Length > 3 && first.Inputs[3].Length > 0;
        bool stateful = first.Name.StartsWith(type + "_stateful", StringComparison.Ordinal);
        RecurrentLayer r = type switch
        {
            "LSTM" => new LSTM(input, h, cells.Count, bias, batchFirst, bidirectional: bidirectional) { Stateful = stateful },
            "GRU" => new GRU(input, h, cells.Count, bias, batchFirst, bidirectional: bidirectional) { Stateful = stateful },
            _ => new RNN(input, h, cells.Count, first.Attributes.TryGetValue("activations", out var act) && act.String == "Relu" ? "relu" : "tanh", bias, batchFirst,
                bidirectional: bidirectional) { Stateful = stateful },
        };
        if (type == "GRU" && first.Int("linear_before_reset", 0) != 1) throw Bad(source, first, "only linear_before_reset = 1 (PyTorch's GRU) is imported");
        var order = OnnxExport.GateOrder(type);
        int gates = order.Length;
        var p = r.NamedParameters().ToDictionary(q => q.Name, q => q.Parameter);
        using (Autograd.NoGrad())
            for (int l = 0; l < cells.Count; l++)
            {
                int inSize = l == 0 ? input : h * dirs;
                var (w, rr) = (inits[cells[l].Inputs[1]].Values, inits[cells[l].Inputs[2]].Values);
                var b = bias ? inits[cells[l].Inputs[3]].Values : null;
                for (int d = 0; d < dirs; d++)
                {
                    string sfx = $"_l{l}" + (d == 1 ? "_reverse" : "");
                    Unorder(w.AsSpan(d * gates * h * inSize, gates * h * inSize), order, h * inSize, p["weight_ih" + sfx]);
                    Unorder(rr.AsSpan(d * gates * h * h, gates * h * h), order, h * h, p["weight_hh" + sfx]);
                    if (b != null)
                    {
                        Unorder(b.AsSpan(d * 2 * gates * h, gates * h), order, h, p["bias_ih" + sfx]);
                        Unorder(b.AsSpan(d * 2 * gates * h + gates * h, gates * h), order, h, p["bias_hh" + sfx]);
                    }
                }
            }
        return (r, last, nodes[last]);
    }

    static void Unorder(ReadOnlySpan<float> onnx, int[] order, int block, Tensor target)
    {
        var t = target.AsSpan();
        for (int k = 0; k < order.Length; k++) onnx.Slice(k * block, block).CopyTo(t.Slice(order[k] * block, block));
    }

    static Node ParseNode(ProtoField f, string source)
    {
        var fields = new ProtoReader(f.Data, source).All();
        var attrs = new Dictionary<string, ProtoField>();
        foreach (var a in fields.Where(x => x.Number == 5))
        {
            var af = new ProtoReader(a.Data, source).All();
            string name = af.First(x => x.Number == 1).String;
            int type = (int)(af.FirstOrDefault(x => x.Number == 20).Value);
            // Keep the value field: f (2), i (3), s (4), ints (8, repeated: merged into one packed run), strings (9, the first).
            var ints = af.Where(x => x.Number == 8).SelectMany(x => x.Ints()).ToArray();
            attrs[name] = type == 7 || ints.Length > 0 ? Packed(ints) : af.FirstOrDefault(x => x.Number is 2 or 3 or 4 or 9);
        }
        string Str(int n) => fields.FirstOrDefault(x => x.Number == n).Data.IsEmpty ? "" : fields.First(x => x.Number == n).String;
        return new Node(Str(4), Str(3), fields.Where(x => x.Number == 1).Select(x => x.String).ToArray(),
            fields.Where(x => x.Number == 2).Select(x => x.String).ToArray(), attrs);
    }

    /// <summary>Integers as one packed field (a run of varints), however the file stored them.</summary>
    static ProtoField Packed(long[] ints)
    {
        var body = new ProtoWriter().RawVarints(ints).ToArray();
        return new ProtoField(8, 2, (ulong)body.Length, body);
    }

    static (string Name, (long[] Dims, float[] Values) Tensor) Tensor(ProtoField f, string source)
    {
        var fields = new ProtoReader(f.Data, source).All();
        var dims = fields.Where(x => x.Number == 1).SelectMany(x => x.Ints()).ToArray();
        int type = (int)fields.FirstOrDefault(x => x.Number == 2).Value;
        string name = fields.FirstOrDefault(x => x.Number == 8).Data.IsEmpty ? "" : fields.First(x => x.Number == 8).String;
        long count = dims.Aggregate(1L, (a, b) => a * b);
        var raw = fields.FirstOrDefault(x => x.Number == 9);
        float[] values;
        if (!raw.Data.IsEmpty)
        {
            var mem = raw.Data;
            values = type switch
            {
                1 when mem.Length == count * 4 => Enumerable.Range(0, (int)count).Select(k => BitConverter.ToSingle(mem.Span.Slice(4 * k, 4))).ToArray(),
                7 when mem.Length == count * 8 => Enumerable.Range(0, (int)count).Select(k => (float)BitConverter.ToInt64(mem.Span.Slice(8 * k, 8))).ToArray(),
                _ => throw new InvalidDataException($"{source}: initializer '{name}' of type {type} holds {mem.Length} bytes for {count} values; only float and int64 are read."),
            };
        }
        else if (type == 1)
        {
            var list = new List<float>();
            foreach (var x in fields.Where(x => x.Number == 4))
                if (x.Wire == 5) list.Add(x.Float);
                else for (int k = 0; k + 4 <= x.Data.Length; k += 4) list.Add(BitConverter.ToSingle(x.Data.Span.Slice(k, 4)));
            values = [.. list];
        }
        else values = fields.Where(x => x.Number == 7).SelectMany(x => x.Ints()).Select(v => (float)v).ToArray();
        if (values.Length != count) throw new InvalidDataException($"{source}: initializer '{name}' has {values.Length} values for dims [{string.Join(", ", dims)}].");
        return (name, (dims, values));
    }

    static (string Name, long[] Dims) ValueInfo(ProtoField f, string source)
    {
        var fields = new ProtoReader(f.Data, source).All();
        string name = fields.First(x => x.Number == 1).String;
        var type = fields.FirstOrDefault(x => x.Number == 2);
        if (type.Data.IsEmpty) return (name, []);
        var tensor = new ProtoReader(type.Data, source).All().FirstOrDefault(x => x.Number == 1);
        if (tensor.Data.IsEmpty) return (name, []);
        var shape = new ProtoReader(tensor.Data, source).All().FirstOrDefault(x => x.Number == 2);
        if (shape.Data.IsEmpty) return (name, []);
        var dims = new ProtoReader(shape.Data, source).All().Where(x => x.Number == 1).Select(x =>
        {
            var dv = new ProtoReader(x.Data, source).All().FirstOrDefault(y => y.Number == 1);
            return dv.Number == 1 ? dv.Int : -1L;
        }).ToArray();
        return (name, dims);
    }
}
