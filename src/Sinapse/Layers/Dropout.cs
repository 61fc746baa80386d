using Sinapse.IO;

namespace Sinapse.Layers;

/// <summary>
/// Inverted dropout: in training, zeroes each element with probability p and scales the survivors by 1/(1−p),
/// so evaluation needs no rescaling. Identity in eval mode. Shape: any → same.
/// </summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    readonly Generator gen;
    public float P { get; }

    public Dropout(float p = 0.5f, Generator? gen = null)
    {
        if (p < 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout: p must be in [0, 1).");
        P = p;
        this.gen = RegisterGenerator("generator", gen ?? new Generator(Generator.Default.NextUInt()));
    }

    public override Tensor Forward(Tensor input)
    {
        if (!Training || P == 0) return input;
        return input * Mask(input.Shape, P, gen);
    }

    /// <summary>
    /// A tensor of <paramref name="shape"/> holding 1/(1−p) with probability 1−p and 0 otherwise. It is made by the
    /// engine (Tensor.Empty), so a training step reuses its memory instead of allocating it.
    /// </summary>
    internal static Tensor Mask(int[] shape, float p, Generator gen)
    {
        var mask = Tensor.Empty(shape);
        var m = mask.AsSpan();
        float keep = 1f / (1f - p);
        for (int i = 0; i < m.Length; i++) m[i] = gen.NextFloat() >= p ? keep : 0f;
        return mask;
    }

    protected override string ExtraRepr() => $"p={P}";
    public override LayerSpec Describe() => new("Dropout", new Dictionary<string, double> { ["p"] = P });
}

/// <summary>Flattens dimensions startDim..endDim (default: all but the batch). Shape: (N, C, H, W) → (N, C·H·W).</summary>
public sealed class Flatten : Module<Tensor, Tensor>
{
    public int StartDim { get; }
    public int EndDim { get; }
    public Flatten(int startDim = 1, int endDim = -1) { StartDim = startDim; EndDim = endDim; }
    public override Tensor Forward(Tensor input) => input.Flatten(StartDim, EndDim);
    protected override string ExtraRepr() => $"start_dim={StartDim}, end_dim={EndDim}";
    public override LayerSpec Describe() => new("Flatten", new Dictionary<string, double> { ["start_dim"] = StartDim, ["end_dim"] = EndDim });
}

/// <summary>
/// Channel dropout: in training, zeroes whole feature maps with probability p (adjacent pixels are correlated, so
/// dropping single ones regularises little) and scales the kept ones by 1/(1−p). Identity in eval mode.
/// </summary>
/// <remarks>Shape: (N, C, H, W) (or (N, C, …)) → same.</remarks>
public sealed class Dropout2d : Module<Tensor, Tensor>
{
    readonly Generator gen;
    public float P { get; }

    public Dropout2d(float p = 0.5f, Generator? gen = null)
    {
        if (p < 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout2d: p must be in [0, 1).");
        P = p;
        this.gen = RegisterGenerator("generator", gen ?? new Generator(Generator.Default.NextUInt()));
    }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 3) throw new ArgumentException($"Dropout2d: input {ShapeUtil.Str(input.Shape)} must be (N, C, H, W).");
        if (!Training || P == 0) return input;
        int n = input.Shape[0], c = input.Shape[1];
        var shape = new int[input.Rank]; // (N, C, 1, …): one draw per feature map, broadcast over it
        Array.Fill(shape, 1); shape[0] = n; shape[1] = c;
        return input * Dropout.Mask(shape, P, gen);
    }

    protected override string ExtraRepr() => $"p={P}";
    public override LayerSpec Describe() => new("Dropout2d", new Dictionary<string, double> { ["p"] = P });
}
