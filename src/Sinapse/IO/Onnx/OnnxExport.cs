using Sinapse.Layers;

namespace Sinapse.IO.Onnx;

/// <summary>
/// Writes a <see cref="Sequential"/> model as an ONNX file (opset 17) that ONNX Runtime, or any ONNX consumer, runs
/// with the model's evaluation-mode outputs. Weights keep the model's parameter names; <see cref="OnnxImport"/> reads
/// the file back.
/// </summary>
/// <remarks>
/// Layers: Linear (Gemm on 2-D inputs with the weight as it is; MatMul + Add otherwise, the weight stored transposed), ReLU, LeakyReLU, ELU, Tanh, Sigmoid, SiLU, Softplus
/// (β = 1), Softmax, LogSoftmax, Conv1d, Conv2d, ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d(1)
/// (GlobalAveragePool), BatchNorm1d/2d, Dropout and Dropout2d (identity at inference), Flatten, Unflatten, Embedding
/// (Cast + Gather), RNN, LSTM and GRU (ONNX's gate orders, batch-first through Transpose, any number of layers, either
/// direction; zero initial state), LastStep. Any other layer is refused by name.
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the files declare.</summary>
    public const int Opset = OnnxGraph.Opset;

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> (atomically). <paramref name="inputShape"/> is one
    /// sample's shape; the batch dimension is symbolic, as is any dimension given as −1 (a sequence's length).
    /// </summary>
    public static void ExportOnnx(this Sequential model, string path, params int[] inputShape)
    {
        var bytes = ToBytes(model, inputShape);
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The ONNX file's bytes (see <see cref="ExportOnnx"/>).</summary>
    public static byte[] ToBytes(Sequential model, int[] inputShape)
    {
        var g = new OnnxGraph();
        const string input = "input";
        string x = input;
        int rank = inputShape.Length + 1;
        for (int i = 0; i < model.Count; i++) (x, rank) = Emit(g, model[i], $"{i}.", x, rank);
        var dims = new[] { ((long?)null, "batch") }.Concat(inputShape.Select((d, k) => (d > 0 ? (long?)d : null, $"dim{k + 1}"))).ToArray();
        var output = g.Node("Identity", [x], name: "output");
        return g.Build(input, dims, output, new Dictionary<string, string> { ["producer"] = "sinapse" });
    }

    static ReadOnlySpan<float> Data(Tensor t) => t.NoGraph().Contiguous().AsReadOnlySpan();
    static long[] Dims(Tensor t) => t.Shape.Select(d => (long)d).ToArray();
    static string Init(OnnxGraph g, string name, Tensor t) => g.Initializer(name, Data(t), Dims(t));

    static (string X, int Rank) Emit(OnnxGraph g, Module<Tensor, Tensor> layer, string prefix, string x, int rank)
    {
        switch (layer)
        {
            case Linear l:
            {
                if (rank == 2)
                {
                    var inputs = l.Bias != null ? new[] { x, Init(g, prefix + "weight", l.Weight), Init(g, prefix + "bias", l.Bias) } : [x, Init(g, prefix + "weight", l.Weight)];
                    return (g.Node("Gemm", inputs, a => a.Int("transB", 1)), rank);
                }
                var y = g.Node("MatMul", [x, Init(g, prefix + "weight", l.Weight.Transpose(0, 1).Contiguous())]);
                return (l.Bias != null ? g.Node("Add", [y, Init(g, prefix + "bias", l.Bias)]) : y, rank);
            }
            case ReLU: return (g.Node("Relu", [x]), rank);
            case Tanh: return (g.Node("Tanh", [x]), rank);
            case Sigmoid: return (g.Node("Sigmoid", [x]), rank);
            case SiLU: return (g.Node("Mul", [x, g.Node("Sigmoid", [x])], name: g.Fresh("SiLU")), rank);
            case LeakyReLU lr: return (g.Node("LeakyRelu", [x], a => a.Float("alpha", lr.Slope)), rank);
            case ELU e: return (g.Node("Elu", [x], a => a.Float("alpha", e.Alpha)), rank);
            case Softplus sp when sp.Beta == 1: return (g.Node("Softplus", [x]), rank);
            case Softmax sm: return (g.Node("Softmax", [x], a => a.Int("axis", sm.Dim)), rank);
            case LogSoftmax ls: return (g.Node("LogSoftmax", [x], a => a.Int("axis", ls.Dim)), rank);
            case Conv2d or Conv1d:
            {
                var c = (ConvLayer)layer;
                int n = layer is Conv2d ? 2 : 1;
                var inputs = new List<string> { x, Init(g, prefix + "weight", c.Weight) };
                if (c.Bias != null) inputs.Add(Init(g, prefix + "bias", c.Bias));
                return (g.Node("Conv", [.. inputs], a => a.Ints("kernel_shape", Rep(c.KernelSize, n)).Ints("strides", Rep(c.Stride, n))
                    .Ints("pads", Rep(c.Padding, 2 * n)).Ints("dilations", Rep(c.Dilation, n)).Int("group", c.Groups)), rank);
            }
            case ConvTranspose2d ct:
            {
                var inputs = new List<string> { x, Init(g, prefix + "weight", ct.Weight) };
                if (ct.Bias != null) inputs.Add(Init(g, prefix + "bias", ct.Bias));
                return (g.Node("ConvTranspose", [.. inputs], a => a.Ints("kernel_shape", Rep(ct.KernelSize, 2)).Ints("strides", Rep(ct.Stride, 2))
                    .Ints("pads", Rep(ct.Padding, 4)).Ints("dilations", Rep(ct.Dilation, 2)).Ints("output_padding", Rep(ct.OutputPadding, 2)).Int("group", ct.Groups)), rank);
            }
            case MaxPool2d mp:
                return (g.Node("MaxPool", [x], a => a.Ints("kernel_shape", Rep(mp.KernelSize, 2)).Ints("strides", Rep(mp.Stride, 2)).Ints("pads", Rep(mp.Padding, 4))), rank);
            case AvgPool2d ap:
                return (g.Node("AveragePool", [x], a => a.Ints("kernel_shape", Rep(ap.KernelSize, 2)).Ints("strides", Rep(ap.Stride, 2))
                    .Ints("pads", Rep(ap.Padding, 4)).Int("count_include_pad", ap.CountIncludePad ? 1 : 0)), rank);
            case AdaptiveAvgPool2d aap when aap.OutHeight == 1 && aap.OutWidth == 1:
                return (g.Node("GlobalAveragePool", [x]), rank);
            case BatchNormBase bn:
                return (g.Node("BatchNormalization", [x, Init(g, prefix + "weight", bn.Weight), Init(g, prefix + "bias", bn.Bias),
                    Init(g, prefix + "running_mean", bn.RunningMean), Init(g, prefix + "running_var", bn.RunningVar)],
                    a => a.Float("epsilon", bn.Eps).Float("momentum", 1 - bn.Momentum), name: g.Fresh(layer.GetType().Name)), rank);
            case Dropout d: return (g.Node("Dropout", [x, g.Initializer(prefix + "ratio", [d.P])], name: g.Fresh("Dropout")), rank);
            case Dropout2d d2: return (g.Node("Dropout", [x, g.Initializer(prefix + "ratio", [d2.P])], name: g.Fresh("Dropout2d")), rank);
            case Flatten f:
            {
                int s = f.StartDim < 0 ? f.StartDim + rank : f.StartDim, e = f.EndDim < 0 ? f.EndDim + rank : f.EndDim;
                if (s < 0 || e >= rank || s > e) throw Unsupported(layer, prefix, $"dimensions {f.StartDim}…{f.EndDim} do not fit a rank-{rank} input");
                if (s == 1 && e == rank - 1) return (g.Node("Flatten", [x], a => a.Int("axis", 1)), 2);
                // Reshape copies the dimensions outside s…e (0) and merges those inside (−1).
                long[] shape = [.. Enumerable.Repeat(0L, s), -1, .. Enumerable.Repeat(0L, rank - 1 - e)];
                return (g.Node("Reshape", [x, g.Int64Initializer("shape", shape, shape.Length)], name: g.Fresh("Flatten")), rank - (e - s));
            }
            case Unflatten u when u.Dim == 1 || u.Dim == 1 - rank:
                if (rank != 2) throw Unsupported(layer, prefix, "Unflatten is exported for (N, F) inputs only");
                return (g.Node("Reshape", [x, g.Int64Initializer("shape", [0, .. u.Sizes.Select(v => (long)v)], u.Sizes.Length + 1)]), 1 + u.Sizes.Length);
            case Embedding em:
            {
                var idx = g.Node("Cast", [x], a => a.Int("to", 7));
                return (g.Node("Gather", [Init(g, prefix + "weight", em.Weight), idx], a => a.Int("axis", 0)), rank + 1);
            }
            case RecurrentLayer r: return (Recurrent(g, r, prefix, x), rank);
            case LastStep:
                return (g.Node("Gather", [x, g.Int64Initializer("last", [-1])], a => a.Int("axis", 1), name: g.Fresh("LastStep")), rank - 1);
            default:
                throw Unsupported(layer, prefix, "no ONNX mapping");
        }
    }

    static long[] Rep(int v, int n) => Enumerable.Repeat((long)v, n).ToArray();

    static NotSupportedException Unsupported(Module layer, string prefix, string why) =>
        new($"ONNX export: layer {prefix.TrimEnd('.')} ({layer}) is not supported: {why}.");

    /// <summary>PyTorch's gate blocks in ONNX's order: LSTM i,f,g,o → i,o,f,c; GRU r,z,n → z,r,h.</summary>
    internal static int[] GateOrder(string type) => type switch { "LSTM" => [0, 3, 1, 2], "GRU" => [1, 0, 2], _ => [0] };

    static string Recurrent(OnnxGraph g, RecurrentLayer r, string prefix, string x)
    {
        string type = r.Describe().Type;
        int h = r.HiddenSize, dirs = r.Bidirectional ? 2 : 1;
        var order = GateOrder(type);
        int gates = order.Length;
        var p = r.NamedParameters().ToDictionary(q => q.Name, q => q.Parameter);
        if (r.BatchFirst) x = g.Node("Transpose", [x], a => a.Ints("perm", 1, 0, 2));          // (N,T,F) → (T,N,F)
        for (int l = 0; l < r.NumLayers; l++)
        {
            int inSize = l == 0 ? r.InputSize : h * dirs;
            var w = new float[dirs * gates * h * inSize];
            var rr = new float[dirs * gates * h * h];
            var b = new float[dirs * 2 * gates * h];
            for (int d = 0; d < dirs; d++)
            {
                string sfx = $"_l{l}" + (d == 1 ? "_reverse" : "");
                Reorder(Data(p["weight_ih" + sfx]), order, h * inSize, w.AsSpan(d * gates * h * inSize));
                Reorder(Data(p["weight_hh" + sfx]), order, h * h, rr.AsSpan(d * gates * h * h));
                if (r.HasBias)
                {
                    Reorder(Data(p["bias_ih" + sfx]), order, h, b.AsSpan(d * 2 * gates * h));
                    Reorder(Data(p["bias_hh" + sfx]), order, h, b.AsSpan(d * 2 * gates * h + gates * h));
                }
            }
            var inputs = new List<string>
            {
                x, g.Initializer($"{prefix}W_l{l}", w, dirs, gates * h, inSize), g.Initializer($"{prefix}R_l{l}", rr, dirs, gates * h, h),
            };
            if (r.HasBias) inputs.Add(g.Initializer($"{prefix}B_l{l}", b, dirs, 2 * gates * h));
            var y = g.Node(type, [.. inputs], a =>
            {
                a.Int("hidden_size", h).String("direction", dirs == 2 ? "bidirectional" : "forward");
                if (type == "GRU") a.Int("linear_before_reset", 1);
                if (r is RNN rnn) a.Strings("activations", Enumerable.Repeat(rnn.Nonlinearity == "relu" ? "Relu" : "Tanh", dirs).ToArray());
            }, name: g.Fresh(r.Stateful ? type + "_stateful" : type)); // the name keeps the layer's carried state for import
            // Y (T, D, N, H) → (T, N, D·H), the next layer's input.
            y = g.Node("Transpose", [y], a => a.Ints("perm", 0, 2, 1, 3));
            x = g.Node("Reshape", [y, g.Int64Initializer("shape", [0, 0, -1], 3)]);
        }
        return r.BatchFirst ? g.Node("Transpose", [x], a => a.Ints("perm", 1, 0, 2)) : x;
    }

    static void Reorder(ReadOnlySpan<float> src, int[] order, int block, Span<float> dst)
    {
        for (int k = 0; k < order.Length; k++) src.Slice(order[k] * block, block).CopyTo(dst.Slice(k * block, block));
    }
}
