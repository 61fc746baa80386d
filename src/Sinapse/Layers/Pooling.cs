using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>Max pooling over k×k windows (stride defaults to k): keeps the strongest response of each window.</summary>
/// <remarks>Shape: (N, C, H, W) → (N, C, ⌊(H + 2·padding − k)/stride⌋ + 1, …).</remarks>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : Module<Tensor, Tensor>
{
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride ?? kernelSize;
    public int Padding { get; } = padding;
    public override Tensor Forward(Tensor input) => input.MaxPool2d(KernelSize, Stride, Padding);
    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
    public override LayerSpec Describe() => new("MaxPool2d", new Dictionary<string, double> { ["kernel_size"] = KernelSize, ["stride"] = Stride, ["padding"] = Padding });
}

/// <summary>Average pooling over k×k windows (stride defaults to k); LeNet-5's subsampling.</summary>
/// <remarks>Shape: as <see cref="MaxPool2d"/>.</remarks>
public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool countIncludePad = true) : Module<Tensor, Tensor>
{
    public int KernelSize { get; } = kernelSize;
    public int Stride { get; } = stride ?? kernelSize;
    public int Padding { get; } = padding;
    public bool CountIncludePad { get; } = countIncludePad;
    public override Tensor Forward(Tensor input) => input.AvgPool2d(KernelSize, Stride, Padding, CountIncludePad);
    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding={Padding}";
    public override LayerSpec Describe() => new("AvgPool2d", new Dictionary<string, double>
        { ["kernel_size"] = KernelSize, ["stride"] = Stride, ["padding"] = Padding, ["count_include_pad"] = CountIncludePad ? 1 : 0 });
}

/// <summary>Average pooling to a fixed output size whatever the input's; 1×1 is global average pooling.</summary>
/// <remarks>Shape: (N, C, H, W) → (N, C, outHeight, outWidth).</remarks>
public sealed class AdaptiveAvgPool2d(int outHeight, int outWidth) : Module<Tensor, Tensor>
{
    public AdaptiveAvgPool2d(int size) : this(size, size) { }
    public int OutHeight { get; } = outHeight;
    public int OutWidth { get; } = outWidth;
    public override Tensor Forward(Tensor input) => input.AdaptiveAvgPool2d(OutHeight, OutWidth);
    protected override string ExtraRepr() => $"output_size=({OutHeight}, {OutWidth})";
    public override LayerSpec Describe() => new("AdaptiveAvgPool2d", new Dictionary<string, double> { ["out_height"] = OutHeight, ["out_width"] = OutWidth });
}

/// <summary>Nearest-neighbour upsampling by whole factors (each value becomes a block).</summary>
/// <remarks>Shape: (N, C, H, W) → (N, C, H·scale, W·scale).</remarks>
public sealed class Upsample(int scaleFactor) : Module<Tensor, Tensor>
{
    public int ScaleFactor { get; } = scaleFactor;
    public override Tensor Forward(Tensor input) => input.UpsampleNearest(ScaleFactor, ScaleFactor);
    protected override string ExtraRepr() => $"scale_factor={ScaleFactor}, mode='nearest'";
    public override LayerSpec Describe() => new("Upsample", new Dictionary<string, double> { ["scale_factor"] = ScaleFactor });
}
