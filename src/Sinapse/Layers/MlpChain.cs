using Sinapse.Kernels;

namespace Sinapse.Layers;

/// <summary>
/// Single-sample inference of a multilayer perceptron (leading Flatten layers, then Linear layers with or without a
/// ReLU) in one team job: all layers run in <see cref="Gemm.GemvChain"/>, each large weight read from its packed copy.
/// The values are those of the layer-by-layer forward, bit for bit; the tensors between the layers are never made,
/// and the bookkeeping between layers (which would run on metadata that the weight stream has evicted from cache) is
/// skipped.
/// </summary>
internal sealed class MlpChain
{
    readonly int flattens;
    readonly FusedLinear[] links;
    readonly int[] madeAt;
    int madeBits = -1;
    object[] madeFrom = [];

    /// <summary>The chain's kernel arguments and hidden buffers, taken by one forward at a time.</summary>
    Gemm.GemvChain? idle;

    MlpChain(int flattens, FusedLinear[] links)
    {
        this.flattens = flattens;
        this.links = links;
        madeAt = new int[links.Length * 2];
    }

    /// <summary>A chain for <paramref name="steps"/> when they are Flatten* (FusedLinear)+ with matching widths, else null.</summary>
    public static MlpChain? TryMake(IReadOnlyList<Module<Tensor, Tensor>> steps)
    {
        int f = 0;
        while (f < steps.Count && steps[f] is Flatten) f++;
        var links = new List<FusedLinear>();
        for (int i = f; i < steps.Count; i++)
        {
            if (steps[i] is not FusedLinear fl) return null;
            if (links.Count > 0 && links[^1].Layer.OutFeatures != fl.Layer.InFeatures) return null;
            links.Add(fl);
        }
        return links.Count == 0 ? null : new MlpChain(f, links.ToArray());
    }

    /// <summary>Runs one sample through the chain; false (and nothing done) when the input is not one sample of the right width.</summary>
    public bool TryRun(Tensor input, out Tensor output)
    {
        output = null!;
        if (!Gemm.Simd) return false;
        var x = input;
        for (int i = 0; i < flattens; i++) x = x.Flatten(1); // Flatten's default, from dimension 1 on (a view)
        if (x.Rank is 0 or > 2 || (x.Rank == 2 && x.shape[0] != 1) || x.strides[^1] != 1) return false;
        if (links[0].Layer.InFeatures != x.shape[^1]) return false;
        foreach (var l in links) if (!l.Layer.Weight.IsContiguous) return false;
        var chain = Interlocked.Exchange(ref idle, null);
        if (chain == null || Stale()) chain = Make();
        var outShape = (int[])x.shape.Clone();
        outShape[^1] = links[^1].Layer.OutFeatures;
        output = Tensor.Empty(outShape);
        try { chain.Run(x.data, x.offset, output.data); }
        finally { idle = chain; }
        return true;
    }

    /// <summary>Whether some weight or bias was written, replaced or re-laid out since the chain was made.</summary>
    bool Stale()
    {
        if (madeBits != SimdWidth.Bits) return true;
        for (int l = 0; l < links.Length; l++)
        {
            var lin = links[l].Layer;
            if (!ReferenceEquals(madeFrom[2 * l], lin.Weight.storage) || madeAt[2 * l] != lin.Weight.Version) return true;
            if (lin.Bias is { } b && (!ReferenceEquals(madeFrom[2 * l + 1], b.storage) || madeAt[2 * l + 1] != b.Version)) return true;
        }
        return false;
    }

    Gemm.GemvChain Make()
    {
        var steps = new ChainLayer[links.Length];
        madeFrom = new object[links.Length * 2];
        for (int l = 0; l < links.Length; l++)
        {
            var fl = links[l];
            var lin = fl.Layer;
            var w = lin.Weight;
            var b = lin.Bias?.Contiguous();
            float[]? packed = PackedWeights.Applies(w) ? fl.Packed.For(w) : null;
            steps[l] = new ChainLayer(lin.OutFeatures, lin.InFeatures, packed, w.data, w.offset, b?.data, b?.offset ?? 0, fl.Relu);
            madeFrom[2 * l] = w.storage; madeAt[2 * l] = w.Version;
            if (lin.Bias != null) { madeFrom[2 * l + 1] = lin.Bias.storage; madeAt[2 * l + 1] = lin.Bias.Version; }
        }
        madeBits = SimdWidth.Bits;
        return new Gemm.GemvChain(steps);
    }
}
