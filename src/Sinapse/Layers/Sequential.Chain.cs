using Sinapse.Kernels;

namespace Sinapse.Layers;

// Single-sample inference of a multilayer perceptron in one team job.
public sealed partial class Sequential
{
    /// <summary>Off only in tests and measurements that compare against the layer-by-layer forward.</summary>
    internal static bool ChainEnabled = true;

    /// <summary>The Linear layers and whether a ReLU follows each, when the model is only (Linear [ReLU])+; else empty.</summary>
    (Linear Layer, bool Relu)[]? chain;

    /// <summary>The chain's kernel arguments and hidden buffers, taken by one forward at a time.</summary>
    ChainState? idleChain;

    (Linear Layer, bool Relu)[] Chain()
    {
        if (chain != null) return chain;
        var found = new List<(Linear, bool)>();
        for (int i = 0; i < layers.Count; i++)
        {
            // Any other layer, widths that do not match (the general path reports them) or a weight that is not
            // row-major (the kernels read it so), and there is no chain.
            if (layers[i] is not Linear lin || !lin.Weight.IsContiguous || (found.Count > 0 && found[^1].Item1.OutFeatures != lin.InFeatures))
            { found.Clear(); break; }
            bool relu = i + 1 < layers.Count && layers[i + 1] is ReLU;
            found.Add((lin, relu));
            if (relu) i++;
        }
        idleChain = null;
        return chain = found.ToArray();
    }

    /// <summary>
    /// One sample through an MLP (Linear and ReLU layers only) without a graph: all layers in one team job
    /// (<see cref="Gemm.GemvChain"/>), each large weight read from its packed copy. The values are those of the
    /// layer-by-layer forward, bit for bit; the tensors between the layers are never made.
    /// </summary>
    /// <remarks>
    /// Measured on the 2-core VM (W5, 784-512-256-10, paired in one process): 21.3 µs layer by layer, 19.9 µs as one
    /// chain. Layer by layer, 0.35–0.7 µs go before each product to tensor bookkeeping whose metadata the previous
    /// layer's weight stream has evicted from cache.
    /// </remarks>
    bool TryForwardChain(Tensor input, out Tensor output)
    {
        output = null!;
        if (!ChainEnabled || !Gemm.Simd || input.Rank is 0 or > 2 || (input.Rank == 2 && input.shape[0] != 1) || input.strides[^1] != 1) return false;
        var links = Chain();
        if (links.Length == 0 || links[0].Layer.InFeatures != input.shape[^1]) return false;
        if (Autograd.IsEnabled)
            foreach (var (lin, _) in links) if (Node.WillRecord(input, lin.Weight, lin.Bias)) return false;
        var state = Interlocked.Exchange(ref idleChain, null) ?? new ChainState(links);
        state.Refresh();
        var outShape = (int[])input.shape.Clone();
        outShape[^1] = links[^1].Layer.OutFeatures;
        output = Tensor.Uninitialized(outShape);
        try { state.Chain.Run(input.data, input.offset, output.data); }
        finally { idleChain = state; }
        return true;
    }

    sealed class ChainState((Linear Layer, bool Relu)[] links)
    {
        public Gemm.GemvChain Chain = null!;
        long madeAt = -1;

        /// <summary>Takes the packed weights again when any tensor was written in place since the last call.</summary>
        public void Refresh()
        {
            long now = Tensor.InPlaceWrites;
            if (madeAt == now) return;
            var steps = new ChainLayer[links.Length];
            for (int l = 0; l < links.Length; l++)
            {
                var (lin, relu) = links[l];
                var w = lin.Weight;
                var b = lin.Bias?.Contiguous();
                float[]? packed = PackedWeights.Applies(w) ? lin.Inference.For(w) : null;
                steps[l] = new ChainLayer(lin.OutFeatures, lin.InFeatures, packed, w.data, w.offset, b?.data, b?.offset ?? 0, relu);
            }
            Chain = new Gemm.GemvChain(steps);
            madeAt = now;
        }
    }
}
