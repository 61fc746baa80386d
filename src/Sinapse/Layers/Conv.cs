using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>
/// 2-D convolution layer: each of <c>outChannels</c> filters slides over the input's channels and writes one feature
/// map. Weights in PyTorch's layout and initialisation (uniform in ±1/√fan_in, fan_in = in/groups·k·k), so weights port
/// both ways. <paramref name="padding"/> = <see cref="Same"/> pads so the output keeps the input's size (stride 1, odd
/// reach).
/// </summary>
/// <remarks>Shape: (N, in, H, W) → (N, out, OH, OW), see <see cref="Tensor.Conv2d(Tensor, Tensor, Tensor?, int, int, int, int)"/>.
/// Weight (out, in/groups, k, k); bias (out).</remarks>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    /// <summary>The padding that keeps the spatial size ("same" in PyTorch).</summary>
    public const int Same = -1;

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, Generator? gen = null)
    {
        string me = $"Conv2d({inChannels}→{outChannels}, k{kernelSize})";
        ConvChecks.Sizes(me, inChannels, outChannels, kernelSize, stride, dilation, groups);
        if (padding == Same)
        {
            int reach = dilation * (kernelSize - 1);
            if (stride != 1 || reach % 2 != 0) throw new ArgumentException($"{me}: 'same' padding needs stride 1 and an odd reach dilation·(k−1)+1, got stride {stride}, dilation {dilation}.");
            padding = reach / 2;
        }
        else if (padding < 0) throw new ArgumentException($"{me}: padding {padding} must be non-negative (or Conv2d.Same).");
        InChannels = inChannels; OutChannels = outChannels; KernelSize = kernelSize; Stride = stride; Padding = padding; Dilation = dilation; Groups = groups;
        float bound = 1f / MathF.Sqrt(inChannels / groups * kernelSize * kernelSize);
        Weight = RegisterParameter("weight", Tensor.Uniform([outChannels, inChannels / groups, kernelSize, kernelSize], -bound, bound, gen));
        if (bias) Bias = RegisterParameter("bias", Tensor.Uniform([outChannels], -bound, bound, gen));
    }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ArgumentException($"Conv2d({InChannels}→{OutChannels}, k{KernelSize}): input {ShapeUtil.Str(input.Shape)} must be (N, {InChannels}, H, W).");
        return Tensor.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}{(Dilation != 1 ? $", dilation={Dilation}" : "")}{(Groups != 1 ? $", groups={Groups}" : "")}, bias={(Bias != null ? "True" : "False")}";

    public override LayerSpec Describe() => new("Conv2d", new Dictionary<string, double>
    {
        ["in_channels"] = InChannels, ["out_channels"] = OutChannels, ["kernel_size"] = KernelSize, ["stride"] = Stride,
        ["padding"] = Padding, ["dilation"] = Dilation, ["groups"] = Groups, ["bias"] = Bias != null ? 1 : 0,
    });
}

/// <summary>1-D convolution layer (sequences, signals), PyTorch's layout and initialisation.</summary>
/// <remarks>Shape: (N, in, L) → (N, out, L'), see <see cref="Tensor.Conv1d"/>. Weight (out, in/groups, k); bias (out).</remarks>
public sealed class Conv1d : Module<Tensor, Tensor>
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

    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, Generator? gen = null)
    {
        string me = $"Conv1d({inChannels}→{outChannels}, k{kernelSize})";
        ConvChecks.Sizes(me, inChannels, outChannels, kernelSize, stride, dilation, groups);
        if (padding < 0) throw new ArgumentException($"{me}: padding {padding} must be non-negative.");
        InChannels = inChannels; OutChannels = outChannels; KernelSize = kernelSize; Stride = stride; Padding = padding; Dilation = dilation; Groups = groups;
        float bound = 1f / MathF.Sqrt(inChannels / groups * kernelSize);
        Weight = RegisterParameter("weight", Tensor.Uniform([outChannels, inChannels / groups, kernelSize], -bound, bound, gen));
        if (bias) Bias = RegisterParameter("bias", Tensor.Uniform([outChannels], -bound, bound, gen));
    }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 3 || input.Shape[1] != InChannels)
            throw new ArgumentException($"Conv1d({InChannels}→{OutChannels}, k{KernelSize}): input {ShapeUtil.Str(input.Shape)} must be (N, {InChannels}, L).");
        return Tensor.Conv1d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
    }

    protected override string ExtraRepr() => $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}";

    public override LayerSpec Describe() => new("Conv1d", new Dictionary<string, double>
    {
        ["in_channels"] = InChannels, ["out_channels"] = OutChannels, ["kernel_size"] = KernelSize, ["stride"] = Stride,
        ["padding"] = Padding, ["dilation"] = Dilation, ["groups"] = Groups, ["bias"] = Bias != null ? 1 : 0,
    });
}

/// <summary>
/// Transposed 2-D convolution layer (learned upsampling for decoders and DCGAN generators), PyTorch's layout and
/// initialisation (fan_in = out/groups·k·k, from the weight's second axis as PyTorch computes it).
/// </summary>
/// <remarks>Shape: (N, in, H, W) → (N, out, (H−1)·stride − 2·padding + dilation·(k−1) + outputPadding + 1, …), see
/// <see cref="Tensor.ConvTranspose2d"/>. Weight (in, out/groups, k, k); bias (out).</remarks>
public sealed class ConvTranspose2d : Module<Tensor, Tensor>
{
    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int OutputPadding { get; }
    public int Groups { get; }
    public int Dilation { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0,
        int groups = 1, bool bias = true, int dilation = 1, Generator? gen = null)
    {
        string me = $"ConvTranspose2d({inChannels}→{outChannels}, k{kernelSize})";
        ConvChecks.Sizes(me, inChannels, outChannels, kernelSize, stride, dilation, groups);
        if (padding < 0 || outputPadding < 0) throw new ArgumentException($"{me}: padding {padding} and output padding {outputPadding} must be non-negative.");
        if (outputPadding >= Math.Max(stride, dilation))
            throw new ArgumentException($"{me}: output padding {outputPadding} must be below the stride {stride} or the dilation {dilation}.");
        InChannels = inChannels; OutChannels = outChannels; KernelSize = kernelSize; Stride = stride; Padding = padding;
        OutputPadding = outputPadding; Groups = groups; Dilation = dilation;
        float bound = 1f / MathF.Sqrt(outChannels / groups * kernelSize * kernelSize);
        Weight = RegisterParameter("weight", Tensor.Uniform([inChannels, outChannels / groups, kernelSize, kernelSize], -bound, bound, gen));
        if (bias) Bias = RegisterParameter("bias", Tensor.Uniform([outChannels], -bound, bound, gen));
    }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ArgumentException($"ConvTranspose2d({InChannels}→{OutChannels}, k{KernelSize}): input {ShapeUtil.Str(input.Shape)} must be (N, {InChannels}, H, W).");
        return Tensor.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Groups, Dilation);
    }

    protected override string ExtraRepr() => $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}, padding={Padding}, output_padding={OutputPadding}";

    public override LayerSpec Describe() => new("ConvTranspose2d", new Dictionary<string, double>
    {
        ["in_channels"] = InChannels, ["out_channels"] = OutChannels, ["kernel_size"] = KernelSize, ["stride"] = Stride,
        ["padding"] = Padding, ["output_padding"] = OutputPadding, ["groups"] = Groups, ["dilation"] = Dilation, ["bias"] = Bias != null ? 1 : 0,
    });
}

/// <summary>The argument checks the convolution layers share.</summary>
internal static class ConvChecks
{
    public static void Sizes(string layer, int inChannels, int outChannels, int kernelSize, int stride, int dilation, int groups)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0 || dilation <= 0 || groups <= 0)
            throw new ArgumentException($"{layer}: channels, kernel size, stride, dilation and groups must be positive.");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{layer}: {inChannels} input and {outChannels} output channels must both divide into {groups} groups.");
    }
}
