using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>
/// What the convolution layers share (PyTorch's _ConvNd): channel counts, kernel size, stride, padding, dilation,
/// groups, the weight and the optional bias, initialised uniform in ±1/√fan_in as PyTorch does, and their description
/// for model.json.
/// </summary>
public abstract class ConvLayer : Module<Tensor, Tensor>
{
    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    /// <summary>The layer as errors name it, e.g. "Conv2d(1→32, k3)".</summary>
    private protected string Name => $"{GetType().Name}({InChannels}→{OutChannels}, k{KernelSize})";

    private protected ConvLayer(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups,
        bool bias, int[] weightShape, int fanIn, Generator? gen)
    {
        InChannels = inChannels; OutChannels = outChannels; KernelSize = kernelSize; Stride = stride; Padding = padding; Dilation = dilation; Groups = groups;
        float bound = 1f / MathF.Sqrt(fanIn);
        Weight = RegisterParameter("weight", Tensor.Uniform(weightShape, -bound, bound, gen));
        if (bias) Bias = RegisterParameter("bias", Tensor.Uniform([outChannels], -bound, bound, gen));
    }

    /// <summary>Throws naming the layer unless the sizes are positive and the channels divide into the groups; returns the layer's name.</summary>
    private protected static string Check(string type, int inChannels, int outChannels, int kernelSize, int stride, int dilation, int groups, int padding)
    {
        string me = $"{type}({inChannels}→{outChannels}, k{kernelSize})";
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0 || dilation <= 0 || groups <= 0)
            throw new ArgumentException($"{me}: channels, kernel size, stride, dilation and groups must be positive.");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{me}: {inChannels} input and {outChannels} output channels must both divide into {groups} groups.");
        if (padding < 0) throw new ArgumentException($"{me}: padding {padding} must be non-negative{(type == "Conv2d" ? " (or Conv2d.Same)" : "")}.");
        return me;
    }

    /// <summary>Throws naming the layer unless the input has <paramref name="rank"/> axes and InChannels channels.</summary>
    private protected void CheckInput(Tensor input, int rank, string layout)
    {
        if (input.Rank != rank || input.Shape[1] != InChannels)
            throw new ArgumentException($"{Name}: input {ShapeUtil.Str(input.Shape)} must be {layout}.");
    }

    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}{(Dilation != 1 ? $", dilation={Dilation}" : "")}{(Groups != 1 ? $", groups={Groups}" : "")}, bias={(Bias != null ? "True" : "False")}";

    public override LayerSpec Describe() => new(GetType().Name, Arguments());

    private protected virtual Dictionary<string, double> Arguments() => new()
    {
        ["in_channels"] = InChannels, ["out_channels"] = OutChannels, ["kernel_size"] = KernelSize, ["stride"] = Stride,
        ["padding"] = Padding, ["dilation"] = Dilation, ["groups"] = Groups, ["bias"] = Bias != null ? 1 : 0,
    };
}

/// <summary>
/// 2-D convolution layer: each of <c>outChannels</c> filters slides over the input's channels and writes one feature
/// map. Weights in PyTorch's layout and initialisation (uniform in ±1/√fan_in, fan_in = in/groups·k·k), so weights port
/// both ways. A padding of <see cref="Same"/> keeps the input's size (stride 1, odd reach).
/// </summary>
/// <remarks>Shape: (N, in, H, W) → (N, out, OH, OW), see <see cref="Tensor.Conv2d(Tensor, Tensor, Tensor?, int, int, int, int)"/>.
/// Weight (out, in/groups, k, k); bias (out).</remarks>
public sealed class Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
    bool bias = true, Generator? gen = null)
    : ConvLayer(inChannels, outChannels, kernelSize, stride, Resolve(inChannels, outChannels, kernelSize, stride, padding, dilation, groups), dilation, groups,
        bias, [outChannels, inChannels / Math.Max(1, groups), kernelSize, kernelSize], inChannels / Math.Max(1, groups) * kernelSize * kernelSize, gen)
{
    /// <summary>The padding that keeps the spatial size ("same" in PyTorch).</summary>
    public const int Same = -1;

    /// <summary>Checks the arguments and turns <see cref="Same"/> into the padding it stands for.</summary>
    static int Resolve(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups)
    {
        string me = Check("Conv2d", inChannels, outChannels, kernelSize, stride, dilation, groups, padding == Same ? 0 : padding);
        if (padding != Same) return padding;
        int reach = dilation * (kernelSize - 1);
        if (stride != 1 || reach % 2 != 0) throw new ArgumentException($"{me}: 'same' padding needs stride 1 and an odd reach dilation·(k−1)+1, got stride {stride}, dilation {dilation}.");
        return reach / 2;
    }

    public override Tensor Forward(Tensor input)
    {
        CheckInput(input, 4, $"(N, {InChannels}, H, W)");
        return Tensor.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    /// <summary>Forward, then ReLU, as one op (see <see cref="Sequential.Forward"/>).</summary>
    internal Tensor ForwardRelu(Tensor input)
    {
        CheckInput(input, 4, $"(N, {InChannels}, H, W)");
        return Tensor.Conv2d(input, Weight, Bias, (Stride, Stride), (Padding, Padding), (Dilation, Dilation), Groups, relu: true);
    }
}

/// <summary>1-D convolution layer (sequences, signals), PyTorch's layout and initialisation.</summary>
/// <remarks>Shape: (N, in, L) → (N, out, L'), see <see cref="Tensor.Conv1d"/>. Weight (out, in/groups, k); bias (out).</remarks>
public sealed class Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
    bool bias = true, Generator? gen = null)
    : ConvLayer(inChannels, outChannels, kernelSize, stride, Checked(inChannels, outChannels, kernelSize, stride, padding, dilation, groups), dilation, groups,
        bias, [outChannels, inChannels / Math.Max(1, groups), kernelSize], inChannels / Math.Max(1, groups) * kernelSize, gen)
{
    static int Checked(int inChannels, int outChannels, int kernelSize, int stride, int padding, int dilation, int groups)
    {
        Check("Conv1d", inChannels, outChannels, kernelSize, stride, dilation, groups, padding);
        return padding;
    }

    public override Tensor Forward(Tensor input)
    {
        CheckInput(input, 3, $"(N, {InChannels}, L)");
        return Tensor.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }
}

/// <summary>
/// Transposed 2-D convolution layer (learned upsampling for decoders and DCGAN generators), PyTorch's layout and
/// initialisation (fan_in = out/groups·k·k, from the weight's second axis as PyTorch computes it).
/// </summary>
/// <remarks>Shape: (N, in, H, W) → (N, out, (H−1)·stride − 2·padding + dilation·(k−1) + outputPadding + 1, …), see
/// <see cref="Tensor.ConvTranspose2d"/>. Weight (in, out/groups, k, k); bias (out).</remarks>
public sealed class ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0,
    int groups = 1, bool bias = true, int dilation = 1, Generator? gen = null)
    : ConvLayer(inChannels, outChannels, kernelSize, stride, Checked(inChannels, outChannels, kernelSize, stride, padding, outputPadding, dilation, groups),
        dilation, groups, bias, [inChannels, outChannels / Math.Max(1, groups), kernelSize, kernelSize], outChannels / Math.Max(1, groups) * kernelSize * kernelSize, gen)
{
    public int OutputPadding { get; } = outputPadding;

    static int Checked(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding, int dilation, int groups)
    {
        string me = Check("ConvTranspose2d", inChannels, outChannels, kernelSize, stride, dilation, groups, padding);
        if (outputPadding < 0 || outputPadding >= Math.Max(stride, dilation))
            throw new ArgumentException($"{me}: output padding {outputPadding} must be non-negative and below the stride {stride} or the dilation {dilation}.");
        return padding;
    }

    public override Tensor Forward(Tensor input)
    {
        CheckInput(input, 4, $"(N, {InChannels}, H, W)");
        return Tensor.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);
    }

    protected override string ExtraRepr() => $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}, output_padding={OutputPadding}";

    private protected override Dictionary<string, double> Arguments()
    {
        var a = base.Arguments();
        a["output_padding"] = OutputPadding;
        return a;
    }
}
